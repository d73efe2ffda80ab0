"""The customer outbox: ticket updates and agents' messages on their way to the customer's own channel."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped

from bot.db.models.base import Base, utcnow


class CustomerMessage(Base):
    """One message for a customer: pending → sent | failed (pushed through Rasa), or pollable (the web chat polls).

    A ticket update exists at most once per ticket event (`kind`, `event_id`); an agent's message at most once per
    client-supplied id in a conversation (`conversation_id`, `client_id`). NULLs never collide, so messages without
    an event or a client id are not deduplicated.
    """

    __tablename__ = "customer_messages"
    __table_args__ = (
        UniqueConstraint("kind", "event_id", name="uq_customer_messages_kind_event"),
        UniqueConstraint("conversation_id", "client_id", name="uq_customer_messages_conversation_client"),
        CheckConstraint("kind IN ('ticket_update', 'agent', 'csat')", name="kind_known"),
        CheckConstraint("status IN ('pending', 'sent', 'failed', 'pollable')", name="status_known"),
        Index("ix_customer_messages_due", "status", "next_attempt_at"),
        Index("ix_customer_messages_conversation", "conversation_id", "id"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_id: Mapped[str] = Column(String(128), nullable=False)
    channel: Mapped[str] = Column(String(24), nullable=False)  # the Rasa input channel: telegram, wechat, rest…
    kind: Mapped[str] = Column(String(16), nullable=False)
    text: Mapped[str] = Column(Text, nullable=False)
    language: Mapped[str] = Column(String(8), nullable=False)
    ticket_id: Mapped[Optional[int]] = Column(ForeignKey("tickets.id"), nullable=True, index=True)
    event_id: Mapped[Optional[int]] = Column(ForeignKey("ticket_events.id"), nullable=True)
    client_id: Mapped[Optional[str]] = Column(String(64), nullable=True)  # the agent console's message id
    agent: Mapped[Optional[str]] = Column(String(64), nullable=True)
    status: Mapped[str] = Column(String(12), nullable=False, default="pending")
    attempts: Mapped[int] = Column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_error: Mapped[Optional[str]] = Column(String(200), nullable=True)  # short; never the text or a URL
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at: Mapped[Optional[datetime]] = Column(DateTime(timezone=True), nullable=True)

    def __repr__(self) -> str:
        return f"CustomerMessage(id={self.id!r}, kind={self.kind!r}, status={self.status!r})"  # never the text
