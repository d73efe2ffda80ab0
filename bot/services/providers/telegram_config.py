"""Which Telegram group an outlet is notified in: set it or disable it (`python -m bot provider-telegram`).

The chat id is the group's (negative: `-100…` for a supergroup; add the provider bot to the group, then read the id
from the bot's updates or a helper bot). Only routing events after the configuration are posted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from bot.db.models import OutletTelegramGroup, ProviderTelegramNotice, TicketEvent, utcnow
from bot.db.repositories.outlets import outlet_by_ref
from bot.db.session import SessionFactory
from bot.domain.errors import NotFoundError, ValidationError

logger = logging.getLogger(__name__)

#: Telegram chat ids fit in 52 bits; group ids are negative.
MAX_CHAT_ID = 2**52


@dataclass(frozen=True)
class ConfiguredGroup:
    """An outlet's group after configuration."""

    outlet_id: int
    outlet_code: str
    chat_id: int


def parse_chat_id(raw: str) -> int:
    """A group chat id from the command line: a negative integer (`ValidationError` otherwise)."""
    text = raw.strip()
    try:
        chat_id = int(text)
    except ValueError:
        raise ValidationError("the chat id must be a number such as -1001234567890") from None
    if not -MAX_CHAT_ID < chat_id < 0:
        raise ValidationError("the chat id must be a group's (negative, e.g. -1001234567890)")
    return chat_id




class ProviderTelegramConfig:
    """Configures outlets' Telegram groups (used by the CLI and by tests)."""

    def __init__(self, sessions: SessionFactory, clock: Callable[[], datetime] = utcnow) -> None:
        """Keep the session factory and the clock."""
        self._sessions = sessions
        self._clock = clock

    async def configure(self, outlet_ref: str, chat_id: int) -> ConfiguredGroup:
        """Notify the outlet in group `chat_id` from now on (replacing any previous group)."""
        now = self._clock()
        async with self._sessions() as session, session.begin():
            outlet = await outlet_by_ref(session, outlet_ref)
            latest = (await session.execute(select(func.max(TicketEvent.id)))).scalar_one_or_none() or 0
            group = (
                await session.execute(select(OutletTelegramGroup).where(OutletTelegramGroup.outlet_id == outlet.id))
            ).scalar_one_or_none()
            if group is None:
                group = OutletTelegramGroup(outlet_id=outlet.id, created_at=now)
                session.add(group)
            group.chat_id, group.enabled, group.since_event_id, group.updated_at = chat_id, True, latest, now
            done = ConfiguredGroup(outlet.id, outlet.code, chat_id)
        logger.info("provider_telegram.configured outlet=%s", done.outlet_id)
        return done

    async def disable(self, outlet_ref: str) -> int:
        """Stop notifying the outlet; its pending notices fail. Returns how many were pending."""
        now = self._clock()
        async with self._sessions() as session, session.begin():
            outlet = await outlet_by_ref(session, outlet_ref)
            result = await session.execute(
                update(OutletTelegramGroup)
                .where(OutletTelegramGroup.outlet_id == outlet.id)
                .values(enabled=False, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            if not result.rowcount:  # type: ignore[attr-defined]  # a CursorResult at run time
                raise NotFoundError(f"outlet {outlet.code} has no Telegram group")
            dropped = await session.execute(
                update(ProviderTelegramNotice)
                .where(ProviderTelegramNotice.outlet_id == outlet.id, ProviderTelegramNotice.status == "pending")
                .values(status="failed", last_error="group disabled")
                .execution_options(synchronize_session=False)
            )
            count, outlet_id = int(dropped.rowcount or 0), outlet.id  # type: ignore[attr-defined]
        logger.info("provider_telegram.disabled outlet=%s pending_dropped=%d", outlet_id, count)
        return count
