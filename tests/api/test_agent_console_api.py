"""Agent console over HTTP: sign-in (ok, wrong, throttled, CSRF), session cookies on the agent API beside the Bearer
token, roles on the dashboard, the pages and their CSP, and the console's conversation endpoints on a fake Rasa."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.services.agents.accounts import AgentAccountService
from bot.services.handoff.service import HandoffService
from tests.api.service import Serve, console_settings, start_app

AGENT_TOKEN = "agent-token-123"
CSRF = {"X-Requested-With": "agent-console"}
CONVERSATION = "web:" + "b" * 32


class AssistRasa:
    """A fake Rasa with the calls the console makes: tracker events (recorded), tracker, parse."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.server: TestServer | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/conversations/{cid:.+}/tracker/events", self._event)
        app.router.add_get("/conversations/{cid:.+}/tracker", self._tracker)
        app.router.add_post("/model/parse", self._parse)
        self.server = TestServer(app)
        await self.server.start_server()
        return str(self.server.make_url("")).rstrip("/")

    async def _event(self, request: web.Request) -> web.Response:
        self.events.append((request.match_info["cid"], await request.json()))
        return web.json_response({})

    async def _tracker(self, request: web.Request) -> web.Response:
        return web.json_response({"sender_id": request.match_info["cid"], "paused": False,
                                  "latest_input_channel": "rest", "slots": {"language": "en"},
                                  "events": [{"event": "user", "text": "I want a human", "timestamp": 1.8e9}]})

    async def _parse(self, request: web.Request) -> web.Response:
        return web.json_response({"intent": {"name": "request_human", "confidence": 0.97}, "entities": []})


@pytest.fixture
async def rasa() -> AsyncIterator[AssistRasa]:
    fake = AssistRasa()
    await fake.start()
    yield fake
    assert fake.server is not None
    await fake.server.close()


async def _client(db_url: str, rasa_url: str, **overrides: Any) -> TestClient:
    return await start_app(console_settings(db_url, rasa_url, AGENT_TOKEN, **overrides))


@pytest.fixture
async def client(db_url: str, rasa: AssistRasa, console_accounts: None, serve: Serve) -> TestClient:
    assert rasa.server is not None
    return await serve(console_settings(db_url, str(rasa.server.make_url("")).rstrip("/"), AGENT_TOKEN))


async def _login(client: TestClient, username: str, password: str) -> Any:
    return await client.post("/agent/login", json={"username": username, "password": password}, headers=CSRF)


async def test_login_sets_a_strict_http_only_cookie_and_logout_clears_it(client: TestClient) -> None:
    response = await _login(client, "Alice", "alice password")
    assert response.status == 200 and await response.json() == {"username": "alice", "role": "agent"}
    cookie = response.headers["Set-Cookie"]
    assert "agent_session=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Max-Age=43200" in cookie and "Path=/" in cookie
    assert await (await client.get("/api/v1/agent/me")).json() == {"username": "alice", "role": "agent"}
    assert (await client.post("/agent/logout")).status == 403  # no CSRF header
    assert (await client.post("/agent/logout", headers=CSRF)).status == 204
    assert (await client.get("/api/v1/agent/me")).status == 401


async def test_wrong_password_then_throttle(client: TestClient) -> None:
    for _ in range(4):
        response = await _login(client, "alice", "wrong password")
        assert response.status == 401 and (await response.json())["code"] == "bad_credentials"
        assert "Set-Cookie" not in response.headers
    assert (await _login(client, "alice", "wrong password")).status == 401  # the fifth failure locks
    locked = await _login(client, "alice", "alice password")
    assert locked.status == 429 and int(locked.headers["Retry-After"]) > 0
    assert (await locked.json())["code"] == "throttled"
    assert (await _login(client, "sam", "sam password!")).status == 200  # other usernames are not affected
    unknown = [await _login(client, "ghost", "whatever pw") for _ in range(6)]
    assert [r.status for r in unknown] == [401] * 5 + [429]  # unknown names are throttled alike


@pytest.mark.parametrize("body", [{}, {"username": "alice"}, {"username": 1, "password": "x"}, [1], "not json"])
async def test_malformed_login_is_400(client: TestClient, body: Any) -> None:
    kwargs: dict[str, Any] = {"data": body, "headers": {**CSRF, "Content-Type": "application/json"}} \
        if isinstance(body, str) else {"json": body, "headers": CSRF}
    assert (await client.post("/agent/login", **kwargs)).status == 400


