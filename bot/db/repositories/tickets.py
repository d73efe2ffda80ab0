"""Ticket, customer and event queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Attachment, Customer, Outlet, Ticket, TicketEvent, utcnow


async def by_number(session: AsyncSession, number: str) -> Ticket | None:
    """The ticket with this number, or None."""
    return (await session.execute(select(Ticket).where(Ticket.number == number))).scalar_one_or_none()


async def by_idempotency_key(session: AsyncSession, key: str) -> Ticket | None:
    """The ticket created under this idempotency key, or None."""
    return (
        await session.execute(select(Ticket).where(Ticket.idempotency_key == key))
    ).scalar_one_or_none()


async def upsert_customer(
    session: AsyncSession, channel: str, channel_user_id: str, phone_e164: str | None, language: str
) -> Customer:
    """The customer behind a channel identity, created on first contact; a newly given phone is stored."""
    customer = (
        await session.execute(
            select(Customer).where(
                Customer.channel == channel, Customer.channel_user_id == channel_user_id
            )
        )
    ).scalar_one_or_none()
    if customer is None:
        customer = Customer(
            channel=channel, channel_user_id=channel_user_id, phone_e164=phone_e164, language=language
        )
        session.add(customer)
        await session.flush()
    elif phone_e164 and customer.phone_e164 != phone_e164:
        customer.phone_e164 = phone_e164
    return customer


def add_event(
    session: AsyncSession,
    ticket: Ticket,
    kind: str,
    actor: str,
    from_status: str | None = None,
    to_status: str | None = None,
    outlet_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """Append one event to a ticket's log."""
    event = TicketEvent(
        ticket_id=ticket.id,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        outlet_id=outlet_id,
        data=data or {},
        at=utcnow(),
    )
    session.add(event)
    return event


async def compare_and_set_status(session: AsyncSession, ticket: Ticket, expected: str, target: str) -> bool:
    """Move the ticket to `target` only if it is still in `expected` (guards against concurrent changes)."""
    result = await session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.status == expected)
        .values(status=target, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # a CursorResult at run time


async def events_of(session: AsyncSession, ticket_id: int) -> list[TicketEvent]:
    """A ticket's events, oldest first."""
    rows = await session.execute(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
    )
    return list(rows.scalars().all())


async def rejected_outlet_ids(session: AsyncSession, ticket_id: int) -> set[int]:
    """Outlets that already rejected this ticket (never route it back to them)."""
    rows = await session.execute(
        select(TicketEvent.outlet_id).where(
            TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "rejected"
        )
    )
    return {outlet_id for outlet_id in rows.scalars().all() if outlet_id is not None}


async def outlet(session: AsyncSession, outlet_id: int) -> Outlet | None:
    """An outlet by id."""
    return await session.get(Outlet, outlet_id)


async def for_customer(
    session: AsyncSession, channel: str, channel_user_id: str, statuses: frozenset[str] | None
) -> list[Ticket]:
    """A channel identity's tickets, newest first, optionally only in the given statuses."""
    query = (
        select(Ticket)
        .join(Customer, Customer.id == Ticket.customer_id)
        .where(Customer.channel == channel, Customer.channel_user_id == channel_user_id)
        .order_by(Ticket.id.desc())
    )
    if statuses is not None:
        query = query.where(Ticket.status.in_(statuses))
    return list((await session.execute(query)).scalars().all())


async def attach_pending(session: AsyncSession, conversation_id: str, ticket_id: int) -> None:
    """Attach the conversation's attachments that belong to no ticket yet to `ticket_id`."""
    await session.execute(
        update(Attachment)
        .where(Attachment.conversation_id == conversation_id, Attachment.ticket_id.is_(None))
        .values(ticket_id=ticket_id)
    )
