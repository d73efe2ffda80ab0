"""Accept / Reject pressed in an outlet's Telegram group: the same provider use cases as the API and the portal.

Who may press is decided by where the press comes from: Telegram only lets members of a group press the buttons of
a message in that group, so a press counts for an outlet when it comes from the group configured (and enabled) for
the outlet the ticket is assigned to. Any other press — another group, a ticket re-routed elsewhere, an unknown
number — changes nothing. The change itself goes through `ProviderTicketService` as the outlet (actor
`outlet:<code>`), with the press as the request id, so a repeated press is harmless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Brand, Outlet, OutletTelegramGroup, Ticket, TicketEvent
from bot.db.repositories import tickets as repo
from bot.db.session import SessionFactory
from bot.domain.errors import DomainError, TicketNotFoundError
from bot.domain.lifecycle import TicketStatus
from bot.domain.ticket_number import is_ticket_number
from bot.services.providers.keys import OutletIdentity
from bot.services.providers.notice_text import notice_text, outcome_answer, outcome_line
from bot.services.providers.notifications import NOTIFIED_KINDS, notice_ticket
from bot.services.providers.tickets import ProviderTicketService

logger = logging.getLogger(__name__)

ACCEPT = "acc"
REJECT = "rej"
ACTIONS = frozenset({ACCEPT, REJECT})
#: What identifies a group press on the outlet's identity (`OutletIdentity.key_prefix`): no API key is involved.
VIA_TELEGRAM = "telegram"


@dataclass(frozen=True)
class PressOutcome:
    """What to tell the presser (`answer`) and, when the notice should change, its new text (no buttons)."""

    result: str  # accepted | rejected | not_yours | not_possible
    answer: str
    group_text: str | None


@dataclass(frozen=True)
class _Target:
    outlet: OutletIdentity
    text: str


class ProviderGroupActions:
    """Turns a button press in a group into an acceptance or a rejection."""

    def __init__(self, sessions: SessionFactory, provider: ProviderTicketService) -> None:
        """Keep the session factory and the provider ticket service (shared with the provider API)."""
        self._sessions = sessions
        self._provider = provider

    async def press(self, chat_id: int, action: str, number: str, user_id: int, press_id: str) -> PressOutcome:
        """Carry out the button press `action` (`acc` or `rej`) on ticket `number` in group `chat_id`.

        `user_id` is the Telegram user who pressed; `press_id` (the callback query's id) makes a repeated press a
        no-op.
        """
        if action not in ACTIONS:
            raise ValueError("unknown action")
        target = await self._target(chat_id, number)
        if target is None:
            logger.info("provider_group.press_refused action=%s", action)
            return PressOutcome("not_yours", outcome_answer("not_yours"), None)
        request_id = f"tg:{press_id}"[:128]
        try:
            if action == ACCEPT:
                await self._provider.accept(target.outlet, number, request_id)
                result = "accepted"
            else:
                reason = f"rejected in Telegram by {user_id}"
                await self._provider.reject(target.outlet, number, reason, request_id)
                result = "rejected"
        except TicketNotFoundError:
            result = "not_yours"  # rejected or re-routed a moment ago
        except DomainError as exc:
            logger.info("provider_group.press_not_possible number=%s code=%s", number, exc.code)
            result = "not_possible"
        logger.info("provider_group.press number=%s outlet=%s result=%s", number, target.outlet.outlet_code, result)
        return PressOutcome(result, outcome_answer(result), f"{target.text}\n\n{outcome_line(result)}")

    async def _target(self, chat_id: int, number: str) -> _Target | None:
        """The outlet the press acts for, and the notice's text; None when the press does not count."""
        if not is_ticket_number(number):
            return None
        async with self._sessions() as session:
            ticket = await repo.by_number(session, number)
            if ticket is None or ticket.assigned_outlet_id is None:
                return None
            row = (
                await session.execute(
                    select(Outlet.id, Outlet.code)
                    .join(OutletTelegramGroup, OutletTelegramGroup.outlet_id == Outlet.id)
                    .where(
                        Outlet.id == ticket.assigned_outlet_id,
                        OutletTelegramGroup.chat_id == chat_id,
                        OutletTelegramGroup.enabled.is_(True),
                    )
                )
            ).one_or_none()
            if row is None or ticket.status == TicketStatus.REJECTED.value:
                return None
            brand = await session.get(Brand, ticket.brand_id) if ticket.brand_id is not None else None
            text = notice_text(notice_ticket(ticket, brand, rerouted=await _rerouted(session, ticket)))
        return _Target(OutletIdentity(int(row.id), str(row.code), VIA_TELEGRAM), text)


async def _rerouted(session: AsyncSession, ticket: Ticket) -> bool:
    """Whether the ticket came to its outlet by re-routing (the notice said so; its edit says it again)."""
    kind = (
        await session.execute(
            select(TicketEvent.kind)
            .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind.in_(NOTIFIED_KINDS))
            .order_by(TicketEvent.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    return kind == TicketStatus.REROUTED.value
