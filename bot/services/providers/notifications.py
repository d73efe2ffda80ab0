"""Routing notices in outlets' Telegram groups: an outbox fed by the ticket-event log, like the webhook outbox.

Each round scans the events after the `provider_telegram` cursor with `outbox.event_scan.scan_events`: a ticket routed
or re-routed to an outlet with an enabled group yields one notice row (unique per event × outlet, so several replicas
scanning at once still make one). Due notices are claimed compare-and-set (`outbox.rows.claim_attempt`) and
posted by the provider bot; failures are retried with `RetryPolicy`'s waits, then given up as failed. A notice whose
ticket moved on before it could be posted (accepted in the portal, re-routed, cancelled) is skipped. Posting is at
least once: a worker that dies between Telegram's answer and recording it posts again after the lease.

Logs name the notice, outlet and event; never the chat, the token or the text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select

from bot.db.models import Brand, OutletTelegramGroup, ProviderTelegramNotice, Ticket, TicketEvent, utcnow
from bot.db.session import SessionFactory
from bot.domain.errors import UpstreamError
from bot.domain.lifecycle import TicketStatus
from bot.services.outbox.event_scan import DEFAULT_SETTLE_S, dialect_insert, read_cursor, scan_events
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
from bot.services.providers.notice_text import NoticeTicket, notice_text
from bot.services.webhooks.payload import city_of_adcode

logger = logging.getLogger(__name__)

CURSOR_NAME = "provider_telegram"
DEFAULT_LEASE_S = 60.0  # longer than a Bot API call takes to time out
SENT = "sent"
SKIPPED = "skipped"
#: Events that put a ticket in front of an outlet, awaiting its acceptance.
NOTIFIED_KINDS = frozenset({TicketStatus.ROUTED.value, TicketStatus.REROUTED.value})
_AWAITING = frozenset({TicketStatus.ROUTED.value, TicketStatus.REROUTED.value})


class GroupPoster(Protocol):
    """What the outbox needs from Telegram (implemented by `integrations.telegram.provider_bot.group_bot`)."""

    async def post_notice(self, chat_id: int, text: str, number: str) -> int:
        """Post the notice with Accept / Reject buttons; its message id, or `UpstreamError`."""
        ...


def notice_ticket(ticket: Ticket, brand: Brand | None, rerouted: bool = False) -> NoticeTicket:
    """What a notice shows of the ticket (never the phone number or the street address)."""
    return NoticeTicket(
        number=ticket.number, category=ticket.category, priority=ticket.priority,
        brand_zh=brand.name_zh if brand else None, brand_en=brand.name_en if brand else None,
        product_category=ticket.product_category, symptom=ticket.symptom, city=city_of_adcode(ticket.adcode),
        country=ticket.country, accept_due_at=ticket.sla_accept_due_at, rerouted=rerouted,
    )


async def enqueue_notices(
    sessions: SessionFactory, now: datetime, settle_s: float = DEFAULT_SETTLE_S, batch: int = 1000
) -> int:
    """Create the pending notices for routing events after the cursor; how many were new."""
    async with sessions() as session, session.begin():
        groups = (
            await session.execute(
                select(OutletTelegramGroup.outlet_id, OutletTelegramGroup.since_event_id)
                .where(OutletTelegramGroup.enabled.is_(True))
            )
        ).all()
        if not groups:
            return 0  # a group configured later starts from its own `since_event_id`
        since = {int(outlet_id): int(after) for outlet_id, after in groups}
        cursor = await read_cursor(session, CURSOR_NAME)
        insert = dialect_insert(session)

        def notice(row: Any) -> Any | None:
            outlet_id = row.outlet_id
            if row.kind not in NOTIFIED_KINDS or outlet_id is None or row.id <= since.get(outlet_id, row.id):
                return None
            return insert(ProviderTelegramNotice).values(
                outlet_id=outlet_id, ticket_id=row.ticket_id, event_id=row.id, status=PENDING, attempts=0,
                next_attempt_at=now, created_at=now,
            ).on_conflict_do_nothing()

        floor = max(cursor, min(since.values()))
        return await scan_events(session, CURSOR_NAME, cursor, floor, now, notice, settle_s, batch)


class ProviderNotifier:
    """Creates and posts group notices; safe to run in several processes at once."""

    def __init__(
        self,
        sessions: SessionFactory,
        poster: GroupPoster,
        policy: RetryPolicy = RetryPolicy(),
        clock: Callable[[], datetime] = utcnow,
        settle_s: float = DEFAULT_SETTLE_S,
        lease_s: float = DEFAULT_LEASE_S,
        batch: int = 50,
    ) -> None:
        """`batch` notices at most per round, posted one after the other (Telegram limits posts per group)."""
        self._sessions = sessions
        self._poster = poster
        self._policy = policy
        self._clock = clock
        self._settle_s = settle_s
        self._lease = timedelta(seconds=lease_s)
        self._batch = batch

    async def run_once(self) -> OutboxReport:
        """Enqueue notices for new routing events, then post every due one."""
        created = await enqueue_notices(self._sessions, self._clock(), self._settle_s)
        due = await due_row_ids(self._sessions, ProviderTelegramNotice, self._clock(), self._batch)
        outcomes = await attempt_each(due, self.attempt, 1, "provider_notices")  # one after the other
        return OutboxReport(created, outcomes.count(SENT), outcomes.count(PENDING), outcomes.count(FAILED))

    async def attempt(self, row_id: int) -> str | None:
        """Claim and post one notice; its new status, or None when another worker holds it or it is not due."""
        now = self._clock()
        async with self._sessions() as session, session.begin():
            if not await claim_attempt(session, ProviderTelegramNotice, row_id, now, self._lease):
                return None
            claimed = await self._prepare(session, row_id)
        if isinstance(claimed, str):
            return claimed
        notice_id, attempts, outlet_id, chat_id, text, number = claimed
        try:
            message_id = await self._poster.post_notice(chat_id, text, number)
        except UpstreamError as exc:
            return await self._failed(notice_id, attempts, outlet_id, exc.message)
        await record_attempt(self._sessions, ProviderTelegramNotice, notice_id, attempts, {
            "status": SENT, "chat_id": chat_id, "message_id": message_id, "last_error": None, "sent_at": self._clock(),
        })
        logger.info("provider_notice.sent notice=%s outlet=%s attempt=%d", notice_id, outlet_id, attempts)
        return SENT

    async def _prepare(self, session: Any, row_id: int) -> tuple[int, int, int, int, str, str] | str:
        """What the claimed notice needs, or the status it ends in at once (group gone, ticket moved on)."""
        notice, group, ticket, kind, brand = (
            await session.execute(
                select(ProviderTelegramNotice, OutletTelegramGroup, Ticket, TicketEvent.kind, Brand)
                .join(Ticket, Ticket.id == ProviderTelegramNotice.ticket_id)
                .join(TicketEvent, TicketEvent.id == ProviderTelegramNotice.event_id)
                .outerjoin(OutletTelegramGroup, OutletTelegramGroup.outlet_id == ProviderTelegramNotice.outlet_id)
                .outerjoin(Brand, Brand.id == Ticket.brand_id)
                .where(ProviderTelegramNotice.id == row_id)
            )
        ).one()
        if group is None or not group.enabled:
            notice.status, notice.last_error = FAILED, "group disabled"
            logger.warning("provider_notice.failed notice=%s outlet=%s reason=group_disabled", row_id,
                           notice.outlet_id)
            return FAILED
        if ticket.assigned_outlet_id != notice.outlet_id or ticket.status not in _AWAITING:
            notice.status = SKIPPED  # accepted in the portal, re-routed or cancelled before it could be posted
            logger.info("provider_notice.skipped notice=%s outlet=%s", row_id, notice.outlet_id)
            return SKIPPED
        text = notice_text(notice_ticket(ticket, brand, rerouted=kind == TicketStatus.REROUTED.value))
        return notice.id, notice.attempts, notice.outlet_id, int(group.chat_id), text, ticket.number

    async def _failed(self, notice_id: int, attempts: int, outlet_id: int, error: str) -> str:
        delay = self._policy.delay_after(attempts)
        values: dict[str, Any] = {"last_error": clip_error(error)}
        if delay is None:
            values["status"] = FAILED
            logger.warning("provider_notice.failed notice=%s outlet=%s attempts=%d error=%s", notice_id, outlet_id,
                           attempts, error)
        else:
            values["next_attempt_at"] = self._clock() + timedelta(seconds=delay)
            logger.info("provider_notice.retry_scheduled notice=%s outlet=%s attempt=%d retry_in_s=%d error=%s",
                        notice_id, outlet_id, attempts, delay, error)
        await record_attempt(self._sessions, ProviderTelegramNotice, notice_id, attempts, values)
        return FAILED if delay is None else PENDING

