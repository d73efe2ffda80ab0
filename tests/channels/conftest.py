"""Shared fixtures of the channel tests: the fake Telegram Bot API, the Telegram channel served against a fake Bot API
and the test's database, and the provider network whose outlets have Telegram groups.

`fake` is Telegram's: the WeChat modules define their own `fake` (a `FakeWeChat`), which takes precedence there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.db.session import SessionFactory
from tests.channels.providers.provider_bot_harness import grouped_world
from tests.channels.telegram.telegram_harness import Served, served_channel
from tests.fakes.telegram import FakeTelegram
from tests.provider_world import World


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """The fake Telegram Bot API, listening on the test's event loop."""
    async with FakeTelegram() as telegram:
        yield telegram


@pytest.fixture
async def served(db_url: str, tmp_path: Path) -> AsyncIterator[Served]:
    """The Telegram channel served by Sanic against its own fake Bot API (`served.fake`) and the test's database."""
    async with served_channel(db_url, tmp_path) as running:
        yield running


@pytest.fixture
async def world(session_factory: SessionFactory) -> World:
    """The provider-API test network, with Telegram groups for OUT-A and OUT-B (OUT-C has none)."""
    return await grouped_world(session_factory)
