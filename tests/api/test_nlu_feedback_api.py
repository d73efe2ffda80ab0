"""Learning from corrections over HTTP: the agent's triage correction (text and parse read from a fake Rasa tracker),
the supervisors' review queue and page, authentication (401/403/503), 400/404/502 cases and the OpenAPI entries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.services.nlu_feedback.service import NluFeedbackService
from bot.settings import Settings
from tests.api.service import Serve, console_settings, start_app

AGENT_TOKEN = "agent-token-123"
BEARER = {"Authorization": f"Bearer {AGENT_TOKEN}"}
CSRF = {"X-Requested-With": "agent-console"}
CONVERSATION = "tg:" + "7" * 9
EMPTY_CONVERSATION = "web:" + "e" * 32
TIMESTAMP = 1_800_000_005.1234567
KEY = f"{TIMESTAMP:.6f}"
CUSTOMER_TEXT = "我叫王小明，格力空调漏水，电话13812345678，地址深圳市南山区科技园南路18号"


class TrackerRasa:
    """A fake Rasa: trackers with canned events (one conversation has none), parse, tracker events recorded."""

    def __init__(self) -> None:
        self.server: TestServer | None = None
        self.tracker_requests: list[str] = []

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/conversations/{cid:.+}/tracker", self._tracker)
        app.router.add_post("/conversations/{cid:.+}/tracker/events", self._event)
        app.router.add_post("/model/parse", self._parse)
        self.server = TestServer(app)
        await self.server.start_server()
        return str(self.server.make_url("")).rstrip("/")

    async def _tracker(self, request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        self.tracker_requests.append(cid)
        events: list[dict[str, Any]] = []
        if cid == CONVERSATION:
            events = [
                {"event": "action", "name": "action_listen", "timestamp": TIMESTAMP - 1},
                {"event": "user", "text": CUSTOMER_TEXT, "timestamp": TIMESTAMP, "input_channel": "telegram",
                 "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.3},
                                "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.3},
                                                   {"name": "complaint", "confidence": 0.46},
                                                   {"name": "report_fault", "confidence": 0.41}],
                                "entities": [{"entity": "language", "value": "zh"}]}},
                {"event": "bot", "text": "您是想报修吗？", "timestamp": TIMESTAMP + 1},
            ]
        return web.json_response({"sender_id": cid, "paused": False, "latest_input_channel": "telegram",
                                  "slots": {"language": "zh"}, "events": events})

    async def _event(self, request: web.Request) -> web.Response:
        return web.json_response({})

    async def _parse(self, request: web.Request) -> web.Response:
        return web.json_response({"intent": {"name": "complaint", "confidence": 0.46},
                                  "intent_ranking": [{"name": "complaint", "confidence": 0.46}], "entities": []})


@pytest.fixture
async def rasa() -> AsyncIterator[TrackerRasa]:
    fake = TrackerRasa()
    await fake.start()
    yield fake
    assert fake.server is not None
    await fake.server.close()


def _settings(db_url: str, rasa_url: str, **overrides: Any) -> Settings:
    return console_settings(db_url, rasa_url, AGENT_TOKEN, customer_outbox_interval_s=0, **overrides)


async def _client(db_url: str, rasa_url: str, **overrides: Any) -> TestClient:
    return await start_app(_settings(db_url, rasa_url, **overrides))


@pytest.fixture
async def client(db_url: str, rasa: TrackerRasa, console_accounts: None, serve: Serve) -> TestClient:
    assert rasa.server is not None
    return await serve(_settings(db_url, str(rasa.server.make_url("")).rstrip("/")))


async def _login(client: TestClient, username: str, password: str) -> None:
    response = await client.post("/agent/login", json={"username": username, "password": password}, headers=CSRF)
    assert response.status == 200


def _correction(cid: str = CONVERSATION) -> str:
    return f"/api/v1/conversations/{cid}/triage-correction"


async def test_every_endpoint_needs_credentials(client: TestClient, db_url: str, rasa: TrackerRasa) -> None:
    for method, path in (("POST", _correction()), ("GET", "/api/v1/nlu/review"), ("POST", "/api/v1/nlu/review/1")):
        response = await client.request(method, path, json={"message_key": KEY, "label": "report_fault"})
        assert response.status == 401, path
        wrong = await client.request(method, path, json={}, headers={"Authorization": "Bearer nope"})
        assert wrong.status == 401, path
    assert rasa.server is not None
    disabled = await _client(db_url, str(rasa.server.make_url("")).rstrip("/"), agent_api_token=None)
    try:
        assert (await disabled.get("/api/v1/nlu/review", headers=BEARER)).status == 503
    finally:
        await disabled.close()


async def test_agent_corrects_the_live_triage(client: TestClient, rasa: TrackerRasa, session_factory) -> None:  # type: ignore[no-untyped-def]
    await _login(client, "alice", "alice password")
    assist = await (await client.get(f"/api/v1/conversations/{CONVERSATION}/assist")).json()
    key = assist["triage"]["message_key"]
    assert key == KEY  # the assist payload names the triaged message
    body = {"message_key": key, "label": "report_fault", "text": "injected text 13900000000"}
    refused = await client.post(_correction(), json=body)
    assert refused.status == 403 and (await refused.json())["code"] == "csrf_header_missing"
    created = await client.post(_correction(), json=body, headers=CSRF)
    answer = await created.json()
    assert created.status == 201 and answer["label"] == "report_fault" and answer["message_key"] == KEY
    again = await client.post(_correction(), json={**body, "label": "complaint"}, headers=CSRF)
    assert again.status == 201 and (await again.json())["id"] == answer["id"]  # idempotent: one example

    item = await NluFeedbackService(session_factory).get(answer["id"])
    assert item.text == "我叫[name]，格力空调漏水，电话[phone]，地址深圳市南山区[address]"  # from Rasa, masked
    assert "injected" not in item.text
    assert (item.predicted_intent, item.predicted_confidence, item.origin) == ("complaint", 0.46, "agent")
    assert [(lb.label, lb.source, lb.actor) for lb in item.labels] == [("complaint", "agent", "alice")]


@pytest.mark.parametrize(("cid", "body", "status"), [
    (CONVERSATION, {"message_key": KEY, "label": "not_a_category"}, 400),
    (CONVERSATION, {"message_key": KEY}, 400),
    (CONVERSATION, {"label": "report_fault"}, 400),
    (CONVERSATION, {"message_key": "x" * 65, "label": "report_fault"}, 400),
    (CONVERSATION, {"message_key": 1800000005.1, "label": "report_fault"}, 400),
    (CONVERSATION, ["not", "an", "object"], 400),
    (CONVERSATION, {"message_key": "1800000999.000000", "label": "report_fault"}, 404),
    (EMPTY_CONVERSATION, {"message_key": KEY, "label": "report_fault"}, 404),
])
async def test_correction_errors(client: TestClient, cid: str, body: Any, status: int) -> None:
    await _login(client, "alice", "alice password")
    response = await client.post(_correction(cid), json=body, headers=CSRF)
    assert response.status == status, await response.text()
    assert "error" in await response.json()


async def test_bearer_token_corrections_name_the_agent(client: TestClient) -> None:
    body = {"message_key": KEY, "label": "report_fault"}
    assert (await client.post(_correction(), json=body, headers=BEARER)).status == 400
    created = await client.post(_correction(), json={**body, "agent": "integration"}, headers=BEARER)
    assert created.status == 201


async def test_correction_with_rasa_down_is_502(db_url: str, session_factory) -> None:  # type: ignore[no-untyped-def]
    from tests.fakes.rasa import closed_port_url

    client = await _client(db_url, closed_port_url())
    try:
        response = await client.post(_correction(), json={"message_key": KEY, "label": "greet", "agent": "a"},
                                     headers=BEARER)
        assert response.status == 502
    finally:
        await client.close()


async def test_review_queue_is_for_supervisors(client: TestClient) -> None:
    await _login(client, "alice", "alice password")
    await client.post(_correction(), json={"message_key": KEY, "label": "report_fault"}, headers=CSRF)
    forbidden = await client.get("/api/v1/nlu/review")
    assert forbidden.status == 403 and (await forbidden.json())["code"] == "forbidden"
    assert (await client.post("/api/v1/nlu/review/1", json={"decision": "accept"}, headers=CSRF)).status == 403
    assert (await client.get("/agent/review")).status == 403

    await _login(client, "sam", "sam password!")
    page = await (await client.get("/api/v1/nlu/review?status=pending&limit=10")).json()
    assert page["next_before"] is None and len(page["items"]) == 1
    item = page["items"][0]
    assert item["text"].startswith("我叫[name]") and "13812345678" not in item["text"]
    assert item["labels"][0]["actor"] == "alice" and item["winner"] == "report_fault" and item["agreement"] == 1.0
    assert (await client.post(f"/api/v1/nlu/review/{item['id']}", json={"decision": "accept"})).status == 403  # CSRF
    relabelled = await client.post(f"/api/v1/nlu/review/{item['id']}",
                                   json={"decision": "relabel", "label": "complaint"}, headers=CSRF)
    reviewed = await relabelled.json()
    assert relabelled.status == 200 and reviewed["review_status"] == "accepted"
    assert (reviewed["final_label"], reviewed["reviewed_by"], reviewed["winner"]) == ("complaint", "sam", "complaint")
    assert (await (await client.get("/api/v1/nlu/review")).json())["items"] == []
    accepted = await (await client.get("/api/v1/nlu/review?status=accepted")).json()
    assert [i["id"] for i in accepted["items"]] == [item["id"]]


@pytest.mark.parametrize(("path", "body", "status"), [
    ("/api/v1/nlu/review/999", {"decision": "reject"}, 404),
    ("/api/v1/nlu/review/abc", {"decision": "reject"}, 400),
    ("/api/v1/nlu/review/0", {"decision": "reject"}, 400),
    ("/api/v1/nlu/review/{labelled}", {"decision": "maybe"}, 400),
    ("/api/v1/nlu/review/{labelled}", {"decision": "relabel", "label": "nope"}, 400),
    ("/api/v1/nlu/review/{labelled}", {"decision": "relabel", "label": 5}, 400),
    ("/api/v1/nlu/review/{labelled}", ["decision"], 400),
    ("/api/v1/nlu/review/{unlabelled}", {"decision": "accept"}, 400),  # nothing to accept without a label
])
async def test_review_errors(client: TestClient, path: str, body: Any, status: int) -> None:
    from bot.web.keys import SERVICES_KEY

    await client.post(_correction(), json={"message_key": KEY, "label": "report_fault", "agent": "a"}, headers=BEARER)
    unlabelled = await client.server.app[SERVICES_KEY].nlu_feedback.record_uncertain(
        conversation_id="tg:other", message_key="1800000100.000000", channel="telegram", text="冰箱不冷",
        language="zh", predicted="report_fault", confidence=0.3, candidates=["report_fault"])
    await _login(client, "sam", "sam password!")
    labelled = next(i["id"] for i in (await (await client.get("/api/v1/nlu/review")).json())["items"]
                    if i["labels"])
    response = await client.post(path.format(labelled=labelled, unlabelled=unlabelled), json=body, headers=CSRF)
    assert response.status == status, await response.text()


@pytest.mark.parametrize("query", ["status=done", "limit=0", "limit=201", "limit=x", "before=-1",
                                   "max_confidence=2", "max_confidence=abc"])
async def test_review_queue_bad_queries(client: TestClient, query: str) -> None:
    assert (await client.get(f"/api/v1/nlu/review?{query}", headers=BEARER)).status == 400


async def test_bearer_token_reviews_name_the_supervisor(client: TestClient) -> None:
    await client.post(_correction(), json={"message_key": KEY, "label": "report_fault", "agent": "a"}, headers=BEARER)
    queue = await (await client.get("/api/v1/nlu/review?max_confidence=0.5", headers=BEARER)).json()
    example_id = queue["items"][0]["id"]
    path = f"/api/v1/nlu/review/{example_id}"
    assert (await client.post(path, json={"decision": "accept"}, headers=BEARER)).status == 400
    done = await client.post(path, json={"decision": "accept", "supervisor": "ops"}, headers=BEARER)
    assert done.status == 200 and (await done.json())["reviewed_by"] == "ops"


async def test_review_page_and_its_script(client: TestClient) -> None:
    stranger = await client.get("/agent/review", allow_redirects=False)
    assert stranger.status == 303 and stranger.headers["Location"] == "/agent/login?next=/agent/review"
    await _login(client, "sam", "sam password!")
    page = await client.get("/agent/review")
    csp = page.headers["Content-Security-Policy"]
    html = await page.text()
    assert page.status == 200 and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert '<script src="/agent/static/review.js"' in html and "<script>" not in html and "style=" not in html
    script = await client.get("/agent/static/review.js")
    assert script.status == 200 and "/api/v1/nlu/review" in await script.text()
    console = await (await client.get("/agent")).text()
    assert 'href="/agent/review"' in console and 'id="correct-label"' in console
    i18n = await (await client.get("/agent/static/i18n.js")).text()
    assert "correctCategory" in i18n and "更正分类" in i18n and "Correct category" in i18n


async def test_openapi_documents_the_endpoints(client: TestClient) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    correction = document["paths"]["/api/v1/conversations/{conversation_id}/triage-correction"]["post"]
    assert {"201", "400", "401", "403", "404", "502"} <= set(correction["responses"])
    assert correction["security"] == [{"agentBearer": []}]
    assert len(correction["requestBody"]["content"]["application/json"]["schema"]["properties"]["label"]["enum"]) == 11
    assert "get" in document["paths"]["/api/v1/nlu/review"]
    assert "403" in document["paths"]["/api/v1/nlu/review/{example_id}"]["post"]["responses"]
    triage = document["paths"]["/api/v1/conversations/{conversation_id}/assist"]["get"]["responses"]["200"]
    assert "message_key" in triage["content"]["application/json"]["schema"]["properties"]["triage"]["properties"]
