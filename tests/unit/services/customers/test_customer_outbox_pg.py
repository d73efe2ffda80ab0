"""The customer outbox on the real PostgreSQL: replicas (separate engines) queue each update once, send each
message once, and agents' repeats of one client id queue once."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.db.session import create_async_db_engine, make_session_factory
from bot.services.customers.outbox import CustomerOutbox
from bot.services.outbox.rows import RetryPolicy
from integrations.rasa.bridge import RasaBridge
from tests.customer_outbox_world import conversation_ticket, stored, web_sender
from tests.fakes.rasa import FakeRasa
from tests.provider_world import build_world

pytestmark = pytest.mark.postgres


async def test_replicas_queue_and_send_each_message_once_on_postgresql(pg_db_url: str) -> None:
    engines = [create_async_db_engine(pg_db_url) for _ in range(3)]
    rasa = FakeRasa(delay_s=0.1)
    await rasa.start()
    assert rasa.server is not None
    try:
        world = await build_world(make_session_factory(engines[0]))
        a = world.identity("OUT-A")
        for i in range(4):
            await world.provider.accept(a, await conversation_ticket(world, f"tg:{i}"))
        sender = web_sender()
        await world.provider.accept(a, await conversation_ticket(world, sender))
        async with aiohttp.ClientSession() as http:
            bridge = RasaBridge(str(rasa.server.make_url("")), "t", http)
            workers = [
                CustomerOutbox(make_session_factory(engine), bridge, RetryPolicy(delays_s=(0.0,)))
                for engine in engines
            ]
            queued = await asyncio.gather(
                *(w.enqueue_agent_message(sender, "马上到", "li.na", "same-id") for w in workers)
            )
            assert len({q.id for q in queued}) == 1 and sum(q.created for q in queued) == 1
            reports = await asyncio.gather(*(w.run_once() for w in workers))
        assert sum(r.created for r in reports) == 5
        rows = await stored(world.sessions)
        assert len(rows) == 6 and all(r.attempts == 1 for r in rows)
        assert sorted(r.status for r in rows) == ["pollable"] * 2 + ["sent"] * 4
        assert len(rasa.requests) == 6
        web = [r.body[0]["text"] for r in rasa.requests if r.query["output_channel"] == "collector"]
        assert web[0] == "马上到" and "受理" in web[1]  # the web chat's two, in the order they were queued
    finally:
        await rasa.close()
        for engine in engines:
            await engine.dispose()
