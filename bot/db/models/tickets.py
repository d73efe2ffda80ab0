"""Tickets, their append-only event log, and part reservations."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, relationship

from bot.db.models.base import Base, utcnow


class Ticket(Base):
    """A service ticket: one customer need, routed to one outlet at a time."""

    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_outlet_status", "assigned_outlet_id", "status"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    number: Mapped[str] = Column(String(18), nullable=False, unique=True)
    idempotency_key: Mapped[str] = Column(String(128), nullable=False, unique=True)
    category: Mapped[str] = Column(String(32), nullable=False)
    priority: Mapped[str] = Column(String(8), nullable=False, default="normal")
    status: Mapped[str] = Column(String(16), nullable=False, default="new", index=True)
    service_type: Mapped[str] = Column(String(16), nullable=False, default="repair")
    language: Mapped[str] = Column(String(8), nullable=False, default="zh")
    channel: Mapped[str] = Column(String(24), nullable=False)
    conversation_id: Mapped[Optional[str]] = Column(String(128), nullable=True, index=True)
    customer_id: Mapped[Optional[int]] = Column(ForeignKey("customers.id"), nullable=True, index=True)
    device_id: Mapped[Optional[int]] = Column(ForeignKey("devices.id"), nullable=True)
    brand_id: Mapped[Optional[int]] = Column(ForeignKey("brands.id"), nullable=True)
    product_category: Mapped[Optional[str]] = Column(String(32), nullable=True)
    model_id: Mapped[Optional[int]] = Column(ForeignKey("product_models.id"), nullable=True)
    symptom: Mapped[Optional[str]] = Column(Text, nullable=True)
    location_text: Mapped[Optional[str]] = Column(String(300), nullable=True)
    country: Mapped[Optional[str]] = Column(String(2), nullable=True)
    adcode: Mapped[Optional[str]] = Column(String(12), nullable=True)
    lat: Mapped[Optional[float]] = Column(Float, nullable=True)
    lon: Mapped[Optional[float]] = Column(Float, nullable=True)
    assigned_outlet_id: Mapped[Optional[int]] = Column(ForeignKey("outlets.id"), nullable=True)
    parent_ticket_id: Mapped[Optional[int]] = Column(ForeignKey("tickets.id"), nullable=True)
    sla_accept_due_at: Mapped[Optional[datetime]] = Column(DateTime(timezone=True), nullable=True)
    sla_resolve_due_at: Mapped[Optional[datetime]] = Column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    events: Mapped[list[TicketEvent]] = relationship(
        "TicketEvent", order_by="TicketEvent.id", lazy="selectin", viewonly=True
    )


class TicketEvent(Base):
    """One entry of a ticket's history. Append-only: updates and deletes are refused."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = Column(Integer, primary_key=True)
    ticket_id: Mapped[int] = Column(ForeignKey("tickets.id"), nullable=False, index=True)
    at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    kind: Mapped[str] = Column(String(32), nullable=False)
    from_status: Mapped[Optional[str]] = Column(String(16), nullable=True)
    to_status: Mapped[Optional[str]] = Column(String(16), nullable=True)
    actor: Mapped[str] = Column(String(64), nullable=False)
    outlet_id: Mapped[Optional[int]] = Column(ForeignKey("outlets.id"), nullable=True)
    data: Mapped[Any] = Column(JSON, nullable=False, default=dict)


class PartReservation(Base):
    """Units of a part held in one warehouse for one ticket."""

    __tablename__ = "part_reservations"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = Column(String(128), nullable=False, unique=True)
    ticket_id: Mapped[Optional[int]] = Column(ForeignKey("tickets.id"), nullable=True, index=True)
    part_id: Mapped[int] = Column(ForeignKey("parts.id"), nullable=False)
    warehouse_id: Mapped[int] = Column(ForeignKey("warehouses.id"), nullable=False)
    quantity: Mapped[int] = Column(Integer, nullable=False)
    status = Column(String(12), nullable=False, default="reserved")  # reserved | released | consumed
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class AppendOnlyViolation(RuntimeError):
    """Raised when code tries to change or delete a ticket event."""


@event.listens_for(TicketEvent, "before_update")
def _refuse_event_update(mapper: Any, connection: Any, target: TicketEvent) -> None:
    raise AppendOnlyViolation("ticket events are append-only")


@event.listens_for(TicketEvent, "before_delete")
def _refuse_event_delete(mapper: Any, connection: Any, target: TicketEvent) -> None:
    raise AppendOnlyViolation("ticket events are append-only")
