"""Provider Telegram groups: which group chat an outlet's staff work in, and the notices posted there.

A notice is one routing event (routed or re-routed to the outlet) to be posted in the outlet's group by the provider
bot, with Accept / Reject buttons: pending → sent | failed | skipped (the ticket moved on before it could be posted).
At most one per event × outlet, whichever replica sees the event first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import (
    BigInteger,
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


class OutletTelegramGroup(Base):
    """The Telegram group chat where an outlet is notified of new tickets (one group may serve several outlets)."""

    __tablename__ = "outlet_telegram_groups"

    id: Mapped[int] = Column(Integer, primary_key=True)
    outlet_id: Mapped[int] = Column(ForeignKey("outlets.id", ondelete="CASCADE"), nullable=False, unique=True)
    chat_id: Mapped[int] = Column(BigInteger, nullable=False, index=True)  # negative: a group or supergroup
    enabled: Mapped[bool] = Column(Boolean, nullable=False, default=True)
    # Only routing events with a larger id are posted: configuring a group does not replay the past.
    since_event_id: Mapped[int] = Column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class ProviderTelegramNotice(Base):
    """One routing event to be posted in one outlet's group."""

    __tablename__ = "provider_telegram_notices"
    __table_args__ = (
        UniqueConstraint("event_id", "outlet_id", name="uq_provider_telegram_notices_event_outlet"),
        CheckConstraint("status IN ('pending', 'sent', 'failed', 'skipped')", name="status_known"),
        Index("ix_provider_telegram_notices_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    outlet_id: Mapped[int] = Column(ForeignKey("outlets.id", ondelete="CASCADE"), nullable=False, index=True)
    ticket_id: Mapped[int] = Column(ForeignKey("tickets.id"), nullable=False, index=True)
    event_id: Mapped[int] = Column(ForeignKey("ticket_events.id"), nullable=False)
    status: Mapped[str] = Column(String(12), nullable=False, default="pending")
    attempts: Mapped[int] = Column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    chat_id: Mapped[Optional[int]] = Column(BigInteger, nullable=True)  # where it was posted
    message_id: Mapped[Optional[int]] = Column(BigInteger, nullable=True)
    last_error: Mapped[Optional[str]] = Column(String(200), nullable=True)  # short; never a token or a text
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at: Mapped[Optional[datetime]] = Column(DateTime(timezone=True), nullable=True)
