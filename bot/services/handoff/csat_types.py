"""Results of the CSAT service: plain frozen dataclasses, detached from the ORM."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.models import CsatRating, as_utc


@dataclass(frozen=True)
class CsatView:
    """A stored satisfaction rating."""

    id: int
    ticket_number: str
    outlet_id: int | None
    rating: int
    channel: str
    conversation_id: str | None
    created_at: datetime
    created: bool = False  # False when the ticket had been rated already and that rating was returned unchanged

    @classmethod
    def of(cls, rating: CsatRating, ticket_number: str, created: bool = False) -> CsatView:
        """Detach an ORM rating."""
        created_at = as_utc(rating.created_at)
        assert created_at is not None  # NOT NULL column
        return cls(
            id=rating.id,
            ticket_number=ticket_number,
            outlet_id=rating.outlet_id,
            rating=rating.rating,
            channel=rating.channel,
            conversation_id=rating.conversation_id,
            created_at=created_at,
            created=created,
        )


@dataclass(frozen=True)
class OutletScore:
    """An outlet's CSAT: how many ratings and their mean (None without ratings)."""

    outlet_id: int
    count: int
    average: float | None


@dataclass(frozen=True)
class CsatDue:
    """A resolved ticket whose customer has not yet been asked for a rating."""

    ticket_number: str
    conversation_id: str
    channel: str
    language: str
