"""Customer engagement outside the ticket flow: human handoffs and satisfaction (CSAT) ratings."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped

from bot.db.models.base import Base, utcnow

# Literal SQL, repeated verbatim in migration 0002: a partial index's predicate must match it exactly.
_OPEN_HANDOFF = "status <> 'closed'"


class Handoff(Base):
    """A conversation handed to a human agent: queued → taken → closed."""

    __tablename__ = "handoffs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'taken', 'closed')", name="status_known"),
        CheckConstraint(
            "reason IN ('requested', 'fallback', 'safety', 'complaint', 'unserved_brand', 'unrouted')",
            name="reason_known",
        ),
        # At most one open handoff per conversation, enforced by the database on both backends (partial index).
        Index(
            "uq_handoffs_open_conversation",
            "conversation_id",
            unique=True,
            postgresql_where=text(_OPEN_HANDOFF),
            sqlite_where=text(_OPEN_HANDOFF),
        ),
        Index("ix_handoffs_status_created", "status", "created_at"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_id: Mapped[str] = Column(String(128), nullable=False, index=True)
    channel: Mapped[str] = Column(String(24), nullable=False)
    language: Mapped[str] = Column(String(8), nullable=False)
    reason: Mapped[str] = Column(String(32), nullable=False)
    summary: Mapped[str] = Column(Text, nullable=False, default="")  # at most 500 characters, phones masked
    ticket_number: Mapped[Optional[str]] = Column(String(18), nullable=True)
    status: Mapped[str] = Column(String(16), nullable=False, default="queued")
    agent: Mapped[Optional[str]] = Column(String(64), nullable=True)
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    taken_at: Mapped[Optional[datetime]] = Column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[Optional[datetime]] = Column(DateTime(timezone=True), nullable=True)


class CsatRating(Base):
    """A customer's 1–5 satisfaction rating of a ticket; one per ticket."""

    __tablename__ = "csat_ratings"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    ticket_id: Mapped[int] = Column(ForeignKey("tickets.id"), nullable=False, unique=True)
    outlet_id: Mapped[Optional[int]] = Column(ForeignKey("outlets.id"), nullable=True, index=True)
    rating: Mapped[int] = Column(Integer, nullable=False)
    channel: Mapped[str] = Column(String(24), nullable=False)
    conversation_id: Mapped[Optional[str]] = Column(String(128), nullable=True)
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class CsatRequest(Base):
    """That the customer was asked to rate a ticket, so that the dispatcher asks once."""

    __tablename__ = "csat_requests"

    id: Mapped[int] = Column(Integer, primary_key=True)
    ticket_id: Mapped[int] = Column(ForeignKey("tickets.id"), nullable=False, unique=True)
    requested_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
