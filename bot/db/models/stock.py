"""Stock levels: warehouse × part, on hand and reserved."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, UniqueConstraint

from bot.db.models.base import Base


class Stock(Base):
    """How many units of a part a warehouse holds, and how many of them are reserved."""

    __tablename__ = "stock"
    __table_args__ = (
        UniqueConstraint("part_id", "warehouse_id"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"),
    )

    id = Column(Integer, primary_key=True)
    warehouse_id = Column(ForeignKey("warehouses.id", ondelete="CASCADE"), nullable=False, index=True)
    part_id = Column(ForeignKey("parts.id"), nullable=False)
    on_hand = Column(Integer, nullable=False, default=0)
    reserved = Column(Integer, nullable=False, default=0)
