"""Provider group notices on the real PostgreSQL: replicas with engines of their own post each routing event once,
with supergroup ids beyond 32 bits, and a press in the group accepts the ticket there too."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from sqlalchemy import select

from bot.db.models import ProviderTelegramNotice
from bot.db.session import create_async_db_engine, make_session_factory
from bot.services.outbox.rows import RetryPolicy
from bot.services.providers.group_actions import ProviderGroupActions
from bot.services.providers.notifications import ProviderNotifier
from integrations.telegram.client import BotApiClient
from integrations.telegram.provider_bot.group_bot import GroupBot
from tests.channels.providers.provider_bot_harness import GROUPS, grouped_world
from tests.fakes.telegram import TOKEN, FakeTelegram

pytestmark = pytest.mark.postgres


async def test_replicas_post_each_routing_event_once_on_postgresql(pg_db_url: str) -> None:
    engines = [create_async_db_engine(pg_db_url) for _ in range(3)]
    fake = FakeTelegram(failures={"sendMessage": [{"ok": False, "error_code": 500, "description": "oops"}]})
    await fake.start()
    try:
        world = await grouped_world(make_session_factory(engines[0]))
        numbers = [await world.routed_ticket() for _ in range(3)]
        async with aiohttp.ClientSession() as http:
            client = BotApiClient(http, TOKEN, fake.base_url)
            await client.initialize()
            bot = GroupBot(client)
            now = RetryPolicy(delays_s=(0.0, 0.0))
            replicas = [ProviderNotifier(make_session_factory(e), bot, now) for e in engines]
            for round_no in range(4):  # the 500 is retried at once (zero delay) by whichever replica claims first
                if round_no == 2:
                    await world.provider.reject(world.identity("OUT-A"), numbers[0], "busy")  # → OUT-B: re-routed
                await asyncio.gather(*(r.run_once() for r in replicas))
            outcome = await ProviderGroupActions(world.sessions, world.provider).press(
                GROUPS["OUT-A"], "acc", numbers[1], 4242, "cbq-pg")
            await client.shutdown()
        async with world.sessions() as session:
            rows = (await session.execute(select(ProviderTelegramNotice))).scalars().all()
        assert len(rows) == 4 and {r.status for r in rows} == {"sent"}  # 3 routed + 1 re-routed
        assert sum(r.attempts for r in rows) == 5 == len(fake.recorded("sendMessage"))
        assert {r.chat_id for r in rows} == {GROUPS["OUT-A"], GROUPS["OUT-B"]}
        assert outcome.result == "accepted"
    finally:
        await fake.close()
        for engine in engines:
            await engine.dispose()
