"""The webhook served by Sanic as Rasa serves it: authentication before parsing, size limits, malformed JSON,
replays, quick answers, per-chat order, and the channel disabled without a token."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from integrations.telegram.webhook import MAX_BODY_BYTES
from tests.channels.telegram.telegram_harness import (
    WEBHOOK_PATH,
    FakeBot,
    Served,
    headers,
    serve_channel,
    settings_for,
)
from tests.channels.telegram.telegram_updates import text_update
from tests.fakes.telegram import FakeTelegram


async def test_a_valid_update_is_processed_and_answered(served: Served) -> None:
    assert await served.post(text_update(1, 501, "空调不制冷")) == 200
    await served.fake.until(lambda: served.fake.texts(501) == ["echo 1"])
    [message] = served.bot.messages
    assert (message.text, message.sender_id, message.input_channel) == ("空调不制冷", "tg:501", "telegram")
    assert served.recorded_updates() == 1


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", "webhook-secret_012345678"])
async def test_a_missing_or_wrong_secret_is_403_before_the_body_is_read(served: Served, secret: str | None) -> None:
    # Garbage and oversized bodies get 403 too: the secret is checked before the body is even read.
    assert await served.post(text_update(2, 502, "hello"), secret) == 403
    assert await served.post(None, secret, raw=b"{not json") == 403
    assert await served.post(None, secret, raw=b"x" * (MAX_BODY_BYTES * 3)) == 403
    await asyncio.sleep(0.2)
    assert served.bot.messages == [] and served.fake.recorded() == []
    assert served.recorded_updates() == 0, "a rejected delivery must not consume the update id"
    assert await served.post(text_update(2, 502, "hello")) == 200  # the genuine delivery still goes through
    await served.fake.until(lambda: len(served.fake.texts(502)) == 1)


async def test_a_body_over_the_limit_is_413_by_header_and_by_actual_length(served: Served) -> None:
    padded = text_update(3, 503, "x" * (MAX_BODY_BYTES + 10))
    assert await served.post(padded) == 413

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: only the bytes themselves tell
        for _ in range(20):
            yield b" " * 100_000

    async with served.http.post(served.url, data=chunked(), headers=headers()) as response:
        assert response.status == 413
    assert served.bot.messages == [] and served.recorded_updates() == 0


@pytest.mark.parametrize("raw", [b"{", b"", b"[]", b"\xff\xfe{}", b'{"message": {"text": "hi"}}',
                                 b'{"update_id": "7"}'])
async def test_malformed_json_or_a_non_update_is_400(served: Served, raw: bytes) -> None:
    assert await served.post(None, raw=raw) == 400
    assert served.bot.messages == []


async def test_a_replayed_update_is_processed_once(served: Served) -> None:
    update = text_update(4, 504, "你好")
    assert await served.post(update) == 200
    assert await served.post(update) == 200  # Telegram retrying: acknowledged, not processed again
    await served.fake.until(lambda: len(served.fake.texts(504)) == 1)
    await asyncio.sleep(0.2)
    assert served.bot.texts == ["你好"] and len(served.fake.texts(504)) == 1
    assert served.recorded_updates() == 1


async def test_edited_messages_are_acknowledged_and_ignored(served: Served) -> None:
    from tests.channels.telegram.telegram_updates import recorded

    assert await served.post(recorded("edited_message")) == 200
    await asyncio.sleep(0.1)
    assert served.bot.messages == [] and served.recorded_updates() == 0


async def test_the_webhook_answers_before_the_bot_has_replied(served: Served) -> None:
    served.bot.slow_s = 2.0
    started = time.monotonic()
    assert await served.post(text_update(5, 505, "慢一点")) == 200
    assert time.monotonic() - started < 1.0
    await served.fake.until(lambda: len(served.fake.texts(505)) == 1, timeout_s=10)


async def test_one_chat_is_processed_in_order_while_others_run_alongside(served: Served) -> None:
    served.bot.slow_s = 0.05
    texts = [f"m{i}" for i in range(5)]
    for i, text in enumerate(texts):
        assert await served.post(text_update(100 + i, 506, text)) == 200
    assert await served.post(text_update(200, 507, "other")) == 200
    await served.fake.until(lambda: len(served.fake.texts(506)) == 5, timeout_s=15)
    assert [t for t in served.bot.texts if t.startswith("m")] == texts
    # Replies keep the order too, and respect one message a second per chat.
    assert served.fake.texts(506) == [f"echo {i}" for i in sorted(
        i + 1 for i, m in enumerate(served.bot.messages) if m.sender_id == "tg:506")]
    sent_at = [call.at for call in served.fake.recorded("sendMessage", 506)]
    assert all(b - a >= 0.95 for a, b in zip(sent_at, sent_at[1:], strict=False)), sent_at


async def test_without_a_token_the_channel_is_disabled_and_answers_503(
        fake: FakeTelegram, db_url: str, tmp_path: Path) -> None:
    bot = FakeBot()
    settings = settings_for(db_url, tmp_path, fake.base_url, telegram_token=None)
    async with serve_channel(settings, bot) as (base, channel), aiohttp.ClientSession() as http:
        async with http.post(base + WEBHOOK_PATH, json=text_update(6, 508, "hi"), headers=headers()) as response:
            assert response.status == 503
        async with http.get(base + "/webhooks/telegram/") as response:
            assert response.status == 503 and (await response.json())["status"] == "disabled"
        assert channel.get_output_channel() is None
    assert bot.messages == [] and fake.recorded() == []


async def test_without_a_secret_the_webhook_stays_closed(fake: FakeTelegram, db_url: str, tmp_path: Path) -> None:
    settings = settings_for(db_url, tmp_path, fake.base_url, telegram_secret_token=None)
    async with serve_channel(settings, FakeBot()) as (base, _), aiohttp.ClientSession() as http:
        for hdrs in (headers(), headers(None), headers("")):
            async with http.post(base + WEBHOOK_PATH, json=text_update(7, 509, "hi"), headers=hdrs) as response:
                assert response.status == 503


async def test_the_output_channel_reaches_a_customer_outside_a_turn(served: Served) -> None:
    output = served.channel.get_output_channel()
    assert output is not None and output.name() == "telegram"
    await output.send_response("tg:510", {"text": "请为本次服务打分", "buttons": [{"title": "5", "payload": "/x"}]})
    [call] = served.fake.recorded("sendMessage", 510)
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "5", "callback_data": "/x"}]]}
