"""Our service with the provider bot on, against the fake Bot API: a small network (tests.provider_world) whose
outlets OUT-A and OUT-B have Telegram groups, and button presses as Telegram delivers them."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot.db.session import SessionFactory
from bot.services.providers.telegram_config import ProviderTelegramConfig
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.providers.telegram_webhook import WEBHOOK_PATH
from integrations.telegram.webhook import SECRET_HEADER
from tests.fakes.telegram import BOT_USER, TOKEN
from tests.provider_world import World, build_world

SECRET = "provider-webhook-Secret_1"
GROUPS = {"OUT-A": -1001000000001, "OUT-B": -1001000000002}
STAFF = {"id": 4242, "is_bot": False, "first_name": "Staff", "language_code": "zh-hans"}
_ids = itertools.count(900_000_001)


def service_settings(db_url: str, base_url: str, interval_s: float = 0.05, **overrides: Any) -> Settings:
    """Settings of our service with the provider bot on and every other background loop off."""
    env = {
        "PROVIDER_TELEGRAM_TOKEN": TOKEN, "PROVIDER_TELEGRAM_SECRET_TOKEN": SECRET,
        "PROVIDER_TELEGRAM_INTERVAL_S": str(interval_s), "TELEGRAM_API_BASE_URL": base_url,
        "WEBHOOK_INTERVAL_S": "0", "SLA_SWEEP_INTERVAL_S": "0", "CSAT_DISPATCH_INTERVAL_S": "0",
    }
    return replace(Settings.from_env(env), database_url=db_url, **overrides)


async def start_service(settings: Settings) -> TestClient:
    """Our aiohttp service on a free port."""
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    return client


async def grouped_world(sessions: SessionFactory) -> World:
    """The provider-API test network, with Telegram groups for OUT-A and OUT-B (OUT-C has none)."""
    world = await build_world(sessions)
    config = ProviderTelegramConfig(sessions)
    for code, chat_id in GROUPS.items():
        await config.configure(code, chat_id)
    return world


def press(chat_id: int, data: str, message_id: int = 5001, update_id: int | None = None) -> dict[str, Any]:
    """A callback_query update: a staff member pressed a button with `data` under message `message_id`."""
    uid = update_id if update_id is not None else next(_ids)
    return {
        "update_id": uid,
        "callback_query": {
            "id": f"cbq{uid}",
            "from": STAFF,
            "chat_instance": "-4822398119221",
            "data": data,
            "message": {
                "message_id": message_id,
                "from": BOT_USER,
                "chat": {"id": chat_id, "title": "维修网点群", "type": "supergroup"},
                "date": 1764576100,
                "text": "🔔 新工单 · New ticket",
            },
        },
    }


@dataclass
class Hook:
    """Posts updates to the provider webhook as Telegram does."""

    client: TestClient

    async def post(self, update: Any, secret: str | None = SECRET, **kwargs: Any) -> Any:
        """POST one update (JSON, or raw bytes as `data=`); the response."""
        headers = {**kwargs.pop("headers", {}), **({SECRET_HEADER: secret} if secret is not None else {})}
        if "data" in kwargs:
            return await self.client.post(WEBHOOK_PATH, headers=headers, **kwargs)
        return await self.client.post(WEBHOOK_PATH, headers=headers, json=update)


async def until(condition: Callable[[], Awaitable[bool]], timeout_s: float = 10.0) -> None:
    """Wait until `await condition()` is true; AssertionError after `timeout_s`."""
    for _ in range(int(timeout_s / 0.02)):
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")
