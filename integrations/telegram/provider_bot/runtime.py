"""The provider bot inside our aiohttp service: its Bot API client and what the webhook needs.

Opened after the shared HTTP session and the services, closed with the app (`bot/web/providers/telegram_webhook.py`);
the notice outbox's loop runs with the other workers (`bot/web/workers.py`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp

from bot.services.channels.inbox import ChannelInbox
from bot.services.container import Services
from bot.services.providers.group_actions import ProviderGroupActions
from bot.settings import Settings
from integrations.telegram.client import BotApiClient
from integrations.telegram.errors import BotApiError, TelegramError
from integrations.telegram.provider_bot.group_bot import GroupBot

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProviderBot:
    """What the provider bot's webhook and its notice outbox work with."""

    secret: str
    bot: GroupBot
    actions: ProviderGroupActions
    inbox: ChannelInbox


@contextlib.asynccontextmanager
async def provider_bot(
    settings: Settings, http: aiohttp.ClientSession, services: Services
) -> AsyncIterator[ProviderBot]:
    """The running provider bot (`settings.provider_telegram_token` must be set); its client shuts down on exit."""
    token, secret = settings.provider_telegram_token or "", settings.provider_telegram_secret_token or ""
    client = BotApiClient(http, token, settings.telegram_api_base_url)
    try:
        await client.initialize()
    except BotApiError as exc:  # e.g. a revoked token: the rest of the service keeps serving
        logger.error("provider_bot.check_failed error=%s code=%d", type(exc).__name__, exc.error_code)
    except TelegramError as exc:  # unreachable for now: posts are retried by the outbox
        logger.warning("provider_bot.check_failed error=%s", type(exc).__name__)
    sessions = services.sessions
    running = ProviderBot(secret, GroupBot(client), ProviderGroupActions(sessions, services.provider_tickets),
                          ChannelInbox(sessions))
    logger.info("provider_bot.started interval_s=%s", settings.provider_telegram_interval_s)
    try:
        yield running
    finally:
        await client.shutdown()
        logger.info("provider_bot.stopped")
