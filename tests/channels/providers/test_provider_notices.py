"""Routing notices in outlets' Telegram groups, posted by the provider bot to the fake Bot API: once per routing event
however many replicas run, again to the next outlet's group after a re-route, retried after a failure, skipped when
the ticket moved on first; the service posts them by itself; the CLI configures groups."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import select

from bot.cli import main
from bot.db.models import ProviderTelegramNotice
from bot.services.outbox.rows import RetryPolicy
from bot.services.providers.notifications import ProviderNotifier
from bot.services.providers.telegram_config import ProviderTelegramConfig
from integrations.telegram.client import BotApiClient
from integrations.telegram.provider_bot.group_bot import GroupBot
from tests.channels.providers.provider_bot_harness import GROUPS, service_settings, start_service
from tests.fakes.clock import Clock
from tests.fakes.telegram import TOKEN, FakeTelegram
from tests.provider_world import World


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[GroupBot]:
    async with aiohttp.ClientSession() as session:
        client = BotApiClient(session, TOKEN, fake.base_url)
        await client.initialize()
        yield GroupBot(client)
        await client.shutdown()


def _notifier(world: World, bot: GroupBot, clock: Clock | None = None) -> ProviderNotifier:
    return ProviderNotifier(world.sessions, bot, RetryPolicy(delays_s=(10.0, 10.0)), clock=clock or Clock())


async def _notices(world: World) -> list[ProviderTelegramNotice]:
    async with world.sessions() as session:
        return list((await session.execute(select(ProviderTelegramNotice).order_by(ProviderTelegramNotice.id)))
                    .scalars().all())


async def test_one_notice_per_routing_event_with_buttons_and_no_customer_details(
    world: World, bot: GroupBot, fake: FakeTelegram
) -> None:
    number = await world.routed_ticket()
    replicas = [_notifier(world, bot) for _ in range(3)]
    for _ in range(3):  # three replicas, three rounds each, at the same time
        await asyncio.gather(*(replica.run_once() for replica in replicas))
    [post] = fake.recorded("sendMessage")
    assert post.params["chat_id"] == GROUPS["OUT-A"]
    text = post.params["text"]
    assert number in text and "新工单" in text and "New ticket" in text and "广东省深圳市" in text
    assert "13812345678" not in text and "深圳南山科技园" not in text
    [[accept, reject]] = post.params["reply_markup"]["inline_keyboard"]
    assert (accept["callback_data"], reject["callback_data"]) == (f"acc:{number}", f"rej:{number}")
    [notice] = await _notices(world)
    assert (notice.status, notice.chat_id, notice.attempts) == ("sent", GROUPS["OUT-A"], 1)
    assert notice.message_id is not None


async def test_a_reroute_notifies_the_next_outlets_group_and_an_outlet_without_one_is_skipped(
    world: World, bot: GroupBot, fake: FakeTelegram
) -> None:
    number = await world.routed_ticket()
    notifier = _notifier(world, bot)
    await notifier.run_once()
    await world.provider.reject(world.identity("OUT-A"), number, "busy")  # → OUT-B
    await notifier.run_once()
    await world.provider.reject(world.identity("OUT-B"), number, "busy")  # → OUT-C, which has no group
    await notifier.run_once()
    posts = fake.recorded("sendMessage")
    assert [p.params["chat_id"] for p in posts] == [GROUPS["OUT-A"], GROUPS["OUT-B"]]
    assert "Re-routed" in posts[1].params["text"]
    assert [n.status for n in await _notices(world)] == ["sent", "sent"]


async def test_a_failed_post_is_retried_after_the_wait(world: World, bot: GroupBot, fake: FakeTelegram) -> None:
    clock = Clock()
    fake.failures["sendMessage"] = [{"ok": False, "error_code": 500, "description": "Internal Server Error"}]
    await world.routed_ticket()
    notifier = _notifier(world, bot, clock)
    report = await notifier.run_once()
    assert (report.created, report.retried) == (1, 1)
    [notice] = await _notices(world)
    assert (notice.status, notice.attempts) == ("pending", 1) and notice.last_error
    await notifier.run_once()
    assert len(fake.recorded("sendMessage")) == 1  # not due yet
    clock.now += timedelta(seconds=11)
    assert (await notifier.run_once()).delivered == 1
    assert len(fake.recorded("sendMessage")) == 2
    [notice] = await _notices(world)
    assert (notice.status, notice.attempts, notice.last_error) == ("sent", 2, None)


async def test_a_notice_gives_up_after_the_last_attempt(world: World, bot: GroupBot, fake: FakeTelegram) -> None:
    clock = Clock()
    fake.failures["sendMessage"] = [{"ok": False, "error_code": 403, "description": "Forbidden: bot was kicked"}] * 3
    await world.routed_ticket()
    notifier = _notifier(world, bot, clock)
    for _ in range(3):
        await notifier.run_once()
        clock.now += timedelta(seconds=11)
    [notice] = await _notices(world)
    assert (notice.status, notice.attempts) == ("failed", 3)
    assert "403" in (notice.last_error or "") and TOKEN not in (notice.last_error or "")


async def test_a_ticket_accepted_before_the_post_is_skipped(world: World, bot: GroupBot, fake: FakeTelegram) -> None:
    number = await world.routed_ticket()
    await world.provider.accept(world.identity("OUT-A"), number)  # in the portal, before the bot's round
    await _notifier(world, bot).run_once()
    assert fake.recorded("sendMessage") == []
    assert [n.status for n in await _notices(world)] == ["skipped"]


async def test_configuring_a_group_does_not_replay_the_past_and_disabling_drops_pending(
    world: World, bot: GroupBot, fake: FakeTelegram
) -> None:
    config = ProviderTelegramConfig(world.sessions)
    await config.disable("OUT-A")
    await world.routed_ticket()
    await config.configure("OUT-A", GROUPS["OUT-A"])  # after the routing event: it is not posted
    clock = Clock()
    notifier = _notifier(world, bot, clock)
    await notifier.run_once()
    assert fake.recorded("sendMessage") == []
    fake.failures["sendMessage"] = [{"ok": False, "error_code": 500, "description": "Internal Server Error"}]
    await world.routed_ticket()
    await notifier.run_once()  # posted, failed: pending again later
    assert await config.disable("OUT-A") == 1
    clock.now += timedelta(seconds=11)
    await notifier.run_once()
    assert len(fake.recorded("sendMessage")) == 1
    [notice] = await _notices(world)
    assert (notice.status, notice.last_error) == ("failed", "group disabled")


async def test_the_service_posts_notices_by_itself_once(
    db_url: str, world: World, fake: FakeTelegram
) -> None:
    client = await start_service(service_settings(db_url, fake.base_url, interval_s=0.05))
    try:
        number = await world.routed_ticket()
        await fake.until(lambda: bool(fake.recorded("sendMessage")))
        await asyncio.sleep(0.3)  # a second post, if there were one, would arrive now
    finally:
        await client.close()
    [post] = fake.recorded("sendMessage")
    assert number in post.params["text"]


def test_the_cli_sets_and_disables_an_outlets_group(
    db_url: str, world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["provider-telegram", "--outlet", "OUT-C", "--chat-id", "-1001234567890"]) == 0
    assert "-1001234567890" in capsys.readouterr().out
    assert main(["provider-telegram", "--outlet", "OUT-C", "--chat-id=42"]) == 2  # a user, not a group
    assert main(["provider-telegram", "--outlet", "OUT-Z", "--chat-id", "-100"]) == 2
    assert main(["provider-telegram", "--outlet", "OUT-C", "--disable"]) == 0
    assert "disabled" in capsys.readouterr().out
