"""The service network: providers, outlets, authorisations and warehouses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, relationship

from bot.db.models.base import Base, utcnow


class Provider(Base):
    """A third-party service company that runs one or more outlets."""

    __tablename__ = "providers"

    id: Mapped[int] = Column(Integer, primary_key=True)
    code: Mapped[str] = Column(String(40), nullable=False, unique=True)
    name_zh: Mapped[str] = Column(String(120), nullable=False)
    name_en: Mapped[str] = Column(String(120), nullable=False)
    country: Mapped[str] = Column(String(2), nullable=False)


class Outlet(Base):
    """An authorised repair/installation outlet (网点) of a provider."""

    __tablename__ = "outlets"
    __table_args__ = (
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
        CheckConstraint("daily_capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    provider_id: Mapped[int] = Column(ForeignKey("providers.id"), nullable=False, index=True)
    code: Mapped[str] = Column(String(40), nullable=False, unique=True)
    name_zh: Mapped[str] = Column(String(160), nullable=False)
    name_en: Mapped[str] = Column(String(160), nullable=False)
    address: Mapped[str] = Column(String(300), nullable=False)
    country: Mapped[str] = Column(String(2), nullable=False, index=True)
    adcode: Mapped[Optional[str]] = Column(String(12), nullable=True)
    lat: Mapped[float] = Column(Float, nullable=False)
    lon: Mapped[float] = Column(Float, nullable=False)
    service_radius_km: Mapped[float] = Column(Float, nullable=False, default=30.0)
    opening_hours: Mapped[str] = Column(String(80), nullable=False, default="09:00-18:00")
    phone: Mapped[Optional[str]] = Column(String(20), nullable=True)
    daily_capacity: Mapped[int] = Column(Integer, nullable=False, default=20)
    acceptance_sla_minutes: Mapped[int] = Column(Integer, nullable=False, default=120)
    is_mail_in_hub: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    active: Mapped[bool] = Column(Boolean, nullable=False, default=True)
    updated_at: Mapped[datetime] = Column(
        DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow, index=True
    )

    provider: Mapped[Provider] = relationship(Provider, lazy="joined")


class Authorisation(Base):
    """An outlet's authorisation to repair or install a brand's products of one category."""

    __tablename__ = "authorisations"
    __table_args__ = (
        UniqueConstraint("outlet_id", "brand_id", "category", "service_type"),
        Index("ix_authorisations_key", "brand_id", "category", "service_type"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    outlet_id: Mapped[int] = Column(ForeignKey("outlets.id", ondelete="CASCADE"), nullable=False, index=True)
    brand_id: Mapped[int] = Column(ForeignKey("brands.id"), nullable=False)
    category: Mapped[str] = Column(String(32), nullable=False)
    service_type: Mapped[str] = Column(String(16), nullable=False)
    valid_from: Mapped[date] = Column(Date, nullable=False)
    valid_to: Mapped[Optional[date]] = Column(Date, nullable=True)


class Warehouse(Base):
    """A place that holds parts: a regional warehouse or an outlet's own shelf."""

    __tablename__ = "warehouses"

    id: Mapped[int] = Column(Integer, primary_key=True)
    code: Mapped[str] = Column(String(40), nullable=False, unique=True)
    name: Mapped[str] = Column(String(160), nullable=False)
    kind = Column(String(16), nullable=False)  # "regional" | "outlet"
    outlet_id: Mapped[Optional[int]] = Column(ForeignKey("outlets.id", ondelete="CASCADE"), nullable=True, unique=True)
    country: Mapped[str] = Column(String(2), nullable=False)
    lat: Mapped[float] = Column(Float, nullable=False)
    lon: Mapped[float] = Column(Float, nullable=False)
