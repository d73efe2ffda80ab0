"""Catalogue tables: brands (served and not), product models, parts and their compatibility."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, Numeric, String, Table, UniqueConstraint, text
from sqlalchemy.orm import Mapped, relationship

from bot.db.models.base import Base

part_compatibility = Table(
    "part_compatibility",
    Base.metadata,
    Column("part_id", ForeignKey("parts.id", ondelete="CASCADE"), primary_key=True),
    Column("model_id", ForeignKey("product_models.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Brand(Base):
    """A brand whose products we service."""

    __tablename__ = "brands"

    id: Mapped[int] = Column(Integer, primary_key=True)
    code: Mapped[str] = Column(String(40), nullable=False, unique=True)
    name_zh: Mapped[str] = Column(String(80), nullable=False)
    name_en: Mapped[str] = Column(String(80), nullable=False)
    home_country: Mapped[str] = Column(String(2), nullable=False)
    aliases: Mapped[Any] = Column(JSON, nullable=False, default=list)
    # Social-media support accounts without "@" ("AppleSupport"): a tweet to one names the brand.
    support_handles: Mapped[Any] = Column(JSON, nullable=False, default=list, server_default=text("'[]'"))


class OtherBrand(Base):
    """A brand customers name that we do not service: recognised so that a person can take over."""

    __tablename__ = "other_brands"

    id: Mapped[int] = Column(Integer, primary_key=True)
    code: Mapped[str] = Column(String(40), nullable=False, unique=True)
    name_zh: Mapped[str] = Column(String(80), nullable=False)
    name_en: Mapped[str] = Column(String(80), nullable=False)
    aliases: Mapped[Any] = Column(JSON, nullable=False, default=list)
    support_handles: Mapped[Any] = Column(JSON, nullable=False, default=list)


class ProductModel(Base):
    """A product model with its manufacturer's warranty terms."""

    __tablename__ = "product_models"
    __table_args__ = (UniqueConstraint("brand_id", "code"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    brand_id: Mapped[int] = Column(ForeignKey("brands.id"), nullable=False, index=True)
    category: Mapped[str] = Column(String(32), nullable=False)
    code: Mapped[str] = Column(String(80), nullable=False)
    name_zh: Mapped[str] = Column(String(120), nullable=False)
    name_en: Mapped[str] = Column(String(120), nullable=False)
    warranty_months: Mapped[int] = Column(Integer, nullable=False, default=12)
    main_parts_warranty_months: Mapped[int] = Column(Integer, nullable=False, default=12)

    brand: Mapped[Brand] = relationship(Brand, lazy="joined")


class Part(Base):
    """A spare part, accessory or consumable."""

    __tablename__ = "parts"

    id: Mapped[int] = Column(Integer, primary_key=True)
    part_number: Mapped[str] = Column(String(40), nullable=False, unique=True)
    brand_id: Mapped[int] = Column(ForeignKey("brands.id"), nullable=False, index=True)
    category: Mapped[str] = Column(String(32), nullable=False)
    kind: Mapped[str] = Column(String(40), nullable=False)
    name_zh: Mapped[str] = Column(String(120), nullable=False)
    name_en: Mapped[str] = Column(String(120), nullable=False)
    price: Mapped[Decimal] = Column(Numeric(10, 2), nullable=False)
    currency: Mapped[str] = Column(String(3), nullable=False, default="CNY")

    models: Mapped[list[ProductModel]] = relationship(
        ProductModel, secondary=part_compatibility, lazy="selectin"
    )
