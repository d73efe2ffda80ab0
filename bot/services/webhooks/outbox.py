"""The webhook outbox: deliver pending deliveries to outlets' systems, retrying with exponential backoff.

Each round (see `WebhookOutbox.run_once`) first turns new ticket events into deliveries (`webhooks.enqueue`), then
sends the due ones, each claimed with the outbox kit's compare-and-set lease (`bot.services.outbox.rows`), so several
replicas never send the same attempt. The HTTP call runs outside any database transaction.

2xx → delivered. Anything else → retried after `RetryPolicy.delays_s` (30 s, 2 min, 10 min, 1 h, 6 h by default),
always with the same delivery id; after the last attempt (6 by default) → failed. Delivery is at least once (a crash
between the answer and its recording resends after the lease): receivers deduplicate on `X-Webhook-Id`.

Logs name the delivery, outlet, event and status code; never the URL, the secret or the body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Brand, OutletWebhook, Ticket, TicketEvent, WebhookDelivery, utcnow
from bot.db.session import SessionFactory
from bot.domain.errors import UpstreamError
from bot.services.outbox.event_scan import DEFAULT_SCAN_BATCH, DEFAULT_SETTLE_S
from bot.services.outbox.rows import (
    FAILED,
    PENDING,
    OutboxReport,
    RetryPolicy,
    attempt_each,
    claim_attempt,
    clip_error,
    due_row_ids,
    record_attempt,
)
from bot.services.webhooks.enqueue import enqueue_deliveries
from bot.services.webhooks.payload import build_body

logger = logging.getLogger(__name__)

DELIVERED = "delivered"
DEFAULT_LEASE_S = 60.0  # longer than the sender's 10 s timeout


class WebhookPoster(Protocol):
    """What the outbox needs from the HTTP side (implemented by `integrations.webhooks.sender.WebhookSender`)."""

    async def post(self, url: str, secret: str, delivery_id: str, body: bytes) -> int:
        """POST the signed body; return the 2xx status or raise `UpstreamError` (`status` None: no answer)."""
        ...


@dataclass(frozen=True)
class _Attempt:
    """A claimed delivery, detached from the session, ready to send."""

    id: int
    delivery_id: str
    outlet_id: int
    event: str
    attempts: int
    url: str
    secret: str
    body: bytes


class WebhookOutbox:
    """Creates and sends webhook deliveries; safe to run in several processes at once."""

    def __init__(
        self,
        sessions: SessionFactory,
        poster: WebhookPoster,
        policy: RetryPolicy = RetryPolicy(),
        clock: Callable[[], datetime] = utcnow,
        settle_s: float = DEFAULT_SETTLE_S,
        lease_s: float = DEFAULT_LEASE_S,
        batch: int = 100,
        concurrency: int = 8,
    ) -> None:
        """`batch` deliveries at most per round, `concurrency` of them in flight at once."""
        self._sessions = sessions
        self._poster = poster
        self._policy = policy
        self._clock = clock
        self._settle_s = settle_s
        self._lease = timedelta(seconds=lease_s)
        self._batch = batch
        self._concurrency = concurrency

    async def run_once(self) -> OutboxReport:
        """Enqueue deliveries for new events, then send every due one."""
        created = await enqueue_deliveries(self._sessions, self._clock(), self._settle_s, DEFAULT_SCAN_BATCH)
        outcomes = await self.deliver_due()
        return OutboxReport(created, outcomes.count(DELIVERED), outcomes.count(PENDING), outcomes.count(FAILED))

    async def deliver_due(self) -> list[str]:
        """Attempt every due delivery (claimed one by one); the resulting statuses of those this worker sent."""
        due = await due_row_ids(self._sessions, WebhookDelivery, self._clock(), self._batch)
        return await attempt_each(due, self.attempt, self._concurrency, "webhook_outbox")

    async def attempt(self, row_id: int) -> str | None:
        """Claim and send one delivery; its new status, or None when another worker holds it or it is not due."""
        claimed = await self._claim(row_id)
        if claimed is None:
            return None
        try:
            status_code = await self._poster.post(claimed.url, claimed.secret, claimed.delivery_id, claimed.body)
        except UpstreamError as exc:
            return await self._record_failure(claimed, exc.status, exc.message)
        await self._record(claimed, DELIVERED, status_code, None, delivered=True)
        logger.info(
            "webhook.delivered delivery=%s outlet=%s event=%s status=%s attempt=%d",
            claimed.delivery_id, claimed.outlet_id, claimed.event, status_code, claimed.attempts,
        )
        return DELIVERED

    async def _claim(self, row_id: int) -> _Attempt | None:
        now = self._clock()
        async with self._sessions() as session, session.begin():
            if not await claim_attempt(session, WebhookDelivery, row_id, now, self._lease):
                return None
            return await self._prepare(session, row_id)

    async def _prepare(self, session: AsyncSession, row_id: int) -> _Attempt | None:
        """Load what the claimed attempt needs; a delivery whose webhook is gone or disabled fails at once."""
        row = (
            await session.execute(
                select(WebhookDelivery, OutletWebhook, Ticket, TicketEvent.at, Brand.code)
                .join(Ticket, Ticket.id == WebhookDelivery.ticket_id)
                .join(TicketEvent, TicketEvent.id == WebhookDelivery.event_id)
                .outerjoin(OutletWebhook, OutletWebhook.outlet_id == WebhookDelivery.outlet_id)
                .outerjoin(Brand, Brand.id == Ticket.brand_id)
                .where(WebhookDelivery.id == row_id)
            )
        ).one()
        delivery, hook, ticket, occurred_at, brand_code = row
        if hook is None or not hook.enabled:
            delivery.status, delivery.last_error = FAILED, "webhook disabled"
            logger.warning(
                "webhook.failed delivery=%s outlet=%s event=%s reason=webhook_disabled",
                delivery.delivery_id, delivery.outlet_id, delivery.event,
            )
            return None
        body = build_body(delivery.delivery_id, delivery.event, occurred_at, ticket, brand_code)
        return _Attempt(
            delivery.id, delivery.delivery_id, delivery.outlet_id, delivery.event, delivery.attempts, hook.url,
            hook.secret, body,
        )

    async def _record_failure(self, claimed: _Attempt, status_code: int | None, error: str) -> str:
        delay = self._policy.delay_after(claimed.attempts)
        if delay is None:
            await self._record(claimed, FAILED, status_code, error)
            logger.warning(
                "webhook.failed delivery=%s outlet=%s event=%s status=%s attempts=%d error=%s",
                claimed.delivery_id, claimed.outlet_id, claimed.event, status_code, claimed.attempts, error,
            )
            return FAILED
        retry_at = self._clock() + timedelta(seconds=delay)
        await self._record(claimed, PENDING, status_code, error, retry_at=retry_at)
        logger.info(
            "webhook.retry_scheduled delivery=%s outlet=%s event=%s status=%s attempt=%d retry_in_s=%d error=%s",
            claimed.delivery_id, claimed.outlet_id, claimed.event, status_code, claimed.attempts, delay, error,
        )
        return PENDING

    async def _record(
        self,
        claimed: _Attempt,
        status: str,
        status_code: int | None,
        error: str | None,
        retry_at: datetime | None = None,
        delivered: bool = False,
    ) -> None:
        values: dict[str, object] = {
            "status": status,
            "last_status_code": status_code,
            "last_error": clip_error(error),
        }
        if retry_at is not None:
            values["next_attempt_at"] = retry_at
        if delivered:
            values["delivered_at"] = self._clock()
        await record_attempt(self._sessions, WebhookDelivery, claimed.id, claimed.attempts, values)