async def test_json_login_needs_the_csrf_header_and_forms_need_the_same_origin(client: TestClient) -> None:
    response = await client.post("/agent/login", json={"username": "alice", "password": "alice password"})
    assert response.status == 403
    form = {"username": "alice", "password": "alice password"}
    cross = await client.post("/agent/login", data=form, headers={"Origin": "https://evil.example"},
                              allow_redirects=False)
    assert cross.status == 403
    ok = await client.post("/agent/login", data=form, headers={"Origin": f"http://{client.host}:{client.port}"},
                           allow_redirects=False)
    assert ok.status == 303 and ok.headers["Location"] == "/agent" and "agent_session=" in ok.headers["Set-Cookie"]
    bad = await client.post("/agent/login", data={**form, "password": "nope nope"}, allow_redirects=False)
    assert bad.status == 303 and bad.headers["Location"] == "/agent/login?error=credentials"


async def test_session_cookie_on_the_agent_api_needs_csrf_for_changes(client: TestClient, session_factory) -> None:  # type: ignore[no-untyped-def]
    handoff = await HandoffService(session_factory).open(CONVERSATION, "rest", "en", "requested", "human please")
    assert (await client.get("/api/v1/handoffs")).status == 401
    await _login(client, "alice", "alice password")
    listed = await client.get("/api/v1/handoffs")
    assert listed.status == 200 and [h["id"] for h in await listed.json()] == [handoff.id]
    refused = await client.post(f"/api/v1/handoffs/{handoff.id}/take", json={"agent": "mallory"})
    assert refused.status == 403 and (await refused.json())["code"] == "csrf_header_missing"
    taken = await client.post(f"/api/v1/handoffs/{handoff.id}/take", json={"agent": "mallory"}, headers=CSRF)
    assert taken.status == 200 and (await taken.json())["agent"] == "alice"  # the signed-in name, not the body's


async def test_tampered_or_disabled_sessions_fall_back_to_the_bearer_rules(client: TestClient, session_factory) -> None:  # type: ignore[no-untyped-def]
    await _login(client, "alice", "alice password")
    client.session.cookie_jar.update_cookies({"agent_session": "forged.value"})
    assert (await client.get("/api/v1/handoffs")).status == 401
    client.session.cookie_jar.clear()
    await _login(client, "alice", "alice password")
    assert (await client.get("/api/v1/handoffs")).status == 200
    await AgentAccountService(session_factory).set_active("alice", False)
    assert (await client.get("/api/v1/handoffs")).status == 401  # at once, not when the cookie expires
    bearer = await client.get("/api/v1/handoffs", headers={"Authorization": f"Bearer {AGENT_TOKEN}"})
    assert bearer.status == 200


async def test_sessions_work_without_an_agent_api_token(db_url: str, rasa: AssistRasa, session_factory) -> None:  # type: ignore[no-untyped-def]
    await AgentAccountService(session_factory).upsert("alice", "alice password", "agent")
    assert rasa.server is not None
    client = await _client(db_url, str(rasa.server.make_url("")).rstrip("/"), agent_api_token=None)
    try:
        assert (await client.get("/api/v1/handoffs")).status == 503
        await _login(client, "alice", "alice password")
        assert (await client.get("/api/v1/handoffs")).status == 200
    finally:
        await client.close()


async def test_dashboard_is_for_supervisors(client: TestClient) -> None:
    await _login(client, "alice", "alice password")
    forbidden = await client.get("/api/v1/dashboard")
    assert forbidden.status == 403 and (await forbidden.json())["code"] == "forbidden"
    page = await client.get("/agent/dashboard")
    assert page.status == 403
    await _login(client, "sam", "sam password!")
    board = await client.get("/api/v1/dashboard?from=2026-11-01&to=2026-11-03")
    body = await board.json()
    assert board.status == 200 and body["days"] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert body["sla"] == {"late_accepts": 0, "open_overdue": 0, "timeouts": 0, "by_day": [0, 0, 0], "total": 0}
    assert (await client.get("/agent/dashboard")).status == 200
    for query in ("from=2026-13-01", "to=yesterday", "from=2026-11-05&to=2026-11-01", "from=2020-01-01&to=2026-01-01",
                  "from=9999-12-31&to=9999-12-31", "to=2026-11-01T00:00"):
        response = await client.get(f"/api/v1/dashboard?{query}")
        assert response.status == 400, query
    client.session.cookie_jar.clear()
    bearer = await client.get("/api/v1/dashboard", headers={"Authorization": f"Bearer {AGENT_TOKEN}"})
    assert bearer.status == 200 and len((await bearer.json())["days"]) == 30


