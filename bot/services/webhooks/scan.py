"""The outbox's producer: turn new ticket events into pending webhook deliveries, once per event × outlet.

The ticket-event log is scanned from a stored cursor (`webhook_cursors`). Several replicas may scan the same events
at once: a delivery is inserted with `ON CONFLICT DO NOTHING` on the unique (event_id, outlet_id), so each event
yields at most one delivery per outlet whoever sees it first.

Event ids are allocated before their transaction commits, so a later id can become visible before an earlier one.
The cursor therefore only moves over events older than `settle_s` (longer than any ticket transaction lasts);
younger ones are looked at again on the next round, which the unique constraint makes harmless.

`scan_events` is that scan for any outbox fed by the event log (each with its own cursor name and table): the
provider Telegram-group notifications use it too (`bot.services.providers.notifications`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutletWebhook, Ticket, TicketEvent, WebhookCursor, WebhookDelivery, as_utc
from bot.db.session import SessionFactory
from bot.services.webhooks.payload import EVENT_BY_KIND, recipient

CURSOR_NAME = "ticket_events"
DEFAULT_SETTLE_S = 60.0
DEFAULT_SCAN_BATCH = 1000
PENDING = "pending"


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


async def _floor(session: AsyncSession) -> tuple[int, dict[int, int]] | None:
    """The cursor and, per enabled webhook, the event id after which it receives; None when no webhook is on."""
    rows = (
        await session.execute(
            select(OutletWebhook.outlet_id, OutletWebhook.since_event_id).where(OutletWebhook.enabled.is_(True))
        )
    ).all()
    if not rows:
        return None
    return await read_cursor(session, CURSOR_NAME), {int(outlet_id): int(since) for outlet_id, since in rows}


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


async def enqueue_deliveries(
    sessions: SessionFactory, now: datetime, settle_s: float = DEFAULT_SETTLE_S, batch: int = DEFAULT_SCAN_BATCH
) -> int:
    """Create the pending deliveries for events after the cursor (at most `batch` events); how many were new."""
    async with sessions() as session, session.begin():
        found = await _floor(session)
        if found is None:
            return 0  # nothing can be delivered; a webhook configured later starts from its own `since_event_id`
        cursor, since = found
        insert = dialect_insert(session)

        def delivery(row: Any) -> Any | None:
            if row.kind not in EVENT_BY_KIND:
                return None
            outlet_id = recipient(row.kind, row.outlet_id, row.from_status, row.assigned_outlet_id)
            if outlet_id is None or row.id <= since.get(outlet_id, row.id):
                return None  # no outlet concerned, no enabled webhook, or older than the webhook
            return insert(WebhookDelivery).values(
                delivery_id=str(uuid.uuid4()), outlet_id=outlet_id, ticket_id=row.ticket_id, event_id=row.id,
                event=EVENT_BY_KIND[row.kind], status=PENDING, attempts=0, next_attempt_at=now, created_at=now,
            ).on_conflict_do_nothing()

        return await scan_events(session, CURSOR_NAME, cursor, max(cursor, min(since.values())), now, delivery,
                                 settle_s, batch)
