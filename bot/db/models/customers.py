"""Customers and their devices."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped

from bot.db.models.base import Base, utcnow


class Customer(Base):
    """A consumer, known by phone (E.164) and/or by a channel identity."""

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    phone_e164: Mapped[Optional[str]] = Column(String(20), nullable=True, index=True)
    name: Mapped[Optional[str]] = Column(String(80), nullable=True)
    language: Mapped[str] = Column(String(8), nullable=False, default="zh")
    channel: Mapped[str] = Column(String(24), nullable=False)
    channel_user_id: Mapped[str] = Column(String(128), nullable=False)
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Device(Base):
    """A customer's product, identified by serial number and/or IMEI."""

    __tablename__ = "devices"

    id: Mapped[int] = Column(Integer, primary_key=True)
    customer_id: Mapped[int] = Column(ForeignKey("customers.id"), nullable=False, index=True)
    model_id: Mapped[Optional[int]] = Column(ForeignKey("product_models.id"), nullable=True)
    serial: Mapped[Optional[str]] = Column(String(64), nullable=True, index=True)
    imei: Mapped[Optional[str]] = Column(String(15), nullable=True, index=True)
    purchase_date: Mapped[Optional[date]] = Column(Date, nullable=True)
    purchase_country: Mapped[Optional[str]] = Column(String(2), nullable=True)
