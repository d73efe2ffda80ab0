"""Helpers for customer-outbox tests: tickets filed from conversations, and the rows as stored."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from bot.db.models import CustomerMessage
from bot.db.session import SessionFactory
from tests.provider_world import World

TELEGRAM_CHAT = "tg:42"


def web_sender() -> str:
    """A sender id as the web chat makes them."""
    return f"web:{uuid.uuid4().hex}"


async def conversation_ticket(world: World, conversation: str = TELEGRAM_CHAT, **overrides: Any) -> str:
    """A routed ticket filed from `conversation` (Telegram unless it is a web chat id); its number."""
    channel = "rest" if conversation.startswith("web:") else "telegram"
    values: dict[str, Any] = {"channel": channel, "channel_user_id": conversation, "conversation_id": conversation}
    values.update(overrides)
    return await world.routed_ticket(**values)


async def stored(sessions: SessionFactory) -> list[CustomerMessage]:
    """Every customer message, in id order."""
    async with sessions() as session:
        return list((await session.execute(select(CustomerMessage).order_by(CustomerMessage.id))).scalars().all())
