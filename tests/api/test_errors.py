"""One error mapping for every API.

A domain error raised in a view gets the table's status and the one body `{"error", "code"}`; an upstream failure
is 502 in the agent and the provider API alike; a malformed JSON body is 400 with that body everywhere; the OpenAPI
document describes the body once.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.domain.errors import (
    ConflictError,
    DomainError,
    HandoffNotFoundError,
    IllegalTransitionError,
    InsufficientStockError,
    NotFoundError,
    PayloadTooLargeError,
    UpstreamError,
    ValidationError,
)
from bot.settings import Settings
from bot.web.app import error_middleware
from bot.web.errors import STATUS_BY_ERROR, read_json_object, status_for
from bot.web.keys import SERVICES_KEY
from tests.api.service import Serve
from tests.fakes.rasa import closed_port_url
from tests.provider_world import World

AGENT_TOKEN = "agent-token-123"
AGENT = {"Authorization": f"Bearer {AGENT_TOKEN}"}


@pytest.mark.parametrize(("error", "status"), [
    (ValidationError("bad"), 400), (NotFoundError("gone"), 404), (HandoffNotFoundError("no handoff"), 404),
    (IllegalTransitionError("not now"), 409), (InsufficientStockError("none left"), 409),
    (ConflictError("taken"), 409), (PayloadTooLargeError("too big"), 413), (UpstreamError("Rasa down"), 502),
    (DomainError("other"), 400),
])
async def test_a_domain_error_raised_in_a_view_gets_the_table_status_and_the_one_body(
    error: DomainError, status: int
) -> None:
    """A view that just raises: the middleware answers with the table's status and the error body."""
    async def view(request: web.Request) -> web.StreamResponse:
        raise error

    app = web.Application(middlewares=[error_middleware])
    app.router.add_get("/boom", view)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        response = await client.get("/boom")
        assert response.status == status == status_for(error)
        assert await response.json() == {"error": error.message, "code": error.code}
    finally:
        await client.close()


def test_every_kind_in_the_table_is_a_domain_error() -> None:
    """The table only maps domain errors, to error statuses."""
    assert all(issubclass(kind, DomainError) and 400 <= status < 600 for kind, status in STATUS_BY_ERROR)


async def test_read_json_object_refuses_what_is_not_an_object() -> None:
    """Malformed, non-object and empty bodies are 400; too large is 413; optional empty is {}."""
    async def view(request: web.Request) -> web.StreamResponse:
        return web.json_response(await read_json_object(request, limit=1024, optional=request.query.get("o") == "1"))

    app = web.Application(middlewares=[error_middleware])
    app.router.add_post("/echo", view)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        for body in (b"{", b"[1]", b"\xff", b"", b'"text"', b"[" * 100_000):
            response = await client.post("/echo", data=body)
            assert response.status == (413 if len(body) > 1024 else 400), body[:10]
        assert await (await client.post("/echo", data=b"{")).json() == {
            "error": "body must be a JSON object", "code": "validation_error"}
        assert await (await client.post("/echo", data=b"x" * 2048)).json() == {
            "error": "body larger than 1 KiB", "code": "payload_too_large"}
        assert await (await client.post("/echo?o=1", data=b"")).json() == {}
        assert await (await client.post("/echo", data=b'{"a": 1}')).json() == {"a": 1}
    finally:
        await client.close()


def _settings(db_url: str) -> Settings:
    base = Settings.from_env({"AGENT_API_TOKEN": AGENT_TOKEN, "RASA_TOKEN": "rasa-token", "RASA_URL": closed_port_url(),
                              "AGENT_SESSION_SECRET": "a-long-enough-session-secret"})
    return replace(base, database_url=db_url, csat_dispatch_interval_s=0, webhook_interval_s=0,
                   customer_outbox_interval_s=0, extra={"SLA_SWEEP_INTERVAL_S": "0"})


@pytest.fixture
async def client(db_url: str, world: World, serve: Serve) -> TestClient:
    """Our whole service, with Rasa unreachable and no workers."""
    return await serve(_settings(db_url))


def _provider(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.api_keys['OUT-A']}"}


async def test_an_upstream_failure_is_502_in_the_agent_api_and_in_the_provider_api(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same `UpstreamError` is 502 with the same body in both APIs (the provider API used to say 400)."""
    async def upstream_down(*args: Any, **kwargs: Any) -> Any:
        raise UpstreamError("Rasa is unreachable (ClientConnectorError)")

    assert client.app is not None
    services = client.app[SERVICES_KEY]
    monkeypatch.setattr(services.provider_tickets, "get", upstream_down)
    monkeypatch.setattr(services.handoff, "list_queue", upstream_down)
    expected = {"error": "Rasa is unreachable (ClientConnectorError)", "code": "upstream_error"}
    provider = await client.get("/api/v1/provider/tickets/AS-20260101-ABCDEF", headers=_provider(world))
    agent = await client.get("/api/v1/handoffs", headers=AGENT)
    assert (provider.status, await provider.json()) == (502, expected)
    assert (agent.status, await agent.json()) == (502, expected)
    took = await client.post("/api/v1/conversations/tg:42/takeover", json={"agent": "alice"}, headers=AGENT)
    assert took.status == 502 and (await took.json())["code"] == "upstream_error"  # the real bridge, Rasa down


async def test_malformed_json_is_400_with_the_one_body_in_every_api(client: TestClient, world: World) -> None:
    """Provider API, handoff API, conversation API, NLU feedback and sign-in read bodies the same way."""
    number = await world.routed_ticket()
    posts = [
        (f"/api/v1/provider/tickets/{number}/reject", _provider(world)),
        ("/api/v1/handoffs/1/take", AGENT),
        ("/api/v1/conversations/tg:42/messages", AGENT),
        ("/api/v1/conversations/tg:42/triage-correction", AGENT),
        ("/agent/login", {"X-Requested-With": "agent-console", "Content-Type": "application/json"}),
    ]
    for path, headers in posts:
        response = await client.post(path, data=b'{"agent": ', headers={"Content-Type": "application/json", **headers})
        assert response.status == 400, path
        assert await response.json() == {"error": "body must be a JSON object", "code": "validation_error"}, path


async def test_http_errors_of_aiohttp_get_the_same_body(client: TestClient) -> None:
    """The 404 and 405 of aiohttp itself carry a code too."""
    missing = await client.get("/api/v1/nothing-here")
    assert (missing.status, await missing.json()) == (404, {"error": "Not Found", "code": "not_found"})
    wrong_method = await client.delete("/api/v1/handoffs")
    assert wrong_method.status == 405 and (await wrong_method.json())["code"] == "method_not_allowed"


async def test_the_openapi_document_describes_the_error_body_once(client: TestClient) -> None:
    """Every error answer of every operation refers to the one `Error` schema."""
    document = await (await client.get("/api/openapi.json")).json()
    error = document["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"error", "code"}
    refs = set()
    for operations in document["paths"].values():
        for operation in operations.values():
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    refs.add(answer["content"]["application/json"]["schema"]["$ref"])
    assert refs == {"#/components/schemas/Error"}
