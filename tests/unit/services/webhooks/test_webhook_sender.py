"""The signed POST against a real local server: headers, 2xx, errors, timeout, redirects."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from integrations.webhooks.sender import WebhookSender, WebhookSendError
from tests.fakes.webhook_receiver import expected_signature

SECRET = "whsec_sender-test"
BODY = b'{"event":"ticket.routed"}'


@pytest.fixture
async def server() -> AsyncIterator[tuple[TestServer, list[web.Request | bytes]]]:
    seen: list[web.Request | bytes] = []

    async def hook(request: web.Request) -> web.StreamResponse:
        seen.extend([request, await request.read()])
        status = int(request.query.get("status", "204"))
        if request.query.get("sleep"):
            await asyncio.sleep(float(request.query["sleep"]))
        if status == 302:
            raise web.HTTPFound("/elsewhere")
        return web.Response(status=status, text="receiver internals: stack trace")

    async def elsewhere(request: web.Request) -> web.StreamResponse:
        seen.append(b"redirect followed")
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    app.router.add_route("*", "/elsewhere", elsewhere)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    yield test_server, seen
    await test_server.close()


async def test_posts_signed_body(server, http: aiohttp.ClientSession) -> None:  # type: ignore[no-untyped-def]
    test_server, seen = server
    sender = WebhookSender(http, clock=lambda: 1_780_000_000.7)
    assert await sender.post(str(test_server.make_url("/hook")), SECRET, "d-42", BODY) == 204
    request, body = seen
    assert body == BODY
    assert request.headers["X-Webhook-Id"] == "d-42"
    assert request.headers["X-Webhook-Timestamp"] == "1780000000"
    assert request.headers["X-Webhook-Signature"] == expected_signature(SECRET, "1780000000", BODY)
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.headers["User-Agent"].startswith("aftersales-bot-webhooks/")


@pytest.mark.parametrize("status", [400, 404, 500, 503])
async def test_non_2xx_raises_with_the_status(server, http: aiohttp.ClientSession, status: int) -> None:  # type: ignore[no-untyped-def]
    test_server, _ = server
    with pytest.raises(WebhookSendError) as caught:
        await WebhookSender(http).post(str(test_server.make_url(f"/hook?status={status}")), SECRET, "d", BODY)
    assert caught.value.status == status and caught.value.message == f"HTTP {status}"


async def test_redirects_are_not_followed(server, http: aiohttp.ClientSession) -> None:  # type: ignore[no-untyped-def]
    test_server, seen = server
    with pytest.raises(WebhookSendError) as caught:
        await WebhookSender(http).post(str(test_server.make_url("/hook?status=302")), SECRET, "d", BODY)
    assert caught.value.status == 302 and b"redirect followed" not in seen


async def test_timeout(server, http: aiohttp.ClientSession) -> None:  # type: ignore[no-untyped-def]
    test_server, _ = server
    with pytest.raises(WebhookSendError) as caught:
        await WebhookSender(http, timeout_s=0.2).post(str(test_server.make_url("/hook?sleep=2")), SECRET, "d", BODY)
    assert caught.value.status is None and caught.value.message == "timeout"


async def test_unreachable_host_says_nothing_of_the_url(http: aiohttp.ClientSession) -> None:
    url = "http://127.0.0.1:9/hook?token=url-secret"  # the discard port: nothing listens
    with pytest.raises(WebhookSendError) as caught:
        await WebhookSender(http, timeout_s=2).post(url, SECRET, "d", BODY)
    assert caught.value.status is None and caught.value.message.startswith("connection failed")
    assert "url-secret" not in str(caught.value) and caught.value.__cause__ is None and SECRET not in repr(caught.value)
