"""The agent API for handoffs (auth, listing, take, resume through a fake Rasa) and the CSAT dispatcher's wiring."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.db.models import Ticket
from bot.services.handoff.service import HandoffService
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.keys import CSAT_DISPATCHER_KEY
from tests.api.service import Serve
from tests.fakes.rasa import FakeRasa, closed_port_url

AGENT_TOKEN = "agent-token-123"
RASA_TOKEN = "rasa-token-456"
AUTH = {"Authorization": f"Bearer {AGENT_TOKEN}"}


def _settings(db_url: str, rasa_url: str, **overrides: Any) -> Settings:
    base = Settings.from_env({"AGENT_API_TOKEN": AGENT_TOKEN, "RASA_TOKEN": RASA_TOKEN, "RASA_URL": rasa_url})
    return replace(base, database_url=db_url, csat_dispatch_interval_s=0, **overrides)


@pytest.fixture
async def client(db_url: str, rasa: FakeRasa, serve: Serve) -> TestClient:
    assert rasa.server is not None
    return await serve(_settings(db_url, str(rasa.server.make_url("")).rstrip("/")))


async def _opened(session_factory, conversation: str = "tg:42") -> int:  # type: ignore[no-untyped-def]
    view = await HandoffService(session_factory).open(conversation, "telegram", "zh", "requested", "要人工客服")
    return view.id


def test_settings_from_environment() -> None:
    defaults = Settings.from_env({"RASA_PORT": "5999"})
    assert defaults.rasa_url == "http://127.0.0.1:5999"
    assert defaults.agent_api_token is None and defaults.csat_dispatch_interval_s == 30.0
    custom = Settings.from_env(
        {"RASA_URL": "http://rasa:5005", "AGENT_API_TOKEN": "tok-xyz", "CSAT_DISPATCH_INTERVAL_S": "0"}
    )
    assert (custom.rasa_url, custom.agent_api_token, custom.csat_dispatch_interval_s) == (
        "http://rasa:5005", "tok-xyz", 0
    )
    assert "tok-xyz" not in repr(custom)  # the token stays out of reprs (and so out of logged settings)


async def test_agent_api_is_disabled_without_a_token(db_url: str, rasa: FakeRasa) -> None:
    settings = replace(_settings(db_url, closed_port_url()), agent_api_token=None)
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    try:
        for method, path in (("GET", "/api/v1/handoffs"), ("POST", "/api/v1/handoffs/1/take")):
            response = await client.request(method, path, headers=AUTH, json={"agent": "a"})
            assert response.status == 503
            assert (await response.json())["error"] == "agent API disabled"
    finally:
        await client.close()


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": AGENT_TOKEN}, {"Authorization": f"Basic {AGENT_TOKEN}"},
     {"Authorization": "Bearer "}, {"Authorization": "Bearer 密码"}],
)
async def test_wrong_or_missing_token_is_401(client: TestClient, session_factory, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    handoff_id = await _opened(session_factory)
    for method, path in (("GET", "/api/v1/handoffs"), ("POST", f"/api/v1/handoffs/{handoff_id}/take"),
                         ("POST", f"/api/v1/handoffs/{handoff_id}/resume")):
        response = await client.request(method, path, headers=headers, json={"agent": "a"})
        assert response.status == 401, (method, path)
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert (await HandoffService(session_factory).get(handoff_id)).status == "queued"


async def test_list_handoffs(client: TestClient, session_factory) -> None:  # type: ignore[no-untyped-def]
    first, second = await _opened(session_factory, "c1"), await _opened(session_factory, "c2")
    await HandoffService(session_factory).take(second, "agent-1")
    response = await client.get("/api/v1/handoffs?status=queued", headers=AUTH)
    assert response.status == 200
    [item] = await response.json()
    assert item["id"] == first and item["status"] == "queued" and item["conversation_id"] == "c1"
    assert item["summary"] == "要人工客服" and item["reason"] == "requested" and item["agent"] is None
    assert item["created_at"].endswith("+00:00") and "created" not in item
    everything_open = await (await client.get("/api/v1/handoffs", headers=AUTH)).json()
    assert [h["id"] for h in everything_open] == [first, second]
    for query in ("status=lost", "limit=abc", "limit=0", "limit=-1"):
        response = await client.get(f"/api/v1/handoffs?{query}", headers=AUTH)
        assert response.status == 400, query
        assert "error" in await response.json()


async def test_take(client: TestClient, session_factory) -> None:  # type: ignore[no-untyped-def]
    handoff_id = await _opened(session_factory)
    response = await client.post(f"/api/v1/handoffs/{handoff_id}/take", headers=AUTH, json={"agent": "agent-7"})
    assert response.status == 200
    body = await response.json()
    assert (body["status"], body["agent"]) == ("taken", "agent-7") and body["taken_at"]
    again = await client.post(f"/api/v1/handoffs/{handoff_id}/take", headers=AUTH, json={"agent": "agent-8"})
    assert again.status == 409 and (await again.json())["code"] == "illegal_transition"
    missing = await client.post("/api/v1/handoffs/999/take", headers=AUTH, json={"agent": "a"})
    assert missing.status == 404 and (await missing.json())["code"] == "handoff_not_found"


@pytest.mark.parametrize(
    ("path", "body"),
    [("/api/v1/handoffs/abc/take", {"agent": "a"}), ("/api/v1/handoffs/99999999999/take", {"agent": "a"}),
     ("/api/v1/handoffs/{id}/take", {}), ("/api/v1/handoffs/{id}/take", {"agent": 7}),
     ("/api/v1/handoffs/{id}/take", ["agent"]), ("/api/v1/handoffs/{id}/take", "not json"),
     ("/api/v1/handoffs/{id}/take", {"agent": "x" * 65}), ("/api/v1/handoffs/0/resume", None)],
)
async def test_bad_input_is_400(client: TestClient, session_factory, path: str, body: Any) -> None:  # type: ignore[no-untyped-def]
    handoff_id = await _opened(session_factory)
    url = path.replace("{id}", str(handoff_id))
    kwargs: dict[str, Any] = {"data": body} if isinstance(body, str) else {"json": body}
    response = await client.post(url, headers=AUTH, **kwargs)
    assert response.status == 400
    assert "error" in await response.json()
    assert (await HandoffService(session_factory).get(handoff_id)).status == "queued"


async def test_resume_tells_rasa_then_closes(client: TestClient, session_factory, rasa: FakeRasa) -> None:  # type: ignore[no-untyped-def]
    handoff_id = await _opened(session_factory, "tg:42")
    await HandoffService(session_factory).take(handoff_id, "agent-7")
    response = await client.post(f"/api/v1/handoffs/{handoff_id}/resume", headers=AUTH)
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "closed" and body["closed_at"]
    [call] = rasa.requests
    assert (call.raw_path, call.query, call.body) == (
        "/conversations/tg:42/tracker/events", {"token": RASA_TOKEN},
        [{"event": "resume"}, {"event": "action", "name": "action_listen"}],
    )
    again = await client.post(f"/api/v1/handoffs/{handoff_id}/resume", headers=AUTH)
    assert again.status == 409
    assert len(rasa.requests) == 1  # a closed handoff does not touch Rasa
    missing = await client.post("/api/v1/handoffs/999/resume", headers=AUTH)
    assert missing.status == 404


@pytest.mark.parametrize("rasa_down", ["unreachable", "error"])
async def test_resume_is_502_and_retryable_when_rasa_fails(  # type: ignore[no-untyped-def]
    db_url: str, session_factory, rasa: FakeRasa, rasa_down: str
) -> None:
    assert rasa.server is not None
    working_url = str(rasa.server.make_url("")).rstrip("/")
    if rasa_down == "error":
        rasa.status = 500
    broken_url = closed_port_url() if rasa_down == "unreachable" else working_url
    handoff_id = await _opened(session_factory)
    await HandoffService(session_factory).take(handoff_id, "agent-7")
    broken = TestClient(TestServer(create_app(_settings(db_url, broken_url))))
    await broken.start_server()
    try:
        response = await broken.post(f"/api/v1/handoffs/{handoff_id}/resume", headers=AUTH)
        assert response.status == 502
        body = await response.json()
        assert body["code"] == "upstream_error" and RASA_TOKEN not in body["error"]
    finally:
        await broken.close()
    assert (await HandoffService(session_factory).get(handoff_id)).status == "taken"
    rasa.status = 200
    retry = TestClient(TestServer(create_app(_settings(db_url, working_url))))
    await retry.start_server()
    try:
        assert (await retry.post(f"/api/v1/handoffs/{handoff_id}/resume", headers=AUTH)).status == 200
    finally:
        await retry.close()
    assert (await HandoffService(session_factory).get(handoff_id)).status == "closed"


async def _run_dispatcher_in_app(db_url: str, session_factory, rasa: FakeRasa) -> None:  # type: ignore[no-untyped-def]
    """Start the app with a due ticket, let its dispatcher ask Rasa and go a few more rounds, then stop it."""
    async with session_factory() as session, session.begin():
        session.add(Ticket(number="AS-20260101-CSAT22", idempotency_key="k", category="report_fault",
                           status="resolved", channel="telegram", conversation_id="tg:42"))
    assert rasa.server is not None
    settings = replace(_settings(db_url, str(rasa.server.make_url("")).rstrip("/")), csat_dispatch_interval_s=0.05)
    app = create_app(settings)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        task = app[CSAT_DISPATCHER_KEY]
        assert task is not None and not task.done()
        for _ in range(100):
            if rasa.requests:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # a few more rounds: still asked only once
    finally:
        await client.close()
    assert task.done()  # stopped with the app


async def test_dispatcher_runs_in_the_app_and_asks_rasa(db_url: str, session_factory, rasa: FakeRasa) -> None:  # type: ignore[no-untyped-def]
    await _run_dispatcher_in_app(db_url, session_factory, rasa)
    set_slot, execute, listen = rasa.requests
    assert (set_slot.method, set_slot.raw_path, set_slot.query, set_slot.body) == (
        "POST", "/conversations/tg:42/tracker/events", {"token": RASA_TOKEN},
        [{"event": "slot", "name": "csat_ticket", "value": "AS-20260101-CSAT22"}],
    )
    assert (execute.method, execute.raw_path, execute.query, execute.body) == (
        "POST", "/conversations/tg:42/execute", {"output_channel": "latest", "token": RASA_TOKEN},
        {"name": "action_ask_csat"},
    )
    assert (listen.raw_path, listen.body) == (  # the answer then starts a turn the rating rule matches
        "/conversations/tg:42/tracker/events", [{"event": "action", "name": "action_listen"}])


async def test_dispatcher_does_not_run_the_action_when_the_slot_fails(  # type: ignore[no-untyped-def]
    db_url: str, session_factory, rasa: FakeRasa
) -> None:
    rasa.statuses = {"tracker/events": 500}
    await _run_dispatcher_in_app(db_url, session_factory, rasa)
    [set_slot] = rasa.requests  # no `execute`, and no retry on later rounds (at most once)
    assert set_slot.raw_path == "/conversations/tg:42/tracker/events"


@pytest.mark.parametrize("overrides", [{"rasa_token": None, "csat_dispatch_interval_s": 0.05},
                                       {"csat_dispatch_interval_s": 0}])
async def test_dispatcher_needs_a_rasa_token_and_an_interval(db_url: str, overrides: dict[str, Any]) -> None:
    app = create_app(replace(_settings(db_url, closed_port_url()), **overrides))
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        assert app[CSAT_DISPATCHER_KEY] is None
    finally:
        await client.close()
