"""Work-progress updates by the assigned outlet: in_repair, waiting_parts (with a part reservation), resolved.

A part reservation is made before the status moves, under an idempotency key derived from the ticket and the
number of times it went to waiting_parts before: a retry after a lost answer (or a crash between the two steps)
finds the same reservation instead of holding the stock twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.db.models import Part, Ticket, TicketEvent
from bot.db.session import SessionFactory
from bot.domain.errors import ConflictError, DomainError, ValidationError
from bot.domain.lifecycle import TicketStatus, check_transition
from bot.services.parts.service import PartsService, Reservation
from bot.services.providers.keys import OutletIdentity
from bot.services.tickets.service import TicketService

logger = logging.getLogger(__name__)

#: The statuses an outlet sets through a status update (accept, schedule and reject have their own calls).
UPDATABLE = (TicketStatus.IN_REPAIR, TicketStatus.WAITING_PARTS, TicketStatus.RESOLVED)
MAX_NOTES_CHARS = 2000
MAX_QUANTITY = 100
_RESERVE_ATTEMPTS = 5


@dataclass(frozen=True)
class StatusUpdate:
    """What the outlet asks for: a target status, notes, and for waiting_parts an optional part to reserve."""

    status: str
    notes: str | None = None
    part_code: str | None = None
    quantity: int | None = None

    def validate(self) -> None:
        """Raise `ValidationError` for a status, notes, part or quantity the update cannot carry."""
        allowed = ", ".join(s.value for s in UPDATABLE)
        if self.status not in {s.value for s in UPDATABLE}:
            raise ValidationError(f"status must be one of {allowed} (use accept, schedule or reject for the others)")
        if self.notes is not None and len(self.notes.strip()) > MAX_NOTES_CHARS:
            raise ValidationError(f"notes must be at most {MAX_NOTES_CHARS} characters")
        if self.status == TicketStatus.RESOLVED.value and not (self.notes or "").strip():
            raise ValidationError("resolving a ticket needs notes on what was done")
        if self.part_code is not None:
            if self.status != TicketStatus.WAITING_PARTS.value:
                raise ValidationError("part_code is only accepted with status waiting_parts")
            if not self.part_code.strip() or len(self.part_code) > 64:
                raise ValidationError("part_code must be 1..64 characters")
        if self.quantity is not None:
            if self.part_code is None:
                raise ValidationError("quantity needs a part_code")
            if not 1 <= self.quantity <= MAX_QUANTITY:
                raise ValidationError(f"quantity must be between 1 and {MAX_QUANTITY}")

    def event_data(self) -> dict[str, Any]:
        """The part of the event data that describes the request."""
        data: dict[str, Any] = {}
        if self.notes and self.notes.strip():
            data["notes"] = self.notes.strip()
        if self.part_code is not None:
            data["part_code"] = self.part_code.strip()
            data["quantity"] = self.quantity or 1
        return data


def _already_done(ticket: Ticket, events: list[TicketEvent], update: StatusUpdate) -> bool:
    if ticket.status != update.status:
        return False
    if update.status != TicketStatus.WAITING_PARTS.value:
        return True  # setting the status the ticket has is a retry
    last = next((e for e in reversed(events) if e.to_status == update.status), None)
    wanted = update.event_data()
    return last is not None and all((last.data or {}).get(k) == wanted.get(k) for k in ("part_code", "quantity"))


async def _part_id(sessions: SessionFactory, part_code: str) -> int:
    async with sessions() as session:
        part_id = (await session.execute(select(Part.id).where(Part.part_number == part_code))).scalar_one_or_none()
    if part_id is None:
        raise ValidationError(f"unknown part_code {part_code[:64]!r}")
    return int(part_id)


async def _reserve(
    parts: PartsService, part_id: int, quantity: int, outlet: OutletIdentity, ticket: Ticket,
    events: list[TicketEvent],
) -> Reservation:
    """Reserve near the outlet under a key that a retry of this same step derives again."""
    round_no = sum(1 for e in events if e.to_status == TicketStatus.WAITING_PARTS.value)
    base = f"provider:{ticket.id}:waiting_parts:{round_no}"
    for attempt in range(_RESERVE_ATTEMPTS):
        key = base if attempt == 0 else f"{base}:{attempt}"
        reservation = await parts.reserve_nearest(
            part_id, quantity, idempotency_key=key, outlet_id=outlet.outlet_id, ticket_id=ticket.id
        )
        if reservation.status != "released":
            return reservation
        # An earlier attempt of this step was rolled back (its stock given back): take the next key.
    raise ConflictError("could not reserve the part; retry")


async def apply_status_update(
    sessions: SessionFactory,
    tickets: TicketService,
    parts: PartsService,
    outlet: OutletIdentity,
    ticket: Ticket,
    events: list[TicketEvent],
    update: StatusUpdate,
    request_id: str | None,
    reload: Callable[[], Awaitable[tuple[Ticket, list[TicketEvent]]]],
) -> None:
    """Carry out one status update on a ticket the outlet owns.

    `ticket` and `events` are a fresh snapshot; `reload` takes another.
    """
    if _already_done(ticket, events, update):
        return
    target = TicketStatus(update.status)
    check_transition(TicketStatus(ticket.status), target)  # 409 before any stock is held
    data = update.event_data()
    reservation = None
    if update.part_code is not None:
        part_id = await _part_id(sessions, data["part_code"])
        reservation = await _reserve(parts, part_id, data["quantity"], outlet, ticket, events)
        data.update(reservation_id=reservation.id, warehouse_id=reservation.warehouse_id)
    if request_id:
        data["request_id"] = request_id
    try:
        await tickets.transition(ticket.number, target, outlet.actor, outlet.outlet_id, data)
    except DomainError:
        fresh, fresh_events = await reload()
        if _already_done(fresh, fresh_events, update):
            return  # a concurrent retry of this same update won the race: that is success, and its stock stays
        if reservation is not None and reservation.created:
            # Do not hold stock for a status change that did not happen; a retry reserves again.
            await parts.release(reservation.id)
        raise
    logger.info("provider_ticket.status number=%s outlet=%s status=%s", ticket.number, outlet.outlet_code, target.value)
