"""The agent console's list of live conversations, newest activity first.

Rasa has no endpoint that lists conversations, and its tracker store is its own business; so the list is built
from the conversation ids our own database knows: tickets (`conversation_id`, `updated_at`), handoffs (created,
taken, closed), customers' photos (`attachments`) and the customer outbox (`customer_messages`). A conversation
that never touched any of these (small talk only) is not listed; the console opens any id on request.
`channel_updates` records only update keys (no conversation id), so it cannot contribute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal_column, select, union_all

from bot.db.models import Attachment, CustomerMessage, Handoff, Ticket, as_utc
from bot.db.session import SessionFactory
from bot.domain.errors import ValidationError
from bot.domain.handoff import OPEN_HANDOFF_STATUSES

MAX_CONVERSATIONS = 200
_OPEN = tuple(sorted(s.value for s in OPEN_HANDOFF_STATUSES))


@dataclass(frozen=True)
class ConversationSummary:
    """One conversation in the console's list."""

    conversation_id: str
    channel: str
    last_activity: datetime
    handoff_id: int | None
    handoff_status: str | None
    handoff_agent: str | None
    ticket_number: str | None


class ConversationDirectory:
    """Lists the conversations our database knows of."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self._sessions = session_factory

    async def recent(self, limit: int = 50) -> list[ConversationSummary]:
        """Up to `limit` conversations, the most recently active first."""
        if not 1 <= limit <= MAX_CONVERSATIONS:
            raise ValidationError(f"limit must be 1..{MAX_CONVERSATIONS}")
        handoff_at = func.coalesce(Handoff.closed_at, Handoff.taken_at, Handoff.created_at)
        activity = union_all(
            select(Ticket.conversation_id.label("cid"), Ticket.channel.label("channel"), Ticket.updated_at.label("at"))
            .where(Ticket.conversation_id.is_not(None)),
            select(Handoff.conversation_id, Handoff.channel, handoff_at),
            select(Attachment.conversation_id, Attachment.channel, Attachment.created_at),
            select(CustomerMessage.conversation_id, CustomerMessage.channel, CustomerMessage.created_at),
        ).subquery()
        latest = (
            select(activity.c.cid, func.max(activity.c.channel), func.max(activity.c.at).label("last"))
            .group_by(activity.c.cid)
            .order_by(literal_column("last").desc(), activity.c.cid)
            .limit(limit)
        )
        async with self._sessions() as session:
            rows = (await session.execute(latest)).all()
            ids = [row[0] for row in rows]
            handoffs = {
                h.conversation_id: h
                for h in (
                    await session.execute(
                        select(Handoff).where(Handoff.conversation_id.in_(ids), Handoff.status.in_(_OPEN))
                    )
                ).scalars()
            }
            numbers: dict[str, str] = {}
            tickets = select(Ticket.conversation_id, Ticket.number).where(Ticket.conversation_id.in_(ids))
            for cid, number in (await session.execute(tickets.order_by(Ticket.id))).all():
                numbers[cid] = number  # the newest ticket wins
        return [
            ConversationSummary(
                conversation_id=cid, channel=channel, last_activity=_as_datetime(last),
                handoff_id=handoffs[cid].id if cid in handoffs else None,
                handoff_status=handoffs[cid].status if cid in handoffs else None,
                handoff_agent=handoffs[cid].agent if cid in handoffs else None,
                ticket_number=numbers.get(cid),
            )
            for cid, channel, last in rows
        ]


def _as_datetime(value: object) -> datetime:
    # SQLite hands an aggregate over a UNION back as text; PostgreSQL as a datetime.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    result = as_utc(value)
    assert result is not None
    return result
