"""The agent message endpoint and the web chat's `GET /chat/updates`, on the whole app with a fake Rasa; and the
outbox worker started with the app, delivering through that fake."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.services.customers.outbox import CustomerOutbox
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.keys import CUSTOMER_OUTBOX_TASK_KEY
from tests.api.service import Serve
from tests.customer_outbox_world import TELEGRAM_CHAT, conversation_ticket, stored, web_sender
from tests.fakes.rasa import FakeRasa
from tests.provider_world import World

AGENT_TOKEN = "agent-token-123"
RASA_TOKEN = "rasa-token-456"
AUTH = {"Authorization": f"Bearer {AGENT_TOKEN}"}
PATH = "/api/v1/conversations/{}/messages"


def _settings(db_url: str, rasa: FakeRasa, **overrides: Any) -> Settings:
    assert rasa.server is not None
    env = {"AGENT_API_TOKEN": AGENT_TOKEN, "RASA_TOKEN": RASA_TOKEN, "RASA_URL": str(rasa.server.make_url(""))}
    base = Settings.from_env(env)
    values: dict[str, Any] = {"database_url": db_url, "csat_dispatch_interval_s": 0, "webhook_interval_s": 0,
                              "customer_outbox_interval_s": 0, "extra": {"SLA_SWEEP_INTERVAL_S": "0"}}
    return replace(base, **{**values, **overrides})


@pytest.fixture
async def client(db_url: str, rasa: FakeRasa, world: World, serve: Serve) -> TestClient:
    return await serve(_settings(db_url, rasa))


async def test_an_agent_message_is_queued_once_per_client_id(client: TestClient, world: World) -> None:
    await conversation_ticket(world)
    body = {"text": "您好，工程师下午两点到。", "agent": "li.na", "client_id": "c-1"}
    first = await client.post(PATH.format(TELEGRAM_CHAT), json=body, headers=AUTH)
    assert first.status == 202
    queued = await first.json()
    assert set(queued) == {"id", "status"} and queued["status"] == "pending"
    again = await client.post(PATH.format(TELEGRAM_CHAT), json=body, headers=AUTH)
    assert (again.status, await again.json()) == (202, queued)
    changed = await client.post(PATH.format(TELEGRAM_CHAT), json={**body, "text": "改了"}, headers=AUTH)
    assert changed.status == 409 and (await changed.json())["code"] == "conflict"
    [row] = await stored(world.sessions)
    assert (row.id, row.agent, row.channel, row.kind) == (queued["id"], "li.na", "telegram", "agent")


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": AGENT_TOKEN}]
)
async def test_the_endpoint_needs_the_agent_token(client: TestClient, world: World, headers: dict[str, str]) -> None:
    await conversation_ticket(world)
    response = await client.post(PATH.format(TELEGRAM_CHAT), json={"text": "hi", "agent": "a"}, headers=headers)
    assert response.status == 401 and (await response.json())["code"] == "unauthorised"
    assert await stored(world.sessions) == []


async def test_the_endpoint_is_off_without_an_agent_token(db_url: str, rasa: FakeRasa, world: World) -> None:
    client = TestClient(TestServer(create_app(_settings(db_url, rasa, agent_api_token=None))))
    await client.start_server()
    try:
        response = await client.post(PATH.format(TELEGRAM_CHAT), json={"text": "hi", "agent": "a"}, headers=AUTH)
        assert response.status == 503
    finally:
        await client.close()


async def test_an_unknown_conversation_is_404(client: TestClient, world: World) -> None:
    for conversation in ("tg:999", "web:" + "0" * 32, "%E5%AE%A2"):
        response = await client.post(PATH.format(conversation), json={"text": "hi", "agent": "a"}, headers=AUTH)
        assert response.status == 404 and (await response.json())["code"] == "not_found"


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"text": "", "agent": "a"}', b'{"text": "   ", "agent": "a"}',
     b'{"text": "bell \\u0007", "agent": "a"}', b'{"text": "\\ud800", "agent": "a"}', b'{"text": 5, "agent": "a"}',
     b'{"text": "hi"}', b'{"text": "hi", "agent": "a", "client_id": 3}', b'{"agent": "a"}',
     ('{"text": "%s", "agent": "a"}' % ("长" * 2001)).encode()],
)
async def test_bad_bodies_are_400(client: TestClient, world: World, body: bytes) -> None:
    await conversation_ticket(world)
    response = await client.post(PATH.format(TELEGRAM_CHAT), data=body, headers=AUTH)
    assert response.status == 400, await response.text()
    assert (await response.json())["code"] == "validation_error"


async def test_a_body_over_16_kib_is_413(client: TestClient, world: World) -> None:
    await conversation_ticket(world)
    big = b'{"text": "' + b"x" * 17_000 + b'", "agent": "a"}'
    response = await client.post(PATH.format(TELEGRAM_CHAT), data=big, headers=AUTH)
    assert response.status == 413 and (await response.json())["code"] == "payload_too_large"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the limit holds while reading
        for start in range(0, len(big), 4096):
            yield big[start:start + 4096]

    chunked = await client.post(PATH.format(TELEGRAM_CHAT), data=chunks(), headers=AUTH)
    assert chunked.status == 413


@pytest.mark.parametrize(
    "query",
    ["", "sender=", "sender=tg:42", "sender=web:" + "A" * 32, "sender=web:" + "a" * 31, "sender=web:" + "a" * 33,
     "sender=" + "a" * 32, "sender=web:" + "a" * 32 + "%0A", "sender=web:" + "g" * 32,
     "sender=web:" + "a" * 32 + "&after=-1", "sender=web:" + "a" * 32 + "&after=x",
     "sender=web:" + "a" * 32 + "&after=99999999999", "sender=web:" + "a" * 32 + "&after=%EF%BC%91"],
)
async def test_chat_updates_refuses_malformed_queries(client: TestClient, query: str) -> None:
    response = await client.get(f"/chat/updates?{query}")
    assert response.status == 400 and (await response.json())["code"] == "validation_error"


async def test_chat_updates_serves_one_conversation_after_a_cursor(client: TestClient, world: World) -> None:
    mine, theirs = web_sender(), web_sender()
    await conversation_ticket(world, mine)
    await conversation_ticket(world, theirs)
    outbox = CustomerOutbox(world.sessions, None)
    first = await outbox.enqueue_agent_message(mine, "第一条", "li.na")
    await outbox.enqueue_agent_message(theirs, "别人的", "li.na")
    second = await outbox.enqueue_agent_message(mine, "第二条\n<b>不是标记</b>", "li.na")

    response = await client.get(f"/chat/updates?sender={mine}")
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    assert await response.json() == {"messages": [
        {"id": first.id, "text": "第一条", "kind": "agent", "buttons": []},
        {"id": second.id, "text": "第二条\n<b>不是标记</b>", "kind": "agent", "buttons": []}], "next": second.id}
    after = await (await client.get(f"/chat/updates?sender={mine}&after={first.id}")).json()
    assert [m["id"] for m in after["messages"]] == [second.id]
    assert await (await client.get(f"/chat/updates?sender={mine}&after={second.id}")).json() == {
        "messages": [], "next": second.id}
    assert await (await client.get(f"/chat/updates?sender={web_sender()}")).json() == {"messages": [], "next": 0}


async def test_the_worker_started_with_the_app_delivers(db_url: str, rasa: FakeRasa, world: World) -> None:
    await conversation_ticket(world)
    app = create_app(_settings(db_url, rasa, customer_outbox_interval_s=0.05))
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        assert app[CUSTOMER_OUTBOX_TASK_KEY] is not None
        response = await client.post(PATH.format(TELEGRAM_CHAT), json={"text": "马上到", "agent": "a"}, headers=AUTH)
        assert response.status == 202
        deadline = time.monotonic() + 10
        while not rasa.requests:
            assert time.monotonic() < deadline, "the worker sent nothing"
            await asyncio.sleep(0.05)
        [request] = rasa.requests
        assert request.raw_path == "/conversations/tg:42/tracker/events"
        assert request.query == {"output_channel": "latest", "execute_side_effects": "true", "token": RASA_TOKEN}
        assert request.body == [{"event": "bot", "text": "马上到", "metadata": {"kind": "agent"}}]
    finally:
        await client.close()
    with pytest.raises(ValueError, match="CUSTOMER_OUTBOX_INTERVAL_S"):
        create_app(_settings(db_url, rasa, customer_outbox_interval_s=-1))
