"""`python -m bot channel-setup …`: one-off operator commands that connect the channels to the outside world.

They register the Telegram webhook with its secret token, and publish the WeChat Official Account's menu.

Both read their credentials from the environment (`bot.settings.Settings`) and print what they did, never a token.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp

from bot.domain.errors import UpstreamError
from bot.settings import Settings
from integrations.telegram.client import BotApiClient
from integrations.telegram.errors import TelegramError
from integrations.telegram.polling import ALLOWED_UPDATES
from integrations.wechat.client import API_TIMEOUT, WeChatApi
from integrations.wechat.menus import official_menu

logger = logging.getLogger(__name__)

TELEGRAM_WEBHOOK_PATH = "/webhooks/telegram/webhook"


def telegram_webhook_url(public_base_url: str) -> str:
    """The webhook address Telegram must call for a Rasa server reachable at `public_base_url` (https only)."""
    base = public_base_url.strip().rstrip("/")
    if not base.startswith("https://") or len(base) <= len("https://"):
        raise ValueError("Telegram only delivers to https:// addresses, e.g. https://bot.example.com")
    return base if base.endswith(TELEGRAM_WEBHOOK_PATH) else base + TELEGRAM_WEBHOOK_PATH


async def set_telegram_webhook(settings: Settings, public_base_url: str) -> str:
    """Call setWebhook with TELEGRAM_SECRET_TOKEN and the update kinds the channel handles; the registered URL."""
    if not settings.telegram_token or not settings.telegram_secret_token:
        raise ValueError("set TELEGRAM_TOKEN and TELEGRAM_SECRET_TOKEN first")
    url = telegram_webhook_url(public_base_url)
    async with aiohttp.ClientSession() as session:
        client = BotApiClient(session, settings.telegram_token, settings.telegram_api_base_url)
        try:
            await client.call("setWebhook", {"url": url, "secret_token": settings.telegram_secret_token,
                                            "allowed_updates": list(ALLOWED_UPDATES), "drop_pending_updates": False})
        finally:
            await client.shutdown()
    return url


async def publish_wechat_menu(settings: Settings) -> int:
    """Replace the Official Account's menu with ours; the number of top-level entries."""
    if not settings.wechat_app_id or not settings.wechat_app_secret:
        raise ValueError("set WECHAT_APP_ID and WECHAT_APP_SECRET first")
    menu = official_menu()
    async with aiohttp.ClientSession(timeout=API_TIMEOUT) as session:
        api = WeChatApi(session, settings.wechat_api_base_url, settings.wechat_app_id, settings.wechat_app_secret)
        await api.create_menu(menu)
    return len(menu["button"])


def run_channel_setup(settings: Settings, target: str, public_url: str | None) -> int:
    """The `channel-setup` command: 0 on success, 2 on a configuration error, 1 when the platform refused."""
    try:
        if target == "telegram-webhook":
            if not public_url:
                raise ValueError("--public-url is required, e.g. --public-url https://bot.example.com")
            url = asyncio.run(set_telegram_webhook(settings, public_url))
            print(f"Telegram will deliver updates to {url} (with your secret token).")
        else:
            count = asyncio.run(publish_wechat_menu(settings))
            print(f"WeChat menu published ({count} top-level entries).")
    except ValueError as exc:
        print(f"channel-setup: {exc}")
        return 2
    except (TelegramError, UpstreamError, aiohttp.ClientError) as exc:
        print(f"channel-setup: the platform refused or could not be reached: {type(exc).__name__}: {exc}")
        return 1
    return 0
