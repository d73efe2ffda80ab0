"""Catalogue tables: brands, product models, parts and their compatibility."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Integer, Numeric, String, Table, UniqueConstraint
from sqlalchemy.orm import relationship

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

    id = Column(Integer, primary_key=True)
    code = Column(String(40), nullable=False, unique=True)
    name_zh = Column(String(80), nullable=False)
    name_en = Column(String(80), nullable=False)
    home_country = Column(String(2), nullable=False)
    aliases = Column(JSON, nullable=False, default=list)


class ProductModel(Base):
    """A product model with its manufacturer's warranty terms."""

    __tablename__ = "product_models"
    __table_args__ = (UniqueConstraint("brand_id", "code"),)

    id = Column(Integer, primary_key=True)
    brand_id = Column(ForeignKey("brands.id"), nullable=False, index=True)
    category = Column(String(32), nullable=False)
    code = Column(String(80), nullable=False)
    name_zh = Column(String(120), nullable=False)
    name_en = Column(String(120), nullable=False)
    warranty_months = Column(Integer, nullable=False, default=12)
    main_parts_warranty_months = Column(Integer, nullable=False, default=12)

    brand = relationship(Brand, lazy="joined")


class Part(Base):
    """A spare part, accessory or consumable."""

    __tablename__ = "parts"

    id = Column(Integer, primary_key=True)
    part_number = Column(String(40), nullable=False, unique=True)
    brand_id = Column(ForeignKey("brands.id"), nullable=False, index=True)
    category = Column(String(32), nullable=False)
    kind = Column(String(40), nullable=False)
    name_zh = Column(String(120), nullable=False)
    name_en = Column(String(120), nullable=False)
    price = Column(Numeric(10, 2), nullable=False)
    currency = Column(String(3), nullable=False, default="CNY")

    models = relationship(ProductModel, secondary=part_compatibility, lazy="selectin")
