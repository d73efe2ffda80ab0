"""The provider bot inside our aiohttp service: its Bot API client, the notice outbox's loop and what the webhook
needs, opened after the database, the shared HTTP session and the provider ticket service, closed with the app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, cast

import aiohttp
from aiohttp import web

from bot.db.session import SessionFactory
from bot.services.channels.inbox import ChannelInbox
from bot.services.periodic import run_periodic
from bot.services.providers.group_actions import ProviderGroupActions
from bot.services.providers.notifications import ProviderNotifier
from bot.services.providers.tickets import ProviderTicketService
from bot.settings import Settings
from integrations.telegram.client import BotApiClient
from integrations.telegram.errors import BotApiError, TelegramError
from integrations.telegram.provider_bot.group_bot import GroupBot

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProviderBot:
    """What the provider bot's webhook works with."""

    secret: str
    bot: GroupBot
    actions: ProviderGroupActions
    inbox: ChannelInbox
    notifier_task: asyncio.Task[None] | None


PROVIDER_BOT_KEY: web.AppKey[ProviderBot | None] = web.AppKey("provider_bot")


def provider_bot_ctx(
    settings: Settings,
    sessions_key: web.AppKey[Any],
    http_key: web.AppKey[aiohttp.ClientSession],
    provider_key: web.AppKey[ProviderTicketService],
) -> Callable[[web.Application], AsyncIterator[None]]:
    """The cleanup context running the provider bot (`settings.provider_telegram_token` must be set)."""
    token, secret = settings.provider_telegram_token or "", settings.provider_telegram_secret_token or ""

    async def provider_bot(app: web.Application) -> AsyncIterator[None]:
        sessions = cast(SessionFactory, app[sessions_key])
        client = BotApiClient(app[http_key], token, settings.telegram_api_base_url)
        try:
            await client.initialize()
        except BotApiError as exc:  # e.g. a revoked token: the rest of the service keeps serving
            logger.error("provider_bot_check_failed error=%s code=%d", type(exc).__name__, exc.error_code)
        except TelegramError as exc:  # unreachable for now: posts are retried by the outbox
            logger.warning("provider_bot_check_failed error=%s", type(exc).__name__)
        bot = GroupBot(client)
        task: asyncio.Task[None] | None = None
        if settings.provider_telegram_interval_s > 0:
            notifier = ProviderNotifier(sessions, bot)
            task = asyncio.create_task(
                run_periodic("provider_notices", settings.provider_telegram_interval_s, notifier.run_once)
            )
        app[PROVIDER_BOT_KEY] = ProviderBot(secret, bot, ProviderGroupActions(sessions, app[provider_key]),
                                            ChannelInbox(sessions), task)
        logger.info("provider_bot_started interval_s=%s", settings.provider_telegram_interval_s)
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await client.shutdown()
        logger.info("provider_bot_stopped")

    return provider_bot
