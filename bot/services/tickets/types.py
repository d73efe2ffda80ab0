"""Inputs and results of the ticket service (plain dataclasses, detached from the ORM)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.db.models import Ticket, TicketEvent
from bot.domain.catalogue import ProductCategory
from bot.domain.taxonomy import Category, Priority
from bot.geo.types import Location
from bot.services.tickets.outlets import OutletView


@dataclass(frozen=True)
class NewTicket:
    """What a caller knows when it opens a ticket. `idempotency_key` makes retries safe."""

    idempotency_key: str
    category: Category
    channel: str
    channel_user_id: str
    language: str = "zh"
    priority: Priority = Priority.NORMAL
    conversation_id: str | None = None
    phone: str | None = None
    brand_id: int | None = None
    product_category: ProductCategory | None = None
    model_id: int | None = None
    serial: str | None = None
    imei: str | None = None
    purchase_date: date | None = None
    symptom: str | None = None
    location: Location | None = None
    location_text: str | None = None
    parent_ticket_number: str | None = None


@dataclass(frozen=True)
class EventView:
    """One entry of a ticket's history."""

    at: datetime
    kind: str
    actor: str
    from_status: str | None
    to_status: str | None
    outlet_id: int | None
    data: dict[str, Any]

    @classmethod
    def of(cls, event: TicketEvent) -> EventView:
        """Detach an ORM event."""
        return cls(
            event.at, event.kind, event.actor, event.from_status, event.to_status, event.outlet_id,
            dict(event.data or {}),
        )


@dataclass(frozen=True)
class TicketView:
    """A ticket as callers see it."""

    id: int
    number: str
    status: str
    category: str
    priority: str
    service_type: str
    language: str
    channel: str
    conversation_id: str | None
    brand_id: int | None
    product_category: str | None
    symptom: str | None
    country: str | None
    lat: float | None
    lon: float | None
    assigned_outlet_id: int | None
    sla_accept_due_at: datetime | None
    sla_resolve_due_at: datetime | None
    created_at: datetime
    created: bool = False  # False when an idempotent retry returned the existing ticket
    events: tuple[EventView, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, ticket: Ticket, created: bool = False, events: list[TicketEvent] | None = None) -> TicketView:
        """Detach an ORM ticket (and, optionally, its events)."""
        return cls(
            id=ticket.id,
            number=ticket.number,
            status=ticket.status,
            category=ticket.category,
            priority=ticket.priority,
            service_type=ticket.service_type,
            language=ticket.language,
            channel=ticket.channel,
            conversation_id=ticket.conversation_id,
            brand_id=ticket.brand_id,
            product_category=ticket.product_category,
            symptom=ticket.symptom,
            country=ticket.country,
            lat=ticket.lat,
            lon=ticket.lon,
            assigned_outlet_id=ticket.assigned_outlet_id,
            sla_accept_due_at=ticket.sla_accept_due_at,
            sla_resolve_due_at=ticket.sla_resolve_due_at,
            created_at=ticket.created_at,
            created=created,
            events=tuple(EventView.of(e) for e in (events or [])),
        )


@dataclass(frozen=True)
class FiledRequest:
    """A customer's request once filed: the ticket and, when it went to one, its outlet and how far away it is."""

    ticket: TicketView
    outlet: OutletView | None = None  # None: no outlet or hub can take it yet (a person follows up)
    distance_km: float | None = None  # from the customer's location, when the ticket has one

    @property
    def mail_in(self) -> bool:
        """Whether the product is to be posted to a mail-in repair hub."""
        return self.outlet is not None and self.outlet.is_mail_in_hub
