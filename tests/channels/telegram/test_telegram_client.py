"""Our Bot API client (PTB's `telegram.Bot` underneath) against the fake server: the token in the path only, typed
errors, timeouts, size caps, the Bot's lifecycle, and no token in reprs, exception texts or logs."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from integrations.telegram.client import BotApiClient, Timeouts
from integrations.telegram.errors import BotApiError, BotApiUnavailable, FileTooLarge, RetryAfter
from tests.fakes.telegram import TOKEN, FakeTelegram

Build = Callable[..., BotApiClient]


@pytest.fixture
async def build(fake: FakeTelegram) -> AsyncIterator[Build]:
    """Builds clients (against the fake unless told otherwise) and shuts every one down after the test."""
    clients: list[BotApiClient] = []
    async with aiohttp.ClientSession() as http:

        def make(token: str = TOKEN, base_url: str | None = None, **timeouts: float) -> BotApiClient:
            client = BotApiClient(http, token, base_url or fake.base_url + "/", Timeouts(**timeouts))
            clients.append(client)
            return client

        yield make
        for client in clients:
            await client.shutdown()


async def test_send_message_goes_through_ptb_to_the_configured_base_url(fake: FakeTelegram, build: Build) -> None:
    client = build()
    result = await client.send_message(42, "您好", {"remove_keyboard": True})
    assert result["chat"]["id"] == 42 and result["text"] == "您好"
    [call] = fake.recorded()
    assert (call.method, call.params) == ("sendMessage", {"chat_id": 42, "text": "您好",
                                                          "reply_markup": {"remove_keyboard": True}})
    assert TOKEN not in repr(client) and TOKEN not in repr(client._bot)


async def test_keyboards_photos_and_callbacks_keep_their_parameters(fake: FakeTelegram, build: Build) -> None:
    client = build()
    inline = {"inline_keyboard": [[{"text": "5", "callback_data": "/x"}, {"text": "站点", "url": "https://a.cn"}]]}
    share = {"keyboard": [[{"text": "共享位置", "request_location": True}]], "resize_keyboard": True,
             "one_time_keyboard": True}
    await client.call("sendMessage", {"chat_id": 7, "text": "42", "reply_markup": inline})
    await client.send_message(7, "true", share)
    await client.send_photo(7, "https://example.com/a.jpg", "图片")
    await client.answer_callback_query("cbq-1", "按钮已失效")
    await client.answer_callback_query("cbq-2")
    first, second = fake.recorded("sendMessage")
    assert first.params == {"chat_id": 7, "text": "42", "reply_markup": inline}, "a numeric text stays a text"
    assert second.params == {"chat_id": 7, "text": "true", "reply_markup": share}
    assert fake.recorded("sendPhoto")[0].params == {"chat_id": 7, "photo": "https://example.com/a.jpg",
                                                    "caption": "图片"}
    assert [c.params for c in fake.recorded("answerCallbackQuery")] == [
        {"callback_query_id": "cbq-1", "text": "按钮已失效"}, {"callback_query_id": "cbq-2"}]


async def test_call_takes_the_bot_api_names_and_passes_unknown_methods_through(fake: FakeTelegram,
                                                                                build: Build) -> None:
    client = build()
    hook = {"url": "https://bot.example.com/webhooks/telegram/webhook", "secret_token": "s3cret",
            "allowed_updates": ["message", "callback_query"], "drop_pending_updates": False}
    assert await client.call("setWebhook", hook) is True
    assert fake.recorded("setWebhook")[0].params == hook
    assert await client.call("someFutureMethod", {"limit": 3}) is True  # PTB's do_api_request
    assert fake.recorded("someFutureMethod")[0].params == {"limit": 3}
    with pytest.raises(TypeError):  # a parameter PTB does not know for a typed method is our bug: not sent
        await client.call("sendMessage", {"chat_id": 1, "text": "x", "no_such_parameter": 1})
    assert len(fake.recorded("sendMessage")) == 0


async def test_initialize_checks_the_token_and_shutdown_closes_the_pools(fake: FakeTelegram, build: Build) -> None:
    client = build()
    await client.initialize()
    await client.initialize()  # idempotent, like PTB's
    assert len(fake.recorded("getMe")) == 1 and fake.recorded() == [], "getMe is not one of the channel's calls"
    await client.shutdown()
    await client.shutdown()
    with pytest.raises(BotApiUnavailable):
        await client.send_message(1, "x")


async def test_a_wrong_token_is_a_typed_error_without_the_token(build: Build) -> None:
    client = build(token="999:wrong")
    with pytest.raises(BotApiError) as caught:
        await client.send_message(1, "x")
    assert caught.value.error_code == 401 and "999:wrong" not in str(caught.value)
    with pytest.raises(BotApiError) as caught:
        await client.initialize()  # PTB's own message for this names the token
    assert caught.value.error_code == 401 and caught.value.__suppress_context__
    assert "999:wrong" not in str(caught.value) + caught.value.description
    await client.shutdown()  # after a failed initialize too


async def test_429_raises_retry_after(fake: FakeTelegram, build: Build) -> None:
    fake.failures["sendMessage"] = [{"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 7",
                                     "parameters": {"retry_after": 7}}]
    with pytest.raises(RetryAfter) as caught:
        await build().send_message(1, "x")
    assert caught.value.retry_after == 7.0 and caught.value.error_code == 429


@pytest.mark.parametrize(("status", "description"), [(400, "Bad Request: chat not found"),
                                                     (403, "Forbidden: bot was blocked by the user"),
                                                     (409, "Conflict: terminated by other getUpdates request")])
async def test_refusals_are_bot_api_errors_with_the_description(fake: FakeTelegram, build: Build, status: int,
                                                               description: str) -> None:
    fake.failures["sendMessage"] = [{"ok": False, "error_code": status, "description": description}]
    with pytest.raises(BotApiError) as caught:
        await build().send_message(1, "x")
    assert caught.value.error_code == status and description.split(": ")[1].lower() in caught.value.description.lower()
    assert not isinstance(caught.value, RetryAfter) and TOKEN not in str(caught.value)


async def test_a_slow_server_times_out_quickly_and_an_absent_one_is_unavailable(fake: FakeTelegram,
                                                                                build: Build) -> None:
    fake.delay_s["sendMessage"] = 5
    started = time.monotonic()
    with pytest.raises(BotApiUnavailable) as caught:
        await build(call_s=0.3).send_message(1, "x")
    assert time.monotonic() - started < 2 and TOKEN not in str(caught.value)
    gone = build(base_url="http://127.0.0.1:9", connect_s=2)
    with pytest.raises(BotApiUnavailable) as caught:
        await gone.send_message(1, "x")
    assert TOKEN not in str(caught.value) and caught.value.__suppress_context__
    fake.failures["sendMessage"] = [{"ok": False, "error_code": 500, "description": "Internal Server Error"}]
    with pytest.raises(BotApiUnavailable):
        await build().send_message(1, "x")


@pytest.mark.parametrize("reply", [web.Response(text="<html>proxy error</html>", status=502),
                                   web.Response(text="<html>a captive portal</html>", status=200),
                                   web.json_response({"ok": True}), web.json_response({"ok": True, "result": [1]})])
async def test_a_reply_that_is_not_the_bot_api_is_unavailable(build: Build, reply: web.Response,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    async def answer(_request: web.Request) -> web.Response:
        return reply

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", answer)
    server = TestServer(app)
    await server.start_server()
    try:
        with pytest.raises(BotApiUnavailable):
            await build(base_url=str(server.make_url(""))).send_message(1, "x")
    finally:
        await server.close()
    assert TOKEN not in caplog.text


async def test_files_are_fetched_by_path_and_capped(fake: FakeTelegram, build: Build) -> None:
    fake.files["f1"] = b"\xff\xd8\xff" + b"0" * 5000
    client = build()
    remote = await client.get_file("f1")
    assert (remote.file_path, remote.file_size) == ("photos/f1.jpg", 5003), "the path, not PTB's URL with the token"
    assert TOKEN not in repr(remote)
    assert await client.download(remote.file_path, 10_000) == fake.files["f1"]
    assert fake.downloads == ["photos/f1.jpg"]
    with pytest.raises(FileTooLarge):
        await client.download(remote.file_path, 1000)
    with pytest.raises(BotApiUnavailable):
        await client.get_file("missing")  # the Bot API gives no path for files over its download limit
    with pytest.raises(BotApiUnavailable):
        await client.download("../../etc/passwd", 1000)
    with pytest.raises(BotApiError) as caught:
        await client.download("photos/gone.jpg", 1000)
    assert caught.value.error_code == 404 and TOKEN not in str(caught.value)


async def test_get_updates_long_polls_with_an_offset(fake: FakeTelegram, build: Build) -> None:
    fake.updates = [{"update_id": 5}, {"update_id": 6, "message": {"message_id": 1, "date": 1764576000, "text": "hi",
                                                                   "chat": {"id": 3, "type": "private"}}}]
    client = build()
    [update] = await client.get_updates(6, 1, ["message"])
    assert update["update_id"] == 6 and update["message"]["text"] == "hi" and update["message"]["chat"]["id"] == 3
    assert fake.recorded("getUpdates")[0].params == {"offset": 6, "timeout": 1, "allowed_updates": ["message"]}
    await asyncio.wait_for(client.delete_webhook(), 5)
    assert fake.recorded("deleteWebhook")[0].params == {"drop_pending_updates": False}


async def test_the_token_never_reaches_the_logs(fake: FakeTelegram, build: Build,
                                                caplog: pytest.LogCaptureFixture) -> None:
    fake.files["f2"] = b"x" * 10
    caplog.set_level(logging.DEBUG)
    client = build()  # PTB logs its URLs as the Bot is built, httpx every request's URL
    await client.initialize()
    await client.send_message(1, "您的工单号 AS-1", {"keyboard": [[{"text": "共享电话", "request_contact": True}]]})
    await client.download((await client.get_file("f2")).file_path, 100)
    fake.delay_s["sendMessage"] = 5
    with pytest.raises(BotApiUnavailable):
        await build(call_s=0.2).send_message(1, "x")
    try:
        raise RuntimeError(f"GET https://x/file/bot{TOKEN}/photos/f2.jpg")
    except RuntimeError:
        logging.getLogger("httpx").exception("request to %s failed", f"https://x/bot{TOKEN}/getFile")
    # The fake's own access log (Telegram's side of the wire) is left out.
    ours = [record for record in caplog.records if record.name != "aiohttp.access"]
    assert {"httpx", "telegram.Bot"} <= {record.name for record in ours}
    text = "\n".join(caplog.handler.format(record) for record in ours)
    assert "sendMessage" in text and "RuntimeError" in text and TOKEN not in text
    assert all(data not in text for data in ("AS-1", "共享电话", "Customer")), "PTB's payloads dropped"


async def test_the_fake_reads_json_form_and_multipart_parameters_alike(fake: FakeTelegram) -> None:
    markup = {"inline_keyboard": [[{"text": "是", "callback_data": "/affirm"}]]}
    form = {"chat_id": "5", "text": "12", "reply_markup": json.dumps(markup)}
    multipart = aiohttp.FormData(form)
    multipart.add_field("document", b"%PDF", filename="a.pdf")
    async with aiohttp.ClientSession() as http:
        for body in ({"json": {"chat_id": 5, "text": "12", "reply_markup": markup}}, {"data": form},
                     {"data": multipart}):
            async with http.post(f"{fake.base_url}/bot{TOKEN}/sendMessage", **body) as response:
                assert response.status == 200
    as_json, as_form, as_multipart = (call.params for call in fake.recorded("sendMessage"))
    assert as_json == as_form == {"chat_id": 5, "text": "12", "reply_markup": markup}
    assert as_multipart == {**as_form, "document": {"filename": "a.pdf", "content": b"%PDF"}}
