"""Agent console accounts: who may sign in at `/agent`, with which role. Passwords are stored only as scrypt hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, Integer, String
from sqlalchemy.orm import Mapped

from bot.db.models.base import Base, utcnow


class Agent(Base):
    """A human agent (or supervisor) of the agent console."""

    __tablename__ = "agents"
    __table_args__ = (CheckConstraint("role IN ('agent', 'supervisor')", name="role_known"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    username: Mapped[str] = Column(String(64), nullable=False, unique=True)
    # "scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>" (bot/services/agents/accounts.py); never the password itself.
    password_hash: Mapped[str] = Column(String(200), nullable=False)
    role: Mapped[str] = Column(String(16), nullable=False, default="agent")
    active: Mapped[bool] = Column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