async def test_pages_redirect_strangers_and_carry_a_strict_csp(client: TestClient) -> None:
    response = await client.get("/agent", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/agent/login?next=/agent"
    login = await client.get("/agent/login")
    assert login.status == 200 and "default-src 'none'" in login.headers["Content-Security-Policy"]
    await _login(client, "alice", "alice password")
    page = await client.get("/agent")
    csp = page.headers["Content-Security-Policy"]
    assert page.status == 200 and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "<script src=\"/agent/static/console.js\"" in await page.text()
    assert (await client.get("/agent/login", allow_redirects=False)).status == 303
    assert (await client.get("/agent/static/console.js")).status == 200
    for name in ("console.html", "..%2Fchat.py", "nope.js"):
        assert (await client.get(f"/agent/static/{name}")).status == 404, name


async def test_console_lists_assists_and_takes_over(client: TestClient, rasa: AssistRasa, session_factory) -> None:  # type: ignore[no-untyped-def]
    await HandoffService(session_factory).open("tg:42", "telegram", "zh", "requested", "要人工")
    await _login(client, "alice", "alice password")
    listed = await (await client.get("/api/v1/conversations")).json()
    assert [(c["conversation_id"], c["handoff_status"]) for c in listed] == [("tg:42", "queued")]
    assist = await client.get(f"/api/v1/conversations/{CONVERSATION}/assist")
    body = await assist.json()
    assert assist.status == 200 and body["triage"]["category"] == "request_human"
    assert body["transcript"][0]["who"] == "user" and body["language"] == "en" and body["handoff"] is None
    assert all(s.isascii() for s in body["suggestions"])

    took = await client.post(f"/api/v1/conversations/{CONVERSATION}/takeover", json={}, headers=CSRF)
    view = await took.json()
    assert took.status == 200 and (view["status"], view["agent"], view["channel"]) == ("taken", "alice", "rest")
    assert rasa.events == [(CONVERSATION, {"event": "pause"})]
    again = await client.post(f"/api/v1/conversations/{CONVERSATION}/takeover", json={}, headers=CSRF)
    assert again.status == 200 and (await again.json())["id"] == view["id"]
    await _login(client, "sam", "sam password!")
    other = await client.post(f"/api/v1/conversations/{CONVERSATION}/takeover", json={}, headers=CSRF)
    assert other.status == 409
    resumed = await client.post(f"/api/v1/handoffs/{view['id']}/resume", json={}, headers=CSRF)
    resume_then_listen = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
    assert resumed.status == 200 and rasa.events[-1] == (CONVERSATION, resume_then_listen)
    assert (await client.get("/api/v1/conversations?limit=0")).status == 400


async def test_takeover_with_rasa_down_changes_nothing(db_url: str, session_factory) -> None:  # type: ignore[no-untyped-def]
    from tests.fakes.rasa import closed_port_url

    await AgentAccountService(session_factory).upsert("alice", "alice password", "agent")
    client = await _client(db_url, closed_port_url())
    try:
        await _login(client, "alice", "alice password")
        response = await client.post(f"/api/v1/conversations/{CONVERSATION}/takeover", json={}, headers=CSRF)
        assert response.status == 502
        assert await HandoffService(session_factory).get_open(CONVERSATION) is None
        assert (await client.get(f"/api/v1/conversations/{CONVERSATION}/assist")).status == 502
    finally:
        await client.close()


async def test_logs_carry_no_passwords_tokens_or_texts(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    await _login(client, "alice", "wrong password")
    await _login(client, "alice", "alice password")
    await client.get(f"/api/v1/conversations/{CONVERSATION}/assist")
    await client.post(f"/api/v1/conversations/{CONVERSATION}/takeover", json={}, headers=CSRF)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    assert "agent.login_ok" in ours and "agent.takeover" in ours
    for secret in ("alice password", "wrong password", "I want a human", "rasa-token", "a-long-enough-session"):
        assert secret not in ours
