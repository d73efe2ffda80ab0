"""The customer outbox's producer: one `ticket_update` message per customer-visible ticket event.

It walks the ticket-event log with the outbox kit's scan (`outbox.event_scan.scan_events`, its own cursor
`customer_updates` in `webhook_cursors`, started by migration 0007 at the newest event then present). Each event
of a kind in `UPDATE_KINDS`, on a ticket filed from a conversation, becomes a message composed in the ticket's
language, inserted with `ON CONFLICT DO NOTHING` on the unique (kind, event_id): replicas scanning the same events
at once create it once. A cancellation by the customer themselves is not echoed back to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CustomerMessage, Outlet, Ticket, TicketEvent, as_utc
from bot.db.session import SessionFactory
from bot.nlu.text.script import TRADITIONAL_LANGUAGE, to_traditional
from bot.services.customers.message_types import PENDING, TICKET_UPDATE
from bot.services.customers.update_texts import UPDATE_KINDS, UpdateFacts, customer_language, update_text
from bot.services.outbox.event_scan import (
    DEFAULT_SCAN_BATCH,
    DEFAULT_SETTLE_S,
    dialect_insert,
    read_cursor,
    scan_events,
)

CURSOR_NAME = "customer_updates"


def _appointment(data: dict[str, Any]) -> datetime | None:
    raw = data.get("at")
    if not isinstance(raw, str):
        return None
    try:
        return as_utc(datetime.fromisoformat(raw))
    except ValueError:
        return None


async def _outlets(session: AsyncSession, ids: set[int]) -> dict[int, Outlet]:
    if not ids:
        return {}
    found = (await session.execute(select(Outlet).where(Outlet.id.in_(ids)))).scalars().all()
    return {outlet.id: outlet for outlet in found}


async def _events(session: AsyncSession, event_ids: Sequence[int]) -> list[Any]:
    """The wanted events with what their updates need, for tickets that came from a conversation."""
    return list(
        (
            await session.execute(
                select(
                    TicketEvent.id, TicketEvent.ticket_id, TicketEvent.kind, TicketEvent.actor, TicketEvent.outlet_id,
                    TicketEvent.data, Ticket.number, Ticket.conversation_id, Ticket.channel, Ticket.language,
                    Ticket.assigned_outlet_id,
                )
                .join(Ticket, Ticket.id == TicketEvent.ticket_id)
                .where(TicketEvent.id.in_(event_ids), Ticket.conversation_id.is_not(None))
                .order_by(TicketEvent.id)
            )
        ).all()
    )


def _facts(row: Any, outlet: Outlet | None) -> UpdateFacts:
    data = dict(row.data or {})
    notes = data.get("notes")
    return UpdateFacts(
        number=row.number,
        outlet_name_zh=outlet.name_zh if outlet else None,
        outlet_name_en=outlet.name_en if outlet else None,
        appointment_at=_appointment(data),
        notes=notes if isinstance(notes, str) else None,
        country=outlet.country if outlet else None,
        lon=outlet.lon if outlet else None,
    )


async def enqueue_ticket_updates(
    sessions: SessionFactory, now: datetime, settle_s: float = DEFAULT_SETTLE_S, batch: int = DEFAULT_SCAN_BATCH
) -> int:
    """Queue the updates for events after the cursor (at most `batch` events); how many messages were new."""
    async with sessions() as session, session.begin():
        cursor = await read_cursor(session, CURSOR_NAME)
        wanted: list[int] = []

        def collect(row: Any) -> None:
            if row.kind in UPDATE_KINDS:
                wanted.append(int(row.id))
            return None  # inserted below, once their tickets and outlets are loaded, in this same transaction

        await scan_events(session, CURSOR_NAME, cursor, cursor, now, collect, settle_s, batch)
        if not wanted:
            return 0
        rows = await _events(session, wanted)
        outlets = await _outlets(session, {i for r in rows for i in (r.outlet_id, r.assigned_outlet_id) if i})
        insert = dialect_insert(session)
        created = 0
        for row in rows:
            if row.kind == "cancelled" and str(row.actor).endswith(":customer"):
                continue  # the customer cancelled it in the conversation and was answered there
            language = customer_language(row.language)
            outlet = outlets.get(row.outlet_id or row.assigned_outlet_id or 0)
            text = update_text(row.kind, language, _facts(row, outlet))
            if text is None:
                continue
            if row.language == TRADITIONAL_LANGUAGE:
                text = to_traditional(text)  # the customer writes traditional characters
            statement = insert(CustomerMessage).values(
                conversation_id=row.conversation_id, channel=row.channel, kind=TICKET_UPDATE, text=text,
                language=language, ticket_id=row.ticket_id, event_id=row.id, status=PENDING, attempts=0,
                next_attempt_at=now, created_at=now,
            ).on_conflict_do_nothing()
            result = await session.execute(statement)
            created += int(result.rowcount or 0)  # type: ignore[attr-defined]  # a CursorResult at run time
    return created
