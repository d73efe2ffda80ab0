"""The outboxes' producer: turn new ticket events into outbox rows, once per event × recipient.

The ticket-event log is scanned from a stored cursor per scanner (`webhook_cursors`, one row per name). Several
replicas may scan the same events at once: a row is inserted with `ON CONFLICT DO NOTHING` on the outbox's unique
(event, recipient) key, so each event yields at most one row per recipient whoever sees it first.

Event ids are allocated before their transaction commits, so a later id can become visible before an earlier one.
The cursor therefore only moves over events older than `settle_s` (longer than any ticket transaction lasts);
younger ones are looked at again on the next round, which the unique constraint makes harmless.

`scan_events` is that scan for any outbox fed by the event log, each with its own cursor name and table: webhook
deliveries (`bot.services.webhooks.enqueue`), customer updates (`bot.services.customers.update_scan`) and provider
Telegram-group notices (`bot.services.providers.notifications`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Ticket, TicketEvent, WebhookCursor, as_utc

DEFAULT_SETTLE_S = 60.0
DEFAULT_SCAN_BATCH = 1000


def dialect_insert(session: AsyncSession) -> Any:
    """The dialect's INSERT construct (both SQLite and PostgreSQL have ON CONFLICT)."""
    bind = session.bind
    dialect = bind.dialect.name if bind is not None else "sqlite"
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def read_cursor(session: AsyncSession, name: str) -> int:
    """How far the scanner `name` has moved over the ticket-event log (0: not yet)."""
    cursor = (
        await session.execute(select(WebhookCursor.event_id).where(WebhookCursor.name == name))
    ).scalar_one_or_none()
    return int(cursor or 0)


def _settled_upto(rows: Sequence[Any], cutoff: datetime, current: int) -> int:
    """The id the cursor may move to: the last of the leading run of events older than `cutoff`."""
    settled = current
    for row in rows:
        at = as_utc(row.at)
        if at is None or at > cutoff:
            break
        settled = int(row.id)
    return settled


async def scan_events(
    session: AsyncSession,
    name: str,
    cursor: int,
    floor: int,
    now: datetime,
    to_insert: Callable[[Any], Any | None],
    settle_s: float = DEFAULT_SETTLE_S,
    batch: int = DEFAULT_SCAN_BATCH,
) -> int:
    """One scan of the events after `floor` (at most `batch`) for the scanner `name`, whose cursor is `cursor`.

    `to_insert(row)` gives, for an event row (`id, ticket_id, kind, at, outlet_id, from_status,
    assigned_outlet_id`), an INSERT … ON CONFLICT DO NOTHING of the scanner's outbox (or None: nothing to do); the
    cursor then moves over the settled events. Returns how many rows were new. Runs in the caller's transaction.
    """
    created = 0
    rows = (
        await session.execute(
            select(
                TicketEvent.id, TicketEvent.ticket_id, TicketEvent.kind, TicketEvent.at, TicketEvent.outlet_id,
                TicketEvent.from_status, Ticket.assigned_outlet_id,
            )
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(TicketEvent.id > floor)
            .order_by(TicketEvent.id)
            .limit(batch)
        )
    ).all()
    for row in rows:
        statement = to_insert(row)
        if statement is not None:
            result = await session.execute(statement)
            created += int(result.rowcount or 0)  # type: ignore[attr-defined]  # a CursorResult at run time
    settled = _settled_upto(rows, now - timedelta(seconds=settle_s), floor)
    if settled > cursor:
        upsert = dialect_insert(session)(WebhookCursor).values(name=name, event_id=settled, updated_at=now)
        await session.execute(
            upsert.on_conflict_do_update(
                index_elements=[WebhookCursor.name],
                set_={"event_id": settled, "updated_at": now},
                where=WebhookCursor.event_id < settled,  # replicas only ever move it forward
            )
        )
    return created
