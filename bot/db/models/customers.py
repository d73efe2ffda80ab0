"""Customers and their devices."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint

from bot.db.models.base import Base, utcnow


class Customer(Base):
    """A consumer, known by phone (E.164) and/or by a channel identity."""

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id"),)

    id = Column(Integer, primary_key=True)
    phone_e164 = Column(String(20), nullable=True, index=True)
    name = Column(String(80), nullable=True)
    language = Column(String(8), nullable=False, default="zh")
    channel = Column(String(24), nullable=False)
    channel_user_id = Column(String(128), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Device(Base):
    """A customer's product, identified by serial number and/or IMEI."""

    __tablename__ = "devices"

    id = Column(Integer, primary_key=True)
    customer_id = Column(ForeignKey("customers.id"), nullable=False, index=True)
    model_id = Column(ForeignKey("product_models.id"), nullable=True)
    serial = Column(String(64), nullable=True, index=True)
    imei = Column(String(15), nullable=True, index=True)
    purchase_date = Column(Date, nullable=True)
    purchase_country = Column(String(2), nullable=True)
