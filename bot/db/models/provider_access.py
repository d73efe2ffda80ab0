"""Provider API access: per-outlet API keys, stored only as a hash beside a short non-secret prefix."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped

from bot.db.models.base import Base, utcnow


class ProviderApiKey(Base):
    """One API key of one outlet. The key itself is shown once at issue and never stored."""

    __tablename__ = "provider_api_keys"

    id: Mapped[int] = Column(Integer, primary_key=True)
    outlet_id: Mapped[int] = Column(ForeignKey("outlets.id", ondelete="CASCADE"), nullable=False, index=True)
    # The key's first characters (e.g. "psk_Ab3dE9xQ"): names the key in logs and for revocation, grants nothing.
    prefix: Mapped[str] = Column(String(16), nullable=False, unique=True)
    key_sha256: Mapped[str] = Column(String(64), nullable=False, unique=True)  # hex SHA-256 of the whole key
    label: Mapped[Optional[str]] = Column(String(80), nullable=True)
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_used_at: Mapped[Optional[datetime]] = Column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[Optional[datetime]] = Column(DateTime(timezone=True), nullable=True)
