"""Customer-satisfaction use cases: record a rating once per ticket, score outlets, find whom to ask."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CsatRating, CsatRequest, CustomerMessage, Ticket, utcnow
from bot.db.session import SessionFactory
from bot.domain.errors import ConflictError, TicketNotFoundError, ValidationError
from bot.domain.lifecycle import TicketStatus
from bot.domain.ticket_number import normalise_ticket_number
from bot.services.customers.message_types import CSAT, POLLABLE, is_push_channel
from bot.services.handoff.csat_types import CsatDue, CsatView, OutletScore

logger = logging.getLogger(__name__)

MIN_RATING, MAX_RATING = 1, 5
MAX_DUE_LIMIT = 1000


class CsatService:
    """Owns the CSAT transactions; the rating action and the dispatcher call it."""

    def __init__(self, session_factory: SessionFactory, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = session_factory
        self._clock = clock

    async def record(
        self, ticket_number: str, rating: int, channel: str, conversation_id: str | None
    ) -> CsatView:
        """Store the customer's 1–5 rating of a ticket; a ticket already rated keeps its first rating."""
        if isinstance(rating, bool) or not isinstance(rating, int) or not MIN_RATING <= rating <= MAX_RATING:
            raise ValidationError(f"rating must be an integer {MIN_RATING}..{MAX_RATING}")
        if not isinstance(channel, str) or not 1 <= len(channel) <= 24:
            raise ValidationError("channel must be 1..24 characters")
        if conversation_id is not None and len(conversation_id) > 128:
            raise ValidationError("conversation id is longer than 128 characters")
        try:
            async with self._sessions() as session, session.begin():
                ticket = await _ticket(session, ticket_number)
                existing = await _rating_of(session, ticket.id)
                if existing is not None:
                    return CsatView.of(existing, ticket.number, created=False)
                row = CsatRating(
                    ticket_id=ticket.id,
                    outlet_id=ticket.assigned_outlet_id,
                    rating=rating,
                    channel=channel,
                    conversation_id=conversation_id or None,
                    created_at=self._clock(),
                )
                session.add(row)
                await session.flush()
                view = CsatView.of(row, ticket.number, created=True)
        except IntegrityError:
            # The customer's double tap (or a retried action) committed first: theirs is the rating.
            async with self._sessions() as session:
                ticket = await _ticket(session, ticket_number)
                existing = await _rating_of(session, ticket.id)
                if existing is None:
                    raise ConflictError("rating changed concurrently; retry") from None
                return CsatView.of(existing, ticket.number, created=False)
        logger.info("csat.recorded ticket=%s rating=%s outlet=%s", view.ticket_number, view.rating, view.outlet_id)
        return view

    async def outlet_score(self, outlet_id: int) -> OutletScore:
        """How many ratings an outlet has and their mean, rounded to 2 decimals (None without ratings)."""
        async with self._sessions() as session:
            count, mean = (
                await session.execute(
                    select(func.count(CsatRating.id), func.avg(CsatRating.rating)).where(
                        CsatRating.outlet_id == outlet_id
                    )
                )
            ).one()
        return OutletScore(outlet_id, int(count), round(float(mean), 2) if count else None)

    async def due_requests(self, limit: int = 50) -> list[CsatDue]:
        """Resolved tickets with a conversation to write to, never asked and not rated yet; oldest first."""
        if not 1 <= limit <= MAX_DUE_LIMIT:
            raise ValidationError(f"limit must be 1..{MAX_DUE_LIMIT}")
        asked = select(CsatRequest.id).where(CsatRequest.ticket_id == Ticket.id).exists()
        rated = select(CsatRating.id).where(CsatRating.ticket_id == Ticket.id).exists()
        query = (
            select(Ticket.number, Ticket.conversation_id, Ticket.channel, Ticket.language)
            .where(
                Ticket.status == TicketStatus.RESOLVED.value,
                Ticket.conversation_id.is_not(None),
                Ticket.conversation_id != "",
                Ticket.channel != "",
                ~asked,
                ~rated,
            )
            .order_by(Ticket.updated_at, Ticket.id)
            .limit(limit)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        return [CsatDue(number, conversation, channel, language) for number, conversation, channel, language in rows]

    async def mark_requested(self, ticket_number: str) -> bool:
        """Record that the customer is being asked; False if someone already did (so only one dispatcher asks)."""
        try:
            async with self._sessions() as session, session.begin():
                ticket = await _ticket(session, ticket_number)
                if await session.scalar(select(CsatRequest.id).where(CsatRequest.ticket_id == ticket.id)):
                    return False
                session.add(CsatRequest(ticket_id=ticket.id, requested_at=self._clock()))
        except IntegrityError:
            return False  # a concurrent dispatcher inserted the row between our check and our insert
        return True

    async def record_question(self, ticket_number: str, text: str) -> int | None:
        """Keep the rating question for a channel that cannot be pushed to; returns the message id.

        The web chat polls it with its 1–5 buttons (see `GET /chat/updates`). Returns None for a push channel or an
        empty text.
        """
        if not text:
            return None
        now = self._clock()
        async with self._sessions() as session, session.begin():
            ticket = await _ticket(session, ticket_number)
            if is_push_channel(ticket.channel) or not ticket.conversation_id:
                return None
            row = CustomerMessage(
                conversation_id=ticket.conversation_id, channel=ticket.channel, kind=CSAT, text=text[:2000],
                language=ticket.language, ticket_id=ticket.id, status=POLLABLE, attempts=0, next_attempt_at=now,
                created_at=now,
            )
            session.add(row)
            await session.flush()
            return int(row.id)


async def _ticket(session: AsyncSession, ticket_number: str) -> Ticket:
    number = normalise_ticket_number(ticket_number or "") or ticket_number
    ticket = (await session.execute(select(Ticket).where(Ticket.number == number))).scalar_one_or_none()
    if ticket is None:
        raise TicketNotFoundError(f"no ticket {str(ticket_number)[:24]}")
    return ticket


async def _rating_of(session: AsyncSession, ticket_id: int) -> CsatRating | None:
    return (await session.execute(select(CsatRating).where(CsatRating.ticket_id == ticket_id))).scalar_one_or_none()
