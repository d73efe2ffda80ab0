"""The provider use cases: an outlet lists, reads, accepts, rejects, schedules, updates and annotates its tickets.

Ownership is the first rule: a ticket that is not assigned to the asking outlet does not exist for it
(`TicketNotFoundError`, so the API answers 404 and ticket numbers cannot be probed). A ticket the outlet rejected
is no longer its own. Every change appends a ticket event with actor `outlet:<code>`.

Retries are safe: a change whose effect is already in place (accepting an accepted ticket, setting the status it
has, the same appointment) returns the current state without a new event; a caller's request id (the API's
`Idempotency-Key`) is stored on the event it produced, and a repeat returns the current state too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Customer, Part, PartReservation, Ticket, TicketEvent, as_utc, utcnow
from bot.db.repositories import tickets as repo
from bot.db.session import SessionFactory
from bot.domain.errors import ConflictError, DomainError, IllegalTransitionError, TicketNotFoundError, ValidationError
from bot.domain.lifecycle import TicketStatus
from bot.domain.ticket_number import is_ticket_number
from bot.services.parts.service import PartsService
from bot.services.providers.keys import OutletIdentity
from bot.services.providers.status import StatusUpdate, apply_status_update
from bot.services.providers.types import (
    ACCEPTED_STATUSES,
    ProviderTicket,
    Rejection,
    TicketPage,
    appointment_of,
    provider_ticket,
)
from bot.services.tickets.service import TicketService

logger = logging.getLogger(__name__)

MAX_PAGE = 100
MAX_NOTE_CHARS = 2000
MAX_REASON_CHARS = 500
MAX_REQUEST_ID = 128
MAX_APPOINTMENT_AHEAD = timedelta(days=180)
_MAX_ID = 2**31 - 1
_STATUS_VALUES = frozenset(s.value for s in TicketStatus)


def owns(ticket: Ticket, outlet: OutletIdentity) -> bool:
    """Whether the ticket is the outlet's: assigned to it and not rejected by it."""
    return ticket.assigned_outlet_id == outlet.outlet_id and ticket.status != TicketStatus.REJECTED.value


def replayed(events: list[TicketEvent], outlet: OutletIdentity, request_id: str | None) -> bool:
    """Whether the outlet already made a change under this request id."""
    return request_id is not None and any(
        e.outlet_id == outlet.outlet_id and (e.data or {}).get("request_id") == request_id for e in events
    )


def with_request(data: dict[str, Any], request_id: str | None) -> dict[str, Any]:
    """Event data, tagged with the caller's request id when there is one."""
    return {**data, "request_id": request_id} if request_id else data


def _check_request_id(request_id: str | None) -> str | None:
    if request_id is None:
        return None
    if not 1 <= len(request_id) <= MAX_REQUEST_ID or not request_id.isascii() or not request_id.isprintable():
        raise ValidationError(f"Idempotency-Key must be 1..{MAX_REQUEST_ID} printable ASCII characters")
    return request_id


def _not_found(number: str) -> TicketNotFoundError:
    return TicketNotFoundError(f"no ticket {number[:24]} assigned to this outlet")


