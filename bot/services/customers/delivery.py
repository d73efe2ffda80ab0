"""Delivery of customer messages through Rasa: claim, post, record; retries with backoff; per-conversation order.

Claims are the outbox kit's compare-and-set lease (`bot.services.outbox.rows`): several replicas never send the same
attempt, and a dead worker's claim expires after the lease. The Rasa call runs outside any transaction.

Push channels (`PUSH_CHANNELS`): `output_channel=latest` → `sent`; after the last failed attempt → `failed`. Other
channels (the web chat): `output_channel=collector`, which only appends to the transcript → `pollable` (also after
the last failed attempt: the page polls the message whatever its status). A message waits while an earlier one of
its conversation is pending and not due, so a conversation's messages arrive in order. Delivery is at least once.

Logs name the message id, kind, channel and outcome; never the text or the conversation id.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased

from bot.db.models import CustomerMessage, utcnow
from bot.db.session import SessionFactory
from bot.domain.errors import DomainError, UpstreamError
from bot.services.customers.message_types import FAILED, PENDING, POLLABLE, PUSH_CHANNELS, SENT, is_push_channel
from bot.services.outbox.rows import RetryPolicy, claim_attempt, clip_error, record_attempt

logger = logging.getLogger(__name__)

DEFAULT_POLICY = RetryPolicy(delays_s=(5.0, 15.0, 60.0, 300.0, 900.0))
DEFAULT_LEASE_S = 30.0  # longer than the bridge's 5 s timeout
COLLECTOR = "collector"  # an output channel name no input channel has: Rasa records the message, sends nothing


class BotMessagePoster(Protocol):
    """What the outbox needs from Rasa (implemented by `RasaBridge`)."""

    async def post_bot_message(
        self, conversation_id: str, text: str, metadata: dict[str, Any], output_channel: str = "latest"
    ) -> None:
        """Append the message to the transcript and send it through `output_channel`; `UpstreamError` if not."""
        ...


@dataclass(frozen=True)
class _Claimed:
    id: int
    conversation_id: str
    channel: str
    kind: str
    text: str
    attempts: int


class CustomerDelivery:
    """Delivers due customer messages; without a `poster` (no RASA_TOKEN) only web-chat messages move on."""

    def __init__(
        self,
        sessions: SessionFactory,
        poster: BotMessagePoster | None,
        policy: RetryPolicy = DEFAULT_POLICY,
        clock: Callable[[], datetime] = utcnow,
        lease_s: float = DEFAULT_LEASE_S,
        batch: int = 100,
        concurrency: int = 8,
    ) -> None:
        """`batch` messages at most per round, `concurrency` conversations served at once."""
        self._sessions = sessions
        self._poster = poster
        self._policy = policy
        self._clock = clock
        self._lease = timedelta(seconds=lease_s)
        self._batch = batch
        self._concurrency = concurrency

    async def deliver_due(self) -> list[str]:
        """Attempt the due messages, each conversation's in order; the new statuses of those this worker handled."""
        now = self._clock()
        earlier = aliased(CustomerMessage)
        blocked = exists().where(
            and_(
                earlier.conversation_id == CustomerMessage.conversation_id,
                earlier.id < CustomerMessage.id,
                earlier.status == PENDING,
                earlier.next_attempt_at > now,  # retrying later, or claimed by another worker right now
            )
        )
        query = select(CustomerMessage.id, CustomerMessage.conversation_id).where(
            CustomerMessage.status == PENDING, CustomerMessage.next_attempt_at <= now, ~blocked
        )
        if self._poster is None:
            query = query.where(CustomerMessage.channel.not_in(sorted(PUSH_CHANNELS)))
        async with self._sessions() as session:
            due = (await session.execute(query.order_by(CustomerMessage.id).limit(self._batch))).all()
        queues: dict[str, list[int]] = {}
        for row_id, conversation_id in due:
            queues.setdefault(conversation_id, []).append(int(row_id))
        gate = asyncio.Semaphore(self._concurrency)

        async def conversation(ids: list[int]) -> list[str]:
            done: list[str] = []
            async with gate:
                for row_id in ids:
                    try:
                        status = await self.attempt(row_id)
                    except Exception:  # one broken message must not stop the others; its claim expires
                        logger.warning("customer_message.attempt_crashed id=%s", row_id, exc_info=True)
                        return done
                    if status is not None:
                        done.append(status)
                    if status not in (SENT, POLLABLE):
                        return done  # the rest of this conversation waits for it
            return done

        results = await asyncio.gather(*(conversation(ids) for ids in queues.values()))
        return [status for statuses in results for status in statuses]

    async def attempt(self, row_id: int) -> str | None:
        """Claim and deliver one message; its new status, or None when another worker holds it or it is not due."""
        claimed = await self._claim(row_id)
        if claimed is None:
            return None
        push = is_push_channel(claimed.channel)
        done = SENT if push else POLLABLE
        if self._poster is None:
            if push:  # not reached from `deliver_due`, which leaves push messages alone without a poster
                await self._record(claimed, PENDING, "push needs RASA_TOKEN", self._clock())
                return PENDING
            await self._record(claimed, done, None)
            return done
        try:
            await self._poster.post_bot_message(
                claimed.conversation_id, claimed.text, {"kind": claimed.kind}, "latest" if push else COLLECTOR
            )
        except UpstreamError as exc:
            return await self._failed_attempt(claimed, done, exc, self._policy.delay_after(claimed.attempts))
        except DomainError as exc:  # e.g. a conversation id Rasa's API cannot address: retrying cannot help
            return await self._failed_attempt(claimed, done, exc, None)
        await self._record(claimed, done, None)
        logger.info(
            "customer_message.delivered id=%s kind=%s channel=%s status=%s attempt=%d",
            claimed.id, claimed.kind, claimed.channel, done, claimed.attempts,
        )
        return done

    async def _failed_attempt(self, claimed: _Claimed, done: str, exc: DomainError, delay: float | None) -> str:
        status = exc.status if isinstance(exc, UpstreamError) else None
        if delay is None:
            final = FAILED if done == SENT else POLLABLE  # the web chat still shows it; the transcript lacks it
            await self._record(claimed, final, exc.message)
            logger.warning(
                "customer_message.failed id=%s kind=%s channel=%s status=%s attempts=%d error=%s",
                claimed.id, claimed.kind, claimed.channel, status, claimed.attempts, exc.message,
            )
            return final
        await self._record(claimed, PENDING, exc.message, self._clock() + timedelta(seconds=delay))
        logger.info(
            "customer_message.retry_scheduled id=%s kind=%s channel=%s status=%s attempt=%d retry_in_s=%d",
            claimed.id, claimed.kind, claimed.channel, status, claimed.attempts, delay,
        )
        return PENDING

    async def _claim(self, row_id: int) -> _Claimed | None:
        async with self._sessions() as session, session.begin():
            if not await claim_attempt(session, CustomerMessage, row_id, self._clock(), self._lease):
                return None
            row = (await session.execute(select(CustomerMessage).where(CustomerMessage.id == row_id))).scalar_one()
            return _Claimed(row.id, row.conversation_id, row.channel, row.kind, row.text, row.attempts)

    async def _record(
        self, claimed: _Claimed, status: str, error: str | None, retry_at: datetime | None = None
    ) -> None:
        values: dict[str, object] = {"status": status, "last_error": clip_error(error)}
        if retry_at is not None:
            values["next_attempt_at"] = retry_at
        if status in (SENT, POLLABLE) and error is None:
            values["sent_at"] = self._clock()
        await record_attempt(self._sessions, CustomerMessage, claimed.id, claimed.attempts, values)
