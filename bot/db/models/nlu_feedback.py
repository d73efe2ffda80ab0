"""Learning from corrections: customer messages whose category a person confirmed, and the labels they gave.

An example is one customer message, stored masked (`bot.nlu.text.masking`), never with the raw conversation id (only
its SHA-256). It comes from the bot's "did you mean" buttons, an agent's correction in the console, or a message
the bot was unsure of; a supervisor then accepts or rejects it (pending → accepted | rejected). Labels are one per
example × source × actor: a repeated click or a retry updates the label instead of adding one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped

from bot.db.models.base import Base, utcnow
from bot.domain.taxonomy import Category

_CATEGORIES = ", ".join(f"'{c.value}'" for c in Category)


class NluExample(Base):
    """One customer message (masked) offered as a training example."""

    __tablename__ = "nlu_examples"
    __table_args__ = (
        UniqueConstraint("conversation_hash", "message_key", name="uq_nlu_examples_conversation_message"),
        CheckConstraint("origin IN ('did_you_mean', 'agent', 'low_confidence')", name="origin_known"),
        CheckConstraint("review_status IN ('pending', 'accepted', 'rejected')", name="review_status_known"),
        CheckConstraint("language IN ('zh', 'en', 'mixed')", name="language_known"),
        Index("ix_nlu_examples_review", "review_status", "id"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
    conversation_hash: Mapped[str] = Column(String(64), nullable=False)  # sha256 hex of the conversation id
    # The Rasa event timestamp of the user message ("1733312345.678901"), or a hash of the masked text.
    message_key: Mapped[str] = Column(String(64), nullable=False)
    channel: Mapped[str] = Column(String(24), nullable=False)
    language: Mapped[str] = Column(String(8), nullable=False)
    text: Mapped[str] = Column(Text, nullable=False)  # masked, at most 1,000 characters
    text_hash: Mapped[str] = Column(String(64), nullable=False, index=True)  # sha256 of the normalised masked text
    predicted_intent: Mapped[Optional[str]] = Column(String(64), nullable=True)
    predicted_confidence: Mapped[Optional[float]] = Column(Float, nullable=True)
    candidates: Mapped[str] = Column(Text, nullable=False, default="[]")  # JSON list of intent names
    origin: Mapped[str] = Column(String(16), nullable=False)
    review_status: Mapped[str] = Column(String(12), nullable=False, default="pending")
    reviewed_by: Mapped[Optional[str]] = Column(String(64), nullable=True)
    reviewed_at: Mapped[Optional[datetime]] = Column(DateTime(timezone=True), nullable=True)
    final_label: Mapped[Optional[str]] = Column(String(32), nullable=True)  # the winning label when accepted

    def __repr__(self) -> str:
        return f"NluExample(id={self.id!r}, origin={self.origin!r}, status={self.review_status!r})"  # never the text


class NluLabel(Base):
    """A category a person gave an example: the customer (button), an agent (console) or a supervisor (review)."""

    __tablename__ = "nlu_labels"
    __table_args__ = (
        UniqueConstraint("example_id", "source", "actor", name="uq_nlu_labels_example_source_actor"),
        CheckConstraint("source IN ('customer', 'agent', 'supervisor')", name="source_known"),
        CheckConstraint(f"label IN ({_CATEGORIES})", name="label_known"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    example_id: Mapped[int] = Column(ForeignKey("nlu_examples.id", ondelete="CASCADE"), nullable=False, index=True)
    label: Mapped[str] = Column(String(32), nullable=False)
    source: Mapped[str] = Column(String(16), nullable=False)
    actor: Mapped[str] = Column(String(64), nullable=False)  # the agent's username; "customer" for customers
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # When the label last changed (a repeated click with another choice): "most recent" in the winner rule.
    updated_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