class ProviderTicketService:
    """Owns the provider transactions; status moves go through `TicketService` so the lifecycle rules hold."""

    def __init__(
        self,
        session_factory: SessionFactory,
        tickets: TicketService,
        parts: PartsService,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = session_factory
        self._tickets = tickets
        self._parts = parts
        self._clock = clock

    async def list_tickets(
        self, outlet: OutletIdentity, status: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> TicketPage:
        """The outlet's tickets, newest first, optionally in one status; `cursor` continues a previous page."""
        if status is not None and status not in _STATUS_VALUES:
            raise ValidationError(f"status must be one of {', '.join(sorted(_STATUS_VALUES))}")
        if not 1 <= limit <= MAX_PAGE:
            raise ValidationError(f"limit must be between 1 and {MAX_PAGE}")
        query = (
            select(Ticket, Customer.phone_e164)
            .outerjoin(Customer, Customer.id == Ticket.customer_id)
            .where(Ticket.assigned_outlet_id == outlet.outlet_id, Ticket.status != TicketStatus.REJECTED.value)
            .order_by(Ticket.id.desc())
            .limit(limit + 1)
        )
        if status is not None:
            query = query.where(Ticket.status == status)
        if cursor is not None:
            if not cursor.isascii() or not cursor.isdigit() or not 1 <= int(cursor) <= _MAX_ID:
                raise ValidationError("cursor must be a value returned as next_cursor")
            query = query.where(Ticket.id < int(cursor))
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
            items = [provider_ticket(t, list(t.events), outlet.outlet_id, phone) for t, phone in rows[:limit]]
            next_cursor = str(rows[limit - 1][0].id) if len(rows) > limit else None
        return TicketPage(tuple(items), next_cursor)

    async def get(self, outlet: OutletIdentity, number: str) -> ProviderTicket:
        """One of the outlet's tickets with its visible history and part reservations."""
        async with self._sessions() as session:
            ticket = await self._owned(session, outlet, number)
            events = await repo.events_of(session, ticket.id)
            phone = None
            if ticket.customer_id is not None:
                customer = await session.get(Customer, ticket.customer_id)
                phone = customer.phone_e164 if customer is not None else None
            reservations = (
                await session.execute(
                    select(PartReservation, Part.part_number)
                    .join(Part, Part.id == PartReservation.part_id)
                    .where(PartReservation.ticket_id == ticket.id)
                    .order_by(PartReservation.id)
                )
            ).all()
            return provider_ticket(
                ticket, events, outlet.outlet_id, phone, [(r, n) for r, n in reservations], with_history=True
            )

    async def accept(self, outlet: OutletIdentity, number: str, request_id: str | None = None) -> ProviderTicket:
        """Accept a routed ticket; accepting it again (or after it moved on) is a no-op."""
        request_id = _check_request_id(request_id)
        ticket, events = await self._snapshot(outlet, number)
        if ticket.status not in ACCEPTED_STATUSES and not replayed(events, outlet, request_id):
            try:
                data = with_request({}, request_id)
                await self._tickets.transition(number, TicketStatus.ACCEPTED, outlet.actor, outlet.outlet_id, data)
                logger.info("provider_ticket.accepted number=%s outlet=%s", number, outlet.outlet_code)
            except (IllegalTransitionError, ConflictError):
                # A concurrent retry may have accepted it first: that is success too.
                ticket, _ = await self._snapshot(outlet, number)
                if ticket.status not in ACCEPTED_STATUSES:
                    raise
        return await self.get(outlet, number)

    async def reject(
        self, outlet: OutletIdentity, number: str, reason: str, request_id: str | None = None
    ) -> Rejection:
        """Decline a ticket with a reason; it is re-routed to the next eligible outlet that has not declined it."""
        _check_request_id(request_id)
        reason = reason.strip()
        if not reason or len(reason) > MAX_REASON_CHARS:
            raise ValidationError(f"reason must be 1..{MAX_REASON_CHARS} characters")
        if not is_ticket_number(number):
            raise _not_found(number)
        async with self._sessions() as session:
            ticket = await repo.by_number(session, number)
            mine = ticket is not None and owns(ticket, outlet)
        if mine:
            try:
                await self._tickets.reject(number, outlet.outlet_id, reason, actor=outlet.actor)
            except DomainError:
                # The rejection may have been written before routing failed, or a racing retry won: look.
                if await self._previous_rejection(outlet, number) is None:
                    raise
                logger.warning("provider_ticket.reroute_failed number=%s", number, exc_info=True)
            logger.info("provider_ticket.rejected number=%s outlet=%s", number, outlet.outlet_code)
        previous = await self._previous_rejection(outlet, number)
        if previous is None:
            raise _not_found(number)
        return previous

    async def schedule(
        self, outlet: OutletIdentity, number: str, at: datetime, request_id: str | None = None
    ) -> ProviderTicket:
        """Set (or move) the appointment of an accepted ticket; the same time again is a no-op."""
        request_id = _check_request_id(request_id)
        if at.tzinfo is None:
            raise ValidationError("the appointment time needs a UTC offset, e.g. 2027-01-05T09:30:00+08:00")
        at = at.astimezone(timezone.utc)
        now = self._clock()
        if not now < at <= now + MAX_APPOINTMENT_AHEAD:
            raise ValidationError(f"the appointment must be in the future, at most {MAX_APPOINTMENT_AHEAD.days} days")
        ticket, events = await self._snapshot(outlet, number)
        if replayed(events, outlet, request_id) or (
            ticket.status == TicketStatus.SCHEDULED.value and appointment_of(events) == at
        ):
            return await self.get(outlet, number)
        data = with_request({"at": at.isoformat()}, request_id)
        if ticket.status == TicketStatus.SCHEDULED.value:
            previous = appointment_of(events)
            data["previous"] = previous.isoformat() if previous else None
            await self._append(outlet, number, "rescheduled", data)
        else:
            await self._tickets.transition(number, TicketStatus.SCHEDULED, outlet.actor, outlet.outlet_id, data)
        logger.info("provider_ticket.scheduled number=%s outlet=%s", number, outlet.outlet_code)
        return await self.get(outlet, number)

    async def update_status(
        self, outlet: OutletIdentity, number: str, update: StatusUpdate, request_id: str | None = None
    ) -> ProviderTicket:
        """Move the ticket to in_repair, waiting_parts (optionally reserving a part) or resolved (with notes)."""
        request_id = _check_request_id(request_id)
        update.validate()
        ticket, events = await self._snapshot(outlet, number)
        if not replayed(events, outlet, request_id):
            await apply_status_update(
                self._sessions, self._tickets, self._parts, outlet, ticket, events, update, request_id,
                lambda: self._snapshot(outlet, number),
            )
        return await self.get(outlet, number)

    async def add_note(
        self, outlet: OutletIdentity, number: str, text: str, request_id: str | None = None
    ) -> ProviderTicket:
        """Append a free-text note to the ticket's history."""
        request_id = _check_request_id(request_id)
        text = text.strip()
        if not text or len(text) > MAX_NOTE_CHARS:
            raise ValidationError(f"text must be 1..{MAX_NOTE_CHARS} characters")
        _, events = await self._snapshot(outlet, number)
        if not replayed(events, outlet, request_id):
            await self._append(outlet, number, "note", with_request({"text": text}, request_id))
        return await self.get(outlet, number)

    async def _owned(self, session: AsyncSession, outlet: OutletIdentity, number: str) -> Ticket:
        ticket = await repo.by_number(session, number) if is_ticket_number(number) else None
        if ticket is None or not owns(ticket, outlet):
            raise _not_found(number)
        return ticket

    async def _snapshot(self, outlet: OutletIdentity, number: str) -> tuple[Ticket, list[TicketEvent]]:
        async with self._sessions() as session:
            ticket = await self._owned(session, outlet, number)
            return ticket, await repo.events_of(session, ticket.id)

    async def _append(self, outlet: OutletIdentity, number: str, kind: str, data: dict[str, Any]) -> None:
        """An event that changes no status (a note, a moved appointment), under the same ownership rule."""
        async with self._sessions() as session, session.begin():
            ticket = await self._owned(session, outlet, number)
            repo.add_event(session, ticket, kind, outlet.actor, None, None, outlet.outlet_id, data)
            ticket.updated_at = self._clock()

    async def _previous_rejection(self, outlet: OutletIdentity, number: str) -> Rejection | None:
        async with self._sessions() as session:
            ticket = await repo.by_number(session, number)
            if ticket is None or owns(ticket, outlet):
                return None
            event = (
                await session.execute(
                    select(TicketEvent)
                    .where(
                        TicketEvent.ticket_id == ticket.id,
                        TicketEvent.kind == TicketStatus.REJECTED.value,
                        TicketEvent.outlet_id == outlet.outlet_id,
                    )
                    .order_by(TicketEvent.id.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()
        if event is None:
            return None
        reason = str((event.data or {}).get("reason", ""))
        return Rejection(number, TicketStatus.REJECTED.value, reason, as_utc(event.at) or event.at)
