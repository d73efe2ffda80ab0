"""Outbound webhooks to provider systems: per-outlet configuration, the delivery log, and the event-scan cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped

from bot.db.models.base import Base, utcnow


class OutletWebhook(Base):
    """Where an outlet's system receives signed ticket events, and the secret they are signed with."""

    __tablename__ = "outlet_webhooks"

    id: Mapped[int] = Column(Integer, primary_key=True)
    outlet_id: Mapped[int] = Column(ForeignKey("outlets.id", ondelete="CASCADE"), nullable=False, unique=True)
    url: Mapped[str] = Column(String(500), nullable=False)
    # Stored as is (an HMAC key must be usable); shown once by the CLI, never logged, never in a repr.
    secret: Mapped[str] = Column(String(128), nullable=False)
    enabled: Mapped[bool] = Column(Boolean, nullable=False, default=True)
    # Only ticket events with a larger id are delivered: configuring a webhook does not replay the past.
    since_event_id: Mapped[int] = Column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"OutletWebhook(outlet_id={self.outlet_id!r}, enabled={self.enabled!r})"  # never the secret


class WebhookDelivery(Base):
    """One ticket event to be delivered to one outlet: pending → delivered | failed. At most one per event × outlet."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "outlet_id", name="uq_webhook_deliveries_event_outlet"),
        CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status_known"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    delivery_id: Mapped[str] = Column(String(36), nullable=False, unique=True)  # a UUID, the same on every retry
    outlet_id: Mapped[int] = Column(ForeignKey("outlets.id", ondelete="CASCADE"), nullable=False, index=True)
    ticket_id: Mapped[int] = Column(ForeignKey("tickets.id"), nullable=False, index=True)
    event_id: Mapped[int] = Column(ForeignKey("ticket_events.id"), nullable=False)
    event: Mapped[str] = Column(String(32), nullable=False)  # ticket.routed | ticket.rerouted | ticket.cancelled
    status: Mapped[str] = Column(String(12), nullable=False, default="pending")
    attempts: Mapped[int] = Column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_status_code: Mapped[Optional[int]] = Column(Integer, nullable=True)
    last_error: Mapped[Optional[str]] = Column(String(200), nullable=True)  # short; never a body, URL or secret
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    delivered_at: Mapped[Optional[datetime]] = Column(DateTime(timezone=True), nullable=True)


class WebhookCursor(Base):
    """How far the outbox has scanned the ticket-event log (one row per named scanner)."""

    __tablename__ = "webhook_cursors"

    name: Mapped[str] = Column(String(32), primary_key=True)
    event_id: Mapped[int] = Column(Integer, nullable=False, default=0)
    updated_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
