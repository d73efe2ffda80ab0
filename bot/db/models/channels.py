"""What arrives on messaging channels beside text: the record of processed updates, and customers' photos."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped

from bot.db.models.base import Base, utcnow


class ChannelUpdate(Base):
    """An inbound update (Telegram update_id, WeChat MsgId…) already processed: a replay is recognised."""

    __tablename__ = "channel_updates"
    __table_args__ = (UniqueConstraint("channel", "update_key", name="uq_channel_updates_key"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    channel: Mapped[str] = Column(String(24), nullable=False)
    update_key: Mapped[str] = Column(String(128), nullable=False)
    received_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)


class Attachment(Base):
    """A file a customer sent (a photo of the fault): stored on disk, attached to their ticket."""

    __tablename__ = "attachments"

    id: Mapped[int] = Column(Integer, primary_key=True)
    channel: Mapped[str] = Column(String(24), nullable=False)
    conversation_id: Mapped[str] = Column(String(128), nullable=False, index=True)
    ticket_id: Mapped[Optional[int]] = Column(ForeignKey("tickets.id"), nullable=True, index=True)
    kind: Mapped[str] = Column(String(16), nullable=False)  # photo
    mime: Mapped[str] = Column(String(64), nullable=False)
    size_bytes: Mapped[int] = Column(Integer, nullable=False)
    sha256: Mapped[str] = Column(String(64), nullable=False)
    path: Mapped[str] = Column(String(300), nullable=False)  # relative to the media directory
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
