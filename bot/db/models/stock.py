"""Stock levels: warehouse × part, on hand and reserved."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped

from bot.db.models.base import Base


class Stock(Base):
    """How many units of a part a warehouse holds, and how many of them are reserved."""

    __tablename__ = "stock"
    __table_args__ = (
        UniqueConstraint("part_id", "warehouse_id"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    warehouse_id: Mapped[int] = Column(ForeignKey("warehouses.id", ondelete="CASCADE"), nullable=False, index=True)
    part_id: Mapped[int] = Column(ForeignKey("parts.id"), nullable=False)
    on_hand: Mapped[int] = Column(Integer, nullable=False, default=0)
    reserved: Mapped[int] = Column(Integer, nullable=False, default=0)
