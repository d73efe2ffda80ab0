"""The sender: long texts in parts with the keyboard on the last, flood control retried, one chat kept in order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from integrations.telegram.client import BotApiClient
from integrations.telegram.errors import RetryAfter
from integrations.telegram.pacing import Pacer
from integrations.telegram.sender import Sender
from tests.fakes.clock import FakeClock
from tests.fakes.telegram import TOKEN, FakeTelegram


@pytest.fixture
async def sender(fake: FakeTelegram) -> AsyncIterator[tuple[Sender, FakeClock]]:
    clock = FakeClock()
    async with aiohttp.ClientSession() as http:
        yield Sender(BotApiClient(http, TOKEN, fake.base_url), Pacer(clock=clock, sleep=clock.sleep)), clock


def _flood(seconds: float) -> dict[str, object]:
    return {"ok": False, "error_code": 429, "description": "Too Many Requests", "parameters": {"retry_after": seconds}}


async def test_a_long_text_goes_in_parts_with_the_keyboard_on_the_last(
        fake: FakeTelegram, sender: tuple[Sender, FakeClock]) -> None:
    send, clock = sender
    text = "\n".join(f"第{i}行 " + "字" * 60 for i in range(100))  # ~6 500 characters
    keyboard = {"inline_keyboard": [[{"text": "确认", "callback_data": "/affirm"}]]}
    assert await send.send_text(9, text, keyboard) == 2
    first, second = fake.recorded("sendMessage")
    assert "reply_markup" not in first.params and second.params["reply_markup"] == keyboard
    assert first.params["text"] + "\n" + second.params["text"] == text
    assert clock.now == 1.0, "the second part waited its second on the fake clock"


async def test_flood_control_pauses_then_retries(fake: FakeTelegram, sender: tuple[Sender, FakeClock]) -> None:
    send, clock = sender
    fake.failures["sendMessage"] = [_flood(12), _flood(3)]
    await send.send_text(9, "你好")
    assert len(fake.recorded("sendMessage")) == 3
    assert clock.now == 15.0


async def test_flood_control_beyond_a_minute_or_three_times_gives_up(
        fake: FakeTelegram, sender: tuple[Sender, FakeClock]) -> None:
    send, clock = sender
    fake.failures["sendMessage"] = [_flood(3600)]
    with pytest.raises(RetryAfter):
        await send.send_text(9, "你好")
    assert clock.now == 0.0
    fake.failures["sendMessage"] = [_flood(1), _flood(1), _flood(1)]
    with pytest.raises(RetryAfter):
        await send.send_text(9, "你好")
    assert len(fake.recorded("sendMessage")) == 4


async def test_concurrent_sends_to_one_chat_never_interleave(
        fake: FakeTelegram, sender: tuple[Sender, FakeClock]) -> None:
    send, _ = sender
    long_a = "\n".join(["A" * 100] * 90)  # three parts each
    long_b = "\n".join(["B" * 100] * 90)
    await asyncio.gather(send.send_text(9, long_a), send.send_text(9, long_b))
    letters = [c.params["text"][0] for c in fake.recorded("sendMessage")]
    assert letters in (list("AAABBB"), list("BBBAAA"))
