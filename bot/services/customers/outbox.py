"""The customer outbox: ticket updates and agents' messages reach customers on the channel they wrote from.

Messages are queued by the event scan (`customer_update_scan`, one `ticket_update` per customer-visible ticket
event) and by `enqueue_agent_message` (the agent API), then delivered by `CustomerOutbox.run_once` rounds through
Rasa (`customer_delivery`): pushed to Telegram, WeChat or Socket.IO, or for the web chat appended to the transcript
and served by `web_chat_messages` (`GET /chat/updates`). Safe to run in several processes at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CustomerMessage, Handoff, Ticket, utcnow
from bot.db.session import SessionFactory
from bot.domain.errors import ConflictError, NotFoundError
from bot.services.customers.delivery import DEFAULT_LEASE_S, DEFAULT_POLICY, BotMessagePoster, CustomerDelivery
from bot.services.customers.message_types import (
    AGENT,
    FAILED,
    PENDING,
    POLLABLE,
    PUSH_CHANNELS,
    SENT,
    PolledMessage,
    QueuedMessage,
    clean_agent,
    clean_client_id,
    clean_conversation_id,
    clean_message_text,
)
from bot.services.customers.update_scan import enqueue_ticket_updates
from bot.services.customers.update_texts import customer_language
from bot.services.outbox.event_scan import DEFAULT_SETTLE_S, dialect_insert
from bot.services.outbox.rows import RetryPolicy

logger = logging.getLogger(__name__)

MAX_POLL = 50


@dataclass(frozen=True)
class CustomerOutboxReport:
    """What one round did."""

    created: int = 0
    sent: int = 0
    pollable: int = 0
    retried: int = 0
    failed: int = 0


class CustomerOutbox:
    """Queues customer messages and runs delivery rounds.

    Without a `poster` (no RASA_TOKEN: Rasa's HTTP API is off) web-chat messages become pollable at once and push
    messages wait.
    """

    def __init__(
        self,
        sessions: SessionFactory,
        poster: BotMessagePoster | None,
        policy: RetryPolicy = DEFAULT_POLICY,
        clock: Callable[[], datetime] = utcnow,
        settle_s: float = DEFAULT_SETTLE_S,
        lease_s: float = DEFAULT_LEASE_S,
    ) -> None:
        """`settle_s`: how old an event must be before the scan's cursor moves over it (see `outbox.event_scan`)."""
        self._sessions = sessions
        self._clock = clock
        self._settle_s = settle_s
        self.delivery = CustomerDelivery(sessions, poster, policy, clock, lease_s)

    async def enqueue_agent_message(
        self, conversation_id: str, text: object, agent: object, client_id: object = None
    ) -> QueuedMessage:
        """Queue an agent's message to a known conversation (`NotFoundError` otherwise); idempotent on `client_id`.

        A conversation is known when a handoff or a ticket came from it; the latest of those gives its channel.
        The same `client_id` again returns the message queued first (`ConflictError` if its text differs).
        """
        conversation_id = clean_conversation_id(conversation_id)
        text, agent, client_id = clean_message_text(text), clean_agent(agent), clean_client_id(client_id)
        now = self._clock()
        async with self._sessions() as session, session.begin():
            if client_id is not None:
                previous = await _by_client_id(session, conversation_id, client_id)
                if previous is not None:
                    return _repeat(previous, text)
            channel, language = await _conversation(session, conversation_id)
            statement = dialect_insert(session)(CustomerMessage).values(
                conversation_id=conversation_id, channel=channel, kind=AGENT, text=text, language=language,
                client_id=client_id, agent=agent, status=PENDING, attempts=0, next_attempt_at=now, created_at=now,
            ).on_conflict_do_nothing()
            inserted = await session.execute(statement)
            if not inserted.rowcount:  # type: ignore[attr-defined]  # a concurrent request with this client_id won
                previous = await _by_client_id(session, conversation_id, str(client_id))
                assert previous is not None
                return _repeat(previous, text)
            message_id = int(inserted.inserted_primary_key[0])  # type: ignore[attr-defined]
        logger.info("customer_message.queued id=%s kind=agent channel=%s", message_id, channel)
        return QueuedMessage(message_id, PENDING)

    async def web_chat_messages(self, conversation_id: str, after: int, limit: int = MAX_POLL) -> list[PolledMessage]:
        """Messages for a conversation that cannot be pushed to, with an id above `after`, oldest first."""
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(CustomerMessage.id, CustomerMessage.text, CustomerMessage.kind, CustomerMessage.language)
                    .where(
                        CustomerMessage.conversation_id == conversation_id,
                        CustomerMessage.id > after,
                        CustomerMessage.channel.not_in(sorted(PUSH_CHANNELS)),
                    )
                    .order_by(CustomerMessage.id)
                    .limit(limit)
                )
            ).all()
        return [PolledMessage(int(r.id), r.text, r.kind, r.language) for r in rows]

    async def run_once(self) -> CustomerOutboxReport:
        """Queue the updates of new ticket events, then deliver every due message."""
        created = await enqueue_ticket_updates(self._sessions, self._clock(), self._settle_s)
        outcomes = await self.delivery.deliver_due()
        return CustomerOutboxReport(
            created, outcomes.count(SENT), outcomes.count(POLLABLE), outcomes.count(PENDING), outcomes.count(FAILED)
        )


async def _by_client_id(session: AsyncSession, conversation_id: str, client_id: str) -> CustomerMessage | None:
    found: CustomerMessage | None = (
        await session.execute(
            select(CustomerMessage).where(
                CustomerMessage.conversation_id == conversation_id, CustomerMessage.client_id == client_id
            )
        )
    ).scalar_one_or_none()
    return found


def _repeat(previous: CustomerMessage, text: str) -> QueuedMessage:
    if previous.kind != AGENT or previous.text != text:
        raise ConflictError("client_id was already used for a different message")
    return QueuedMessage(previous.id, previous.status, created=False)


async def _conversation(session: AsyncSession, conversation_id: str) -> tuple[str, str]:
    """The channel and language of a conversation we know, from its latest handoff, else its latest ticket."""
    handoff = (
        await session.execute(
            select(Handoff.channel, Handoff.language)
            .where(Handoff.conversation_id == conversation_id)
            .order_by(Handoff.id.desc())
            .limit(1)
        )
    ).first()
    if handoff is not None:
        return str(handoff.channel), customer_language(handoff.language)
    ticket = (
        await session.execute(
            select(Ticket.channel, Ticket.language)
            .where(Ticket.conversation_id == conversation_id)
            .order_by(Ticket.id.desc())
            .limit(1)
        )
    ).first()
    if ticket is None:
        raise NotFoundError("no conversation with this id is known (no ticket or handoff came from it)")
    return str(ticket.channel), customer_language(ticket.language)
