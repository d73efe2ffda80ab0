"""The provider flow on the real PostgreSQL: keys, accept, reject and re-route, SLA timeout, part reservation,
and concurrent retries of one acceptance."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.db.models import utcnow
from bot.db.session import create_async_db_engine, make_session_factory
from bot.services.providers.status import StatusUpdate
from bot.services.tickets.sla_sweeper import SweepReport, reroute_overdue
from bot.settings import Settings
from bot.web.app import create_app
from tests.fakes.rasa import closed_port_url
from tests.provider_world import World, build_world

pytestmark = pytest.mark.postgres


@pytest.fixture
async def world(pg_db_url: str) -> AsyncIterator[World]:
    engine = create_async_db_engine(pg_db_url)
    try:
        yield await build_world(make_session_factory(engine))
    finally:
        await engine.dispose()


async def test_provider_flow_on_postgresql(world: World) -> None:
    number = await world.routed_ticket()
    a = world.identity("OUT-A")
    views = await asyncio.gather(*(world.provider.accept(a, number) for _ in range(5)))
    assert {v.status for v in views} == {"accepted"}
    update = StatusUpdate("waiting_parts", part_code="SCR-TEST-1", quantity=2)
    await asyncio.gather(*(world.provider.update_status(a, number, update) for _ in range(3)))
    view = await world.provider.get(a, number)
    assert [e.kind for e in view.events].count("accepted") == 1
    assert [e.kind for e in view.events].count("waiting_parts") == 1 and len(view.reservations) == 1

    other = await world.routed_ticket()
    await world.provider.reject(a, other, "busy")
    assert world.code_of((await world.tickets.get(other)).assigned_outlet_id) == "OUT-B"
    report = await reroute_overdue(world.sessions, world.tickets, utcnow() + timedelta(days=1))
    assert report == SweepReport(rerouted=1)
    assert world.code_of((await world.tickets.get(other)).assigned_outlet_id) == "OUT-C"


async def test_api_on_postgresql(pg_db_url: str, world: World) -> None:
    settings = replace(Settings.from_env({"RASA_URL": closed_port_url()}), database_url=pg_db_url,
                       csat_dispatch_interval_s=0, extra={"SLA_SWEEP_INTERVAL_S": "0"})
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    try:
        number = await world.routed_ticket()
        headers = {"X-Api-Key": world.api_keys["OUT-A"]}
        listing = await client.get("/api/v1/provider/tickets?status=routed", headers=headers)
        assert [t["number"] for t in (await listing.json())["items"]] == [number]
        accepted = await client.post(f"/api/v1/provider/tickets/{number}/accept", headers=headers)
        assert accepted.status == 200 and (await accepted.json())["sla_accept_due_at"].endswith("+00:00")
        note = await client.post(f"/api/v1/provider/tickets/{number}/notes", headers=headers,
                                 json={"text": "a\u0000b"})
        assert note.status == 400  # PostgreSQL text cannot hold NUL: refused before it gets there
        foreign = await client.get(f"/api/v1/provider/tickets/{number}", headers={"X-Api-Key": world.api_keys["OUT-B"]})
        assert foreign.status == 404
    finally:
        await client.close()
