"""The service network: providers, outlets, authorisations and warehouses."""

from __future__ import annotations

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
from sqlalchemy.orm import relationship

from bot.db.models.base import Base, utcnow


class Provider(Base):
    """A third-party service company that runs one or more outlets."""

    __tablename__ = "providers"

    id = Column(Integer, primary_key=True)
    code = Column(String(40), nullable=False, unique=True)
    name_zh = Column(String(120), nullable=False)
    name_en = Column(String(120), nullable=False)
    country = Column(String(2), nullable=False)


class Outlet(Base):
    """An authorised repair/installation outlet (网点) of a provider."""

    __tablename__ = "outlets"
    __table_args__ = (
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
        CheckConstraint("daily_capacity > 0", name="capacity_positive"),
    )

    id = Column(Integer, primary_key=True)
    provider_id = Column(ForeignKey("providers.id"), nullable=False, index=True)
    code = Column(String(40), nullable=False, unique=True)
    name_zh = Column(String(160), nullable=False)
    name_en = Column(String(160), nullable=False)
    address = Column(String(300), nullable=False)
    country = Column(String(2), nullable=False, index=True)
    adcode = Column(String(12), nullable=True)
    lat = Column(Float, nullable=False)
    lon = Column(Float, nullable=False)
    service_radius_km = Column(Float, nullable=False, default=30.0)
    opening_hours = Column(String(80), nullable=False, default="09:00-18:00")
    phone = Column(String(20), nullable=True)
    daily_capacity = Column(Integer, nullable=False, default=20)
    acceptance_sla_minutes = Column(Integer, nullable=False, default=120)
    is_mail_in_hub = Column(Boolean, nullable=False, default=False)
    active = Column(Boolean, nullable=False, default=True)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow, index=True)

    provider = relationship(Provider, lazy="joined")


class Authorisation(Base):
    """An outlet's authorisation to repair or install a brand's products of one category."""

    __tablename__ = "authorisations"
    __table_args__ = (
        UniqueConstraint("outlet_id", "brand_id", "category", "service_type"),
        Index("ix_authorisations_key", "brand_id", "category", "service_type"),
    )

    id = Column(Integer, primary_key=True)
    outlet_id = Column(ForeignKey("outlets.id", ondelete="CASCADE"), nullable=False, index=True)
    brand_id = Column(ForeignKey("brands.id"), nullable=False)
    category = Column(String(32), nullable=False)
    service_type = Column(String(16), nullable=False)
    valid_from = Column(Date, nullable=False)
    valid_to = Column(Date, nullable=True)


class Warehouse(Base):
    """A place that holds parts: a regional warehouse or an outlet's own shelf."""

    __tablename__ = "warehouses"

    id = Column(Integer, primary_key=True)
    code = Column(String(40), nullable=False, unique=True)
    name = Column(String(160), nullable=False)
    kind = Column(String(16), nullable=False)  # "regional" | "outlet"
    outlet_id = Column(ForeignKey("outlets.id", ondelete="CASCADE"), nullable=True, unique=True)
    country = Column(String(2), nullable=False)
    lat = Column(Float, nullable=False)
    lon = Column(Float, nullable=False)
