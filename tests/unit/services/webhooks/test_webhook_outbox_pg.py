"""The webhook outbox on the real PostgreSQL: concurrent workers (separate engines, like replicas) deliver once."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from sqlalchemy import select

from bot.db.models import WebhookDelivery
from bot.db.session import create_async_db_engine, make_session_factory
from bot.services.outbox.rows import RetryPolicy
from bot.services.webhooks.outbox import WebhookOutbox
from integrations.webhooks.sender import WebhookSender
from tests.fakes.webhook_receiver import Receiver
from tests.webhook_world import build_network

pytestmark = pytest.mark.postgres


async def test_replicas_deliver_each_event_once_on_postgresql(pg_db_url: str) -> None:
    engines = [create_async_db_engine(pg_db_url) for _ in range(3)]
    receiver = Receiver(plan=[500, 500])
    await receiver.start()
    try:
        network = await build_network(make_session_factory(engines[0]))
        await network.hook(receiver, "WH-A")
        await network.hook(receiver, "WH-B")
        numbers = [await network.routed_ticket() for _ in range(4)]
        await network.tickets.reject(numbers[0], network.outlet_ids["WH-A"], "busy")  # → WH-B: ticket.rerouted
        async with aiohttp.ClientSession() as http:
            workers = [
                WebhookOutbox(make_session_factory(engine), WebhookSender(http), RetryPolicy(delays_s=(0.0,) * 5))
                for engine in engines
            ]
            for _ in range(4):  # the two 500s are retried at once (zero delays) by whichever worker claims first
                await asyncio.gather(*(w.run_once() for w in workers))
        async with network.sessions() as session:
            rows = (await session.execute(select(WebhookDelivery))).scalars().all()
        assert len(rows) == 5 and {r.status for r in rows} == {"delivered"}
        assert sum(r.attempts for r in rows) == 7 == len(receiver.received)
        ids = [r.delivery_id for r in receiver.received if r.path.endswith("WH-A")]
        assert len(set(ids)) == 4 and all(r.signature_ok for r in receiver.received)
        # Which deliveries meet the two planned 500s depends on arrival order: WH-B may see its one delivery twice.
        to_b = receiver.for_outlet("WH-B")
        assert {r.delivery_id for r in to_b} == {to_b[0].delivery_id}
        assert {r.json["event"] for r in to_b} == {"ticket.rerouted"}
    finally:
        await receiver.close()
        for engine in engines:
            await engine.dispose()
