"""Polling mode: getUpdates feeds the same handler, the offset confirms what was handed over, the task stops cleanly
with the server."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp

from integrations.telegram.client import BotApiClient
from integrations.telegram.handler import Outcome
from integrations.telegram.polling import Poller
from tests.channels.telegram.telegram_harness import served_channel
from tests.channels.telegram.telegram_updates import text_update
from tests.fakes.telegram import TOKEN, FakeTelegram


async def _no_sleep(_seconds: float) -> None:
    await asyncio.sleep(0)


async def test_updates_are_handed_over_in_order_and_confirmed_by_the_offset(fake: FakeTelegram) -> None:
    fake.updates = [text_update(10, 1, "a"), text_update(11, 1, "b")]
    accepted: list[int] = []

    async def accept(update: Mapping[str, Any]) -> Outcome:
        accepted.append(int(update["update_id"]))
        return Outcome.QUEUED

    async with aiohttp.ClientSession() as http:
        poller = Poller(BotApiClient(http, TOKEN, fake.base_url), accept, poll_timeout_s=0)
        assert await poller.poll_once() == 2
        assert await poller.poll_once() == 0
    assert accepted == [10, 11]
    offsets = [c.params.get("offset") for c in fake.recorded("getUpdates")]
    assert offsets == [None, 12]


async def test_a_busy_handler_leaves_the_update_for_the_next_round(fake: FakeTelegram) -> None:
    fake.updates = [text_update(20, 1, "a"), text_update(21, 1, "b")]
    outcomes = [Outcome.QUEUED, Outcome.BUSY, Outcome.QUEUED]

    async def accept(_update: Mapping[str, Any]) -> Outcome:
        return outcomes.pop(0)

    async with aiohttp.ClientSession() as http:
        poller = Poller(BotApiClient(http, TOKEN, fake.base_url), accept, poll_timeout_s=0)
        assert await poller.poll_once() == 1
        assert await poller.poll_once() == 1
    assert [c.params.get("offset") for c in fake.recorded("getUpdates")] == [None, 21]


async def test_errors_back_off_and_stop_is_clean(fake: FakeTelegram) -> None:
    fake.failures["getUpdates"] = [{"ok": False, "error_code": 409, "description": "Conflict"}] * 3
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(0)

    async def accept(_update: Mapping[str, Any]) -> Outcome:
        return Outcome.QUEUED

    async with aiohttp.ClientSession() as http:
        poller = Poller(BotApiClient(http, TOKEN, fake.base_url), accept, poll_timeout_s=0, sleep=sleep)
        poller.start()
        await fake.until(lambda: len(fake.recorded("getUpdates")) >= 5)
        assert poller.running
        await poller.stop()
        assert not poller.running
    assert slept[:3] == [1.0, 2.0, 4.0]
    assert fake.recorded()[0].method == "deleteWebhook", "getUpdates refuses to work while a webhook is set"


async def test_polling_mode_runs_with_the_server_and_feeds_the_same_handler(db_url: str, tmp_path: Path) -> None:
    async with served_channel(db_url, tmp_path, telegram_mode="polling") as served:
        served.fake.updates = [text_update(30, 701, "你好"), text_update(31, 701, "空调坏了")]
        await served.fake.until(lambda: len(served.fake.texts(701)) == 2, timeout_s=15)
        assert served.bot.texts == ["你好", "空调坏了"]
        assert served.recorded_updates() == 2
        runtime = served.channel._runtime
        assert runtime is not None and runtime.poller is not None and runtime.poller.running
        poller = runtime.poller
        # The webhook works too (e.g. while switching modes), through the same gate: a replay is ignored.
        assert await served.post(text_update(31, 701, "空调坏了")) == 200
    assert not poller.running, "the polling task stops with the server"
    assert served.bot.texts == ["你好", "空调坏了"]
