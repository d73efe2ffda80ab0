"""Human handoff use cases: open a handoff idempotently, list the agents' queue, take it, close it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Handoff, utcnow
from bot.db.session import SessionFactory
from bot.domain.errors import ConflictError, HandoffNotFoundError, IllegalTransitionError, ValidationError
from bot.domain.handoff import (
    OPEN_HANDOFF_STATUSES,
    HandoffReason,
    HandoffStatus,
    check_handoff_transition,
    clean_summary,
)
from bot.domain.ticket_number import normalise_ticket_number
from bot.services.handoff.types import HandoffView

logger = logging.getLogger(__name__)

MAX_QUEUE_LIMIT = 500
_OPEN_VALUES = tuple(sorted(s.value for s in OPEN_HANDOFF_STATUSES))


class HandoffService:
    """Owns the handoff transactions; actions and the agent API call it and translate its errors."""

    def __init__(self, session_factory: SessionFactory, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = session_factory
        self._clock = clock

    async def open(
        self,
        conversation_id: str,
        channel: str,
        language: str,
        reason: str,
        summary: str,
        ticket_number: str | None = None,
    ) -> HandoffView:
        """Queue the conversation for an agent; if it already has an open handoff, return that (`created=False`)."""
        _require_text("conversation id", conversation_id, 128)
        _require_text("channel", channel, 24)
        _require_text("language", language, 8)
        try:
            reason_value = HandoffReason(reason).value
        except ValueError:
            raise ValidationError(f"unknown handoff reason {str(reason)[:32]!r}") from None
        number = None
        if ticket_number:
            number = normalise_ticket_number(ticket_number)
            if number is None:
                raise ValidationError("ticket number is not of the form AS-YYYYMMDD-XXXXXX")
        handoff = Handoff(
            conversation_id=conversation_id,
            channel=channel,
            language=language,
            reason=reason_value,
            summary=clean_summary(summary or ""),
            ticket_number=number,
            status=HandoffStatus.QUEUED.value,
            created_at=self._clock(),
        )
        try:
            async with self._sessions() as session, session.begin():
                existing = await _open_of(session, conversation_id)
                if existing is not None:
                    return HandoffView.of(existing, created=False)
                session.add(handoff)
                await session.flush()
                view = HandoffView.of(handoff, created=True)
        except IntegrityError:
            # A concurrent `open` for the same conversation committed first; the partial unique index refused ours.
            winner = await self.get_open(conversation_id)
            if winner is None:
                raise ConflictError("handoff changed concurrently; retry") from None
            return winner
        logger.info("handoff.opened id=%s reason=%s channel=%s", view.id, view.reason, view.channel)
        return view

    async def get(self, handoff_id: int) -> HandoffView:
        """A handoff by id, or `HandoffNotFoundError`."""
        async with self._sessions() as session:
            return HandoffView.of(await _by_id(session, handoff_id))

    async def get_open(self, conversation_id: str) -> HandoffView | None:
        """The conversation's queued or taken handoff, if any."""
        async with self._sessions() as session:
            handoff = await _open_of(session, conversation_id)
            return HandoffView.of(handoff) if handoff is not None else None

    async def list_queue(self, status: str | None = None, limit: int = 100) -> list[HandoffView]:
        """Handoffs in `status` (default: queued and taken), safety first, then complaints, then the rest.

        Oldest first within each; closed ones newest first.
        """
        if not 1 <= limit <= MAX_QUEUE_LIMIT:
            raise ValidationError(f"limit must be 1..{MAX_QUEUE_LIMIT}")
        query = select(Handoff)
        if status is None:
            query = query.where(Handoff.status.in_(_OPEN_VALUES))
        else:
            try:
                wanted = HandoffStatus(status)
            except ValueError:
                raise ValidationError(f"unknown handoff status {str(status)[:16]!r}") from None
            query = query.where(Handoff.status == wanted.value)
        if status == HandoffStatus.CLOSED.value:
            query = query.order_by(Handoff.closed_at.desc(), Handoff.id.desc())
        else:
            # Priority first (a hazard before a complaint before the rest), then age.
            priority: Any = case((Handoff.reason == HandoffReason.SAFETY.value, 0),
                            (Handoff.reason == HandoffReason.COMPLAINT.value, 1), else_=2)
            query = query.order_by(priority, Handoff.created_at, Handoff.id)
        async with self._sessions() as session:
            rows = (await session.execute(query.limit(limit))).scalars().all()
            return [HandoffView.of(h) for h in rows]

    async def take(self, handoff_id: int, agent: str) -> HandoffView:
        """An agent takes a queued handoff; anything but queued raises `IllegalTransitionError`."""
        agent = agent.strip() if isinstance(agent, str) else ""
        _require_text("agent", agent, 64)
        view = await self._move(handoff_id, HandoffStatus.TAKEN, agent=agent, taken_at=self._clock())
        logger.info("handoff.taken id=%s", view.id)
        return view

    async def close(self, handoff_id: int) -> HandoffView:
        """Give the conversation back to the bot (queued or taken → closed)."""
        view = await self._move(handoff_id, HandoffStatus.CLOSED, closed_at=self._clock())
        logger.info("handoff.closed id=%s", view.id)
        return view

    async def _move(self, handoff_id: int, target: HandoffStatus, **values: object) -> HandoffView:
        async with self._sessions() as session, session.begin():
            handoff = await _by_id(session, handoff_id)
            current = HandoffStatus(handoff.status)
            check_handoff_transition(current, target)
            # Compare-and-set: of two agents taking the same handoff at once, exactly one wins.
            result = await session.execute(
                update(Handoff)
                .where(Handoff.id == handoff.id, Handoff.status == current.value)
                .values(status=target.value, **values)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult at run time
                raise IllegalTransitionError(f"handoff {handoff_id} is no longer {current.value} (changed meanwhile)")
            await session.refresh(handoff)
            return HandoffView.of(handoff)


async def _by_id(session: AsyncSession, handoff_id: int) -> Handoff:
    handoff = (await session.execute(select(Handoff).where(Handoff.id == handoff_id))).scalar_one_or_none()
    if handoff is None:
        raise HandoffNotFoundError(f"no handoff {handoff_id}")
    return handoff


async def _open_of(session: AsyncSession, conversation_id: str) -> Handoff | None:
    return (
        await session.execute(
            select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.status.in_(_OPEN_VALUES))
        )
    ).scalar_one_or_none()


def _require_text(name: str, value: object, max_chars: int) -> None:
    if not isinstance(value, str) or not value or len(value) > max_chars:
        raise ValidationError(f"{name} must be 1..{max_chars} characters")
