"""The provider API over HTTP: keys, ownership (404), the ticket actions, bad bodies, the SLA sweeper, OpenAPI."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import update

from bot.db.models import Stock, Ticket
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.keys import SLA_SWEEPER_KEY
from tests.api.service import Serve
from tests.fakes.rasa import closed_port_url
from tests.provider_world import World

BASE = "/api/v1/provider"


def _settings(db_url: str, sweep: str = "0") -> Settings:
    base = Settings.from_env({"RASA_URL": closed_port_url()})
    return replace(base, database_url=db_url, csat_dispatch_interval_s=0, extra={"SLA_SWEEP_INTERVAL_S": sweep})


@pytest.fixture
async def client(db_url: str, world: World, serve: Serve) -> TestClient:
    return await serve(_settings(db_url))


def auth(world: World, code: str = "OUT-A") -> dict[str, str]:
    return {"Authorization": f"Bearer {world.api_keys[code]}"}


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer psk_wrongwrongwrongwrongwrongwrongwrongwrong123"}, {"Authorization": "Bearer "},
    {"Authorization": "Basic dXNlcjpwYXNz"}, {"X-Api-Key": "nope"}, {"Authorization": "Bearer 密钥"},
])
async def test_missing_or_wrong_key_is_401(client: TestClient, world: World, headers: dict[str, str]) -> None:
    number = await world.routed_ticket()
    for method, path in (("GET", f"{BASE}/tickets"), ("GET", f"{BASE}/tickets/{number}"),
                         ("POST", f"{BASE}/tickets/{number}/accept"), ("GET", f"{BASE}/me")):
        response = await client.request(method, path, headers=headers)
        assert response.status == 401, (method, path)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert (await response.json())["code"] == "unauthorised"
    assert (await world.tickets.get(number)).status == "routed"


async def test_bearer_and_x_api_key_work_and_revocation_takes_effect(client: TestClient, world: World) -> None:
    key = world.api_keys["OUT-A"]
    for headers in ({"Authorization": f"Bearer {key}"}, {"Authorization": f"bearer {key}"}, {"X-Api-Key": key}):
        response = await client.get(f"{BASE}/me", headers=headers)
        assert response.status == 200
        assert await response.json() == {"outlet_code": "OUT-A", "key_prefix": key[:12]}
    await world.keys.revoke(key[:12])
    response = await client.get(f"{BASE}/me", headers={"X-Api-Key": key})
    assert response.status == 401 and "WWW-Authenticate" in response.headers


async def test_another_outlets_ticket_is_404_like_a_missing_one(client: TestClient, world: World) -> None:
    number = await world.routed_ticket()  # OUT-A's
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "", None), ("POST", "/accept", None), ("POST", "/reject", {"reason": "x"}),
        ("POST", "/schedule", {"at": tomorrow}), ("POST", "/status", {"status": "in_repair"}),
        ("POST", "/notes", {"text": "hello"}),
    ]
    for method, suffix, body in calls:
        foreign = await client.request(method, f"{BASE}/tickets/{number}{suffix}", headers=auth(world, "OUT-B"),
                                       json=body)
        missing = await client.request(method, f"{BASE}/tickets/AS-20260101-ZZZZZZ{suffix}",
                                       headers=auth(world, "OUT-B"), json=body)
        assert foreign.status == missing.status == 404, suffix
        assert (await foreign.json())["code"] == (await missing.json())["code"] == "ticket_not_found"
    listing = await client.get(f"{BASE}/tickets", headers=auth(world, "OUT-B"))
    assert (await listing.json()) == {"items": [], "next_cursor": None}
    view = await world.tickets.get(number, with_events=True)
    assert view.status == "routed" and [e.kind for e in view.events] == ["created", "routed"]


async def test_accept_then_work_the_ticket(client: TestClient, world: World) -> None:
    number = await world.routed_ticket()
    url, headers = f"{BASE}/tickets/{number}", auth(world)
    listing = await (await client.get(f"{BASE}/tickets?status=routed", headers=headers)).json()
    assert [t["number"] for t in listing["items"]] == [number] and listing["items"][0]["contact"] is None
    first = await client.post(f"{url}/accept", headers=headers)
    second = await client.post(f"{url}/accept", headers=headers, json={})
    assert first.status == second.status == 200
    body = await second.json()
    assert body["status"] == "accepted" and body["contact"]["phone"] == "+8613812345678"
    assert [e["kind"] for e in body["events"]] == ["created", "routed", "accepted"]
    assert body["events"][-1]["actor"] == "outlet:OUT-A" and body["created_at"].endswith("+00:00")

    at = (datetime.now(timezone.utc) + timedelta(days=1)).replace(microsecond=0)
    zulu = at.isoformat().replace("+00:00", "Z")
    scheduled = await client.post(f"{url}/schedule", headers=headers, json={"at": zulu})
    assert scheduled.status == 200 and (await scheduled.json())["appointment_at"] == at.isoformat()

    part = {"status": "waiting_parts", "part_code": "SCR-TEST-1", "quantity": 2, "notes": "fan broken"}
    retry_headers = {**headers, "Idempotency-Key": "status-1"}
    for _ in range(2):  # a retried request (same key) reserves once
        response = await client.post(f"{url}/status", headers=retry_headers, json=part)
        assert response.status == 200
    body = await response.json()
    assert body["status"] == "waiting_parts" and len(body["reservations"]) == 1
    assert body["reservations"][0]["quantity"] == 2 and body["reservations"][0]["part_number"] == "SCR-TEST-1"
    again = await client.post(f"{url}/status", headers=headers, json=part)  # and without a key too
    assert len((await again.json())["reservations"]) == 1
    async with world.sessions() as session:
        reserved = (await session.execute(Stock.__table__.select())).one().reserved
    assert reserved == 2

    for note_try in range(2):
        response = await client.post(f"{url}/notes", headers={**headers, "Idempotency-Key": "n-1"},
                                     json={"text": "customer home after 18:00"})
        assert response.status == 200, note_try
    assert sum(e["kind"] == "note" for e in (await response.json())["events"]) == 1
    await client.post(f"{url}/status", headers=headers, json={"status": "in_repair"})
    done = await client.post(f"{url}/status", headers=headers, json={"status": "resolved", "notes": "new fan"})
    assert done.status == 200 and (await done.json())["status"] == "resolved"
    illegal = await client.post(f"{url}/accept", headers=headers)
    assert illegal.status == 200  # accepting a ticket that moved on is a retry, not an error
    illegal = await client.post(f"{url}/schedule", headers=headers, json={"at": at.isoformat()})
    assert illegal.status == 409 and (await illegal.json())["code"] == "illegal_transition"


async def test_reject_reroutes_to_another_outlet(client: TestClient, world: World) -> None:
    number = await world.routed_ticket()
    response = await client.post(f"{BASE}/tickets/{number}/reject", headers=auth(world), json={"reason": "no staff"})
    assert response.status == 200
    body = await response.json()
    assert (body["number"], body["status"], body["reason"]) == (number, "rejected", "no staff")
    retry = await client.post(f"{BASE}/tickets/{number}/reject", headers=auth(world), json={"reason": "no staff"})
    assert retry.status == 200 and (await retry.json())["rejected_at"] == body["rejected_at"]
    assert (await client.get(f"{BASE}/tickets/{number}", headers=auth(world))).status == 404
    mine = await client.get(f"{BASE}/tickets/{number}", headers=auth(world, "OUT-B"))
    assert mine.status == 200 and (await mine.json())["status"] == "rerouted"
    assert all(e["actor"] != "outlet:OUT-A" for e in (await mine.json())["events"])


@pytest.mark.parametrize(("suffix", "kwargs", "status"), [
    ("/reject", {"data": "not json"}, 400), ("/reject", {"json": ["reason"]}, 400), ("/reject", {"json": {}}, 400),
    ("/reject", {"json": {"reason": 7}}, 400), ("/reject", {"data": b"\xff\xfe"}, 400),
    ("/reject", {"data": '{"reason": "\\ud800"}'}, 400), ("/notes", {"json": {"text": "a\u0000b"}}, 400),
    ("/schedule", {"json": {"at": "tomorrow"}}, 400), ("/schedule", {"json": {"at": "2099-01-01T09:00:00"}}, 400),
    ("/schedule", {"json": {"at": "2001-01-01T09:00:00Z"}}, 400), ("/schedule", {"json": {"at": 5}}, 400),
    ("/schedule", {"json": {"at": "0001-01-01T00:00:00+01:00"}}, 400),
    ("/status", {"json": {"status": "closed"}}, 400), ("/status", {"json": {"status": "waiting_parts", "quantity": 1.5,
                                                                          "part_code": "SCR-TEST-1"}}, 400),
    ("/status", {"json": {"status": "waiting_parts", "quantity": True, "part_code": "SCR-TEST-1"}}, 400),
    ("/accept", {"data": "[1"}, 400),
    ("/notes", {"data": "x" * (64 * 1024 + 1)}, 413), ("/notes", {"json": {"text": "x" * 70_000}}, 413),
])
async def test_bad_bodies(client: TestClient, world: World, suffix: str, kwargs: dict[str, Any], status: int) -> None:
    number = await world.routed_ticket()
    await world.provider.accept(world.identity("OUT-A"), number)
    response = await client.post(f"{BASE}/tickets/{number}{suffix}", headers=auth(world), **kwargs)
    assert response.status == status
    body = await response.json()
    assert set(body) == {"error", "code"}
    events = (await world.tickets.get(number, with_events=True)).events
    assert [e.kind for e in events] == ["created", "routed", "accepted"]


async def test_chunked_oversize_body_is_413(client: TestClient, world: World) -> None:
    number = await world.routed_ticket()

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(80):
            yield b"x" * 1024

    response = await client.post(f"{BASE}/tickets/{number}/notes", headers=auth(world), data=chunks())
    assert response.status == 413


async def test_bad_queries(client: TestClient, world: World) -> None:
    for query in ("status=lost", "limit=abc", "limit=0", "limit=1000", "cursor=abc", "cursor=-1"):
        response = await client.get(f"{BASE}/tickets?{query}", headers=auth(world))
        assert response.status == 400, query
    bad_key = await client.post(f"{BASE}/tickets/AS-20260101-ZZZZZZ/accept",
                                headers={**auth(world), "Idempotency-Key": "x" * 300})
    assert bad_key.status == 400


async def test_sla_sweeper_runs_in_the_app(db_url: str, world: World) -> None:
    number = await world.routed_ticket()
    async with world.sessions() as session, session.begin():
        await session.execute(update(Ticket).where(Ticket.number == number).values(
            sla_accept_due_at=datetime.now(timezone.utc) - timedelta(minutes=1)))
    app = create_app(_settings(db_url, sweep="0.05"))
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        task = app[SLA_SWEEPER_KEY]
        assert task is not None and not task.done()
        for _ in range(100):
            if (await world.tickets.get(number)).status == "rerouted":
                break
            await asyncio.sleep(0.05)
    finally:
        await client.close()
    assert task.done()
    view = await world.tickets.get(number)
    assert view.status == "rerouted" and world.code_of(view.assigned_outlet_id) == "OUT-B"


async def test_sweeper_is_off_with_zero_and_a_bad_interval_fails_fast(db_url: str) -> None:
    app = create_app(_settings(db_url, sweep="0"))
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        assert app[SLA_SWEEPER_KEY] is None
    finally:
        await client.close()
    with pytest.raises(ValueError, match="SLA_SWEEP_INTERVAL_S"):
        create_app(_settings(db_url, sweep="soon"))


async def test_openapi_describes_every_api_route(client: TestClient) -> None:
    response = await client.get("/api/openapi.json")
    assert response.status == 200
    spec = await response.json()
    assert spec["openapi"].startswith("3.") and set(spec["components"]["securitySchemes"]) == {
        "providerBearer", "providerApiKey", "agentBearer"}
    app_routes = {
        (route.method.lower(), route.resource.canonical)
        for route in client.server.app.router.routes()
        if route.resource is not None and route.resource.canonical.startswith("/api/v1/") and route.method != "HEAD"
    }
    documented = {(method, path) for path, item in spec["paths"].items() for method in item}
    assert app_routes == documented


async def test_logs_carry_no_keys_phones_or_addresses(client: TestClient, world: World,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    caplog.set_level(logging.INFO)  # drivers' debug output (SQL parameters) is not ours to police
    number = await world.routed_ticket()
    await client.post(f"{BASE}/tickets/{number}/accept", headers=auth(world))
    await client.post(f"{BASE}/tickets/{number}/notes", headers=auth(world), json={"text": "call 13812345678"})
    await client.post(f"{BASE}/tickets/{number}/reject", headers=auth(world), json={"reason": "x"})
    await client.get(f"{BASE}/me", headers={"X-Api-Key": world.api_keys["OUT-B"] + "x"})
    text = caplog.text
    assert number in text  # the events are logged …
    for secret in (*world.api_keys.values(), "13812345678", "深圳南山科技园", "OUT-A Road"):
        assert secret not in text  # … without keys, phone numbers or addresses
