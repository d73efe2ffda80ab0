"""What the provider ticket service returns: plain frozen dataclasses, detached from the ORM.

An outlet sees its own ticket, the events that concern it (never another outlet's rejection), and the customer's
contact details only once it has accepted the ticket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.db.models import PartReservation, Ticket, TicketEvent, as_utc
from bot.domain.lifecycle import TicketStatus

#: Statuses in which the assigned outlet has accepted the ticket (and so may contact the customer).
ACCEPTED_STATUSES = frozenset(
    s.value
    for s in (
        TicketStatus.ACCEPTED, TicketStatus.SCHEDULED, TicketStatus.IN_REPAIR, TicketStatus.WAITING_PARTS,
        TicketStatus.RESOLVED, TicketStatus.CLOSED,
    )
)
#: Event data keys that are bookkeeping, not something to show.
_PRIVATE_DATA = frozenset({"request_id"})
APPOINTMENT_KINDS = frozenset({"scheduled", "rescheduled"})


@dataclass(frozen=True)
class ProviderEvent:
    """One entry of a ticket's history as the outlet sees it."""

    at: datetime
    kind: str
    actor: str
    from_status: str | None
    to_status: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class ReservationView:
    """A part held for the ticket."""

    id: int
    part_id: int
    part_number: str
    warehouse_id: int
    quantity: int
    status: str


@dataclass(frozen=True)
class CustomerContact:
    """How to reach the customer (shown after acceptance only)."""

    phone: str | None
    language: str
    location_text: str | None


@dataclass(frozen=True)
class ProviderTicket:
    """A ticket assigned to the asking outlet."""

    number: str
    status: str
    category: str
    priority: str
    service_type: str
    language: str
    brand_id: int | None
    product_category: str | None
    model_id: int | None
    symptom: str | None
    country: str | None
    adcode: str | None
    lat: float | None
    lon: float | None
    sla_accept_due_at: datetime | None
    sla_resolve_due_at: datetime | None
    appointment_at: datetime | None
    created_at: datetime
    updated_at: datetime
    contact: CustomerContact | None = None
    events: tuple[ProviderEvent, ...] = field(default_factory=tuple)
    reservations: tuple[ReservationView, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class TicketPage:
    """One page of an outlet's tickets, newest first; `next_cursor` fetches the next page (None: last page)."""

    items: tuple[ProviderTicket, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class Rejection:
    """The answer to a rejection: the ticket is no longer the outlet's, so only the rejection itself is shown."""

    number: str
    status: str  # always "rejected" from the rejecting outlet's point of view
    reason: str
    rejected_at: datetime


def visible_events(events: list[TicketEvent], outlet_id: int) -> tuple[ProviderEvent, ...]:
    """The events an outlet may see: its own and the system's, never another outlet's."""
    return tuple(
        ProviderEvent(
            as_utc(e.at) or e.at, e.kind, e.actor, e.from_status, e.to_status,
            {k: v for k, v in dict(e.data or {}).items() if k not in _PRIVATE_DATA},
        )
        for e in events
        if e.outlet_id is None or e.outlet_id == outlet_id
    )


def appointment_of(events: list[TicketEvent]) -> datetime | None:
    """The latest appointment time written by a scheduling event, if any."""
    for event in reversed(events):
        if event.kind in APPOINTMENT_KINDS and isinstance((event.data or {}).get("at"), str):
            return as_utc(datetime.fromisoformat(event.data["at"]))
    return None


def provider_ticket(
    ticket: Ticket,
    events: list[TicketEvent],
    outlet_id: int,
    phone: str | None = None,
    reservations: list[tuple[PartReservation, str]] | None = None,
    with_history: bool = False,
) -> ProviderTicket:
    """Detach an ORM ticket for the outlet it is assigned to."""
    contact = None
    if ticket.status in ACCEPTED_STATUSES:
        contact = CustomerContact(phone, ticket.language, ticket.location_text)
    return ProviderTicket(
        number=ticket.number,
        status=ticket.status,
        category=ticket.category,
        priority=ticket.priority,
        service_type=ticket.service_type,
        language=ticket.language,
        brand_id=ticket.brand_id,
        product_category=ticket.product_category,
        model_id=ticket.model_id,
        symptom=ticket.symptom,
        country=ticket.country,
        adcode=ticket.adcode,
        lat=ticket.lat,
        lon=ticket.lon,
        sla_accept_due_at=as_utc(ticket.sla_accept_due_at),
        sla_resolve_due_at=as_utc(ticket.sla_resolve_due_at),
        appointment_at=appointment_of(events),
        created_at=as_utc(ticket.created_at) or ticket.created_at,
        updated_at=as_utc(ticket.updated_at) or ticket.updated_at,
        contact=contact,
        events=visible_events(events, outlet_id) if with_history else (),
        reservations=tuple(
            ReservationView(r.id, r.part_id, number, r.warehouse_id, r.quantity, str(r.status))
            for r, number in (reservations or [])
        ),
    )
