"""The customer outbox on SQLite: ticket events become one update each (whoever scans, however often), and
delivery through a fake Rasa: the exact tracker-events call, retries, giving up, web-chat transcripts, order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest

from bot.domain.lifecycle import TicketStatus
from bot.services.customers.outbox import CustomerOutbox, CustomerOutboxReport
from bot.services.customers.update_scan import enqueue_ticket_updates
from bot.services.outbox.event_scan import read_cursor
from bot.services.outbox.rows import RetryPolicy
from bot.services.providers.status import StatusUpdate
from integrations.rasa.bridge import RasaBridge
from tests.customer_outbox_world import TELEGRAM_CHAT, conversation_ticket, stored, web_sender
from tests.fakes.clock import Clock
from tests.fakes.rasa import FakeRasa
from tests.provider_world import World

TOKEN = "rasa-token"
FAST = RetryPolicy(delays_s=(10.0, 10.0))


@pytest.fixture
async def bridge(rasa: FakeRasa) -> AsyncIterator[RasaBridge]:
    assert rasa.server is not None
    async with aiohttp.ClientSession() as http:
        yield RasaBridge(str(rasa.server.make_url("")), TOKEN, http)


def _outbox(world: World, bridge: RasaBridge | None, clock: Clock) -> CustomerOutbox:
    return CustomerOutbox(world.sessions, bridge, FAST, clock=clock)


async def test_each_customer_visible_event_becomes_one_update(world: World, bridge: RasaBridge) -> None:
    a = world.identity("OUT-A")
    number = await conversation_ticket(world)
    await world.provider.accept(a, number)
    clock = Clock()
    await world.provider.schedule(a, number, clock.now.replace(microsecond=0) + timedelta(days=2))
    for update in (StatusUpdate("in_repair"), StatusUpdate("waiting_parts"), StatusUpdate("resolved", "换了电容")):
        await world.provider.update_status(a, number, update)
    await world.provider.add_note(a, number, "内部备注")  # a note is not told
    assert await enqueue_ticket_updates(world.sessions, clock.now) == 5
    rows = await stored(world.sessions)
    assert [(r.kind, r.status, r.channel, r.conversation_id, r.language) for r in rows] == [
        ("ticket_update", "pending", "telegram", TELEGRAM_CHAT, "zh")] * 5
    assert rows[0].text == f"您的服务单 {number} 已被 网点OUT-A 受理，对方将尽快与您联系。"
    assert "上门服务" in rows[1].text and "北京时间" in rows[1].text
    assert rows[4].text.endswith("处理说明：换了电容")
    assert len({r.event_id for r in rows}) == 5 and all(r.ticket_id for r in rows)

    assert await enqueue_ticket_updates(world.sessions, clock.now) == 0  # a repeated scan adds nothing
    async with world.sessions() as session:
        assert await read_cursor(session, "customer_updates") == 0  # young events: the cursor waits
    clock.advance(120)
    assert await enqueue_ticket_updates(world.sessions, clock.now) == 0
    async with world.sessions() as session:
        assert await read_cursor(session, "customer_updates") == max(r.event_id or 0 for r in rows) + 1  # the note
    assert len(await stored(world.sessions)) == 5


async def test_concurrent_scans_create_each_update_once(world: World) -> None:
    a = world.identity("OUT-A")
    numbers = [await conversation_ticket(world, f"tg:{i}") for i in range(4)]
    for number in numbers:
        await world.provider.accept(a, number)
    clock = Clock()
    created = await asyncio.gather(*(enqueue_ticket_updates(world.sessions, clock.now) for _ in range(3)))
    assert sum(created) == 4
    assert sorted(r.conversation_id for r in await stored(world.sessions)) == [f"tg:{i}" for i in range(4)]


async def test_silent_events_and_english_and_rerouted_updates(world: World) -> None:
    a = world.identity("OUT-A")
    anonymous = await world.routed_ticket()  # no conversation: nobody to tell
    await world.provider.accept(a, anonymous)
    by_customer = await conversation_ticket(world, "tg:7")
    await world.tickets.transition(by_customer, TicketStatus.CANCELLED, "telegram:customer")
    by_ops = await conversation_ticket(world, "tg:8", language="en")
    await world.tickets.transition(by_ops, TicketStatus.CANCELLED, "system:ops")
    moved = await conversation_ticket(world, "tg:9", language="mixed")
    await world.provider.reject(a, moved, "too busy")  # re-routed to OUT-B
    await enqueue_ticket_updates(world.sessions, Clock().now)
    rows = await stored(world.sessions)
    assert [(r.conversation_id, r.language, r.text) for r in rows] == [
        ("tg:8", "en", f"Your service order {by_ops} has been cancelled. If you still need help, just send us a "
                       "message."),
        ("tg:9", "zh", f"您的服务单 {moved} 已转交 网点OUT-B 处理。"),
    ]


async def test_a_customer_who_writes_traditional_gets_updates_in_traditional(world: World) -> None:
    a = world.identity("OUT-A")
    number = await conversation_ticket(world, "tg:11", language="zh-Hant")
    await world.provider.accept(a, number)
    await enqueue_ticket_updates(world.sessions, Clock().now)
    [row] = await stored(world.sessions)
    assert row.language == "zh" and row.text == f"您的服務單 {number} 已被 網點OUT-A 受理，對方將盡快與您聯繫。"


async def test_delivery_appends_a_bot_event_and_sends_it_on_the_latest_channel(
    world: World, rasa: FakeRasa, bridge: RasaBridge, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    number = await conversation_ticket(world)
    await world.provider.accept(world.identity("OUT-A"), number)
    report = await _outbox(world, bridge, Clock()).run_once()
    assert (report.created, report.sent) == (1, 1)
    [request] = rasa.requests
    assert (request.method, request.raw_path) == ("POST", "/conversations/tg:42/tracker/events")
    assert request.query == {"output_channel": "latest", "execute_side_effects": "true", "token": TOKEN}
    [row] = await stored(world.sessions)
    assert request.body == [{"event": "bot", "text": row.text, "metadata": {"kind": "ticket_update"}}]
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None) and row.sent_at is not None
    assert row.text not in caplog.text and TOKEN not in caplog.text and "tg:42" not in caplog.text
    assert (await _outbox(world, bridge, Clock()).run_once()).sent == 0  # sent once


async def test_failures_are_retried_with_backoff_then_given_up(
    world: World, rasa: FakeRasa, bridge: RasaBridge
) -> None:
    rasa.status = 503
    number = await conversation_ticket(world)
    await world.provider.accept(world.identity("OUT-A"), number)
    clock = Clock()
    outbox = _outbox(world, bridge, clock)
    assert (await outbox.run_once()).retried == 1
    assert (await outbox.run_once()).retried == 0 and len(rasa.requests) == 1  # not due yet
    clock.advance(10)
    assert (await outbox.run_once()).retried == 1
    clock.advance(10)
    assert (await outbox.run_once()).failed == 1
    [row] = await stored(world.sessions)
    assert (row.status, row.attempts, row.sent_at) == ("failed", 3, None)
    assert row.last_error == "Rasa answered 503 to tracker/events"
    clock.advance(3600)
    assert await outbox.run_once() == CustomerOutboxReport() and len(rasa.requests) == 3


async def test_a_retry_that_succeeds_sends_the_same_message(world: World, rasa: FakeRasa, bridge: RasaBridge) -> None:
    rasa.status = 500
    number = await conversation_ticket(world)
    await world.provider.accept(world.identity("OUT-A"), number)
    clock = Clock()
    outbox = _outbox(world, bridge, clock)
    await outbox.run_once()
    rasa.status = 200
    clock.advance(10)
    assert (await outbox.run_once()).sent == 1
    assert len(rasa.requests) == 2 and rasa.requests[0].body == rasa.requests[1].body
    [row] = await stored(world.sessions)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)


async def test_a_conversations_messages_go_out_in_order(world: World, rasa: FakeRasa, bridge: RasaBridge) -> None:
    a = world.identity("OUT-A")
    number = await conversation_ticket(world)
    other = await conversation_ticket(world, "tg:43")
    await world.provider.accept(a, number)
    await world.provider.update_status(a, number, StatusUpdate("in_repair"))
    await world.provider.accept(a, other)
    rasa.status = 502
    clock = Clock()
    outbox = _outbox(world, bridge, clock)
    await outbox.run_once()
    # The first message of tg:42 failed: its second waits; tg:43 is not held up.
    assert sorted(r.raw_path for r in rasa.requests) == [
        "/conversations/tg:42/tracker/events", "/conversations/tg:43/tracker/events"]
    rasa.status = 200
    await outbox.run_once()
    assert len(rasa.requests) == 2  # still waiting for the retry of the first
    clock.advance(10)
    assert (await outbox.run_once()).sent == 3  # tg:42's two, in order, and tg:43's retry
    texts = [r.body[0]["text"] for r in rasa.requests if r.raw_path.startswith("/conversations/tg:42/")]
    assert "受理" in texts[0] and texts[1] == texts[0] and "开始维修" in texts[2]


async def test_two_workers_send_each_message_once(world: World, rasa: FakeRasa, bridge: RasaBridge) -> None:
    a = world.identity("OUT-A")
    for i in range(5):
        number = await conversation_ticket(world, f"tg:{100 + i}")
        await world.provider.accept(a, number)
    rasa.delay_s = 0.2  # both workers see the same due messages
    clock = Clock()
    await enqueue_ticket_updates(world.sessions, clock.now)
    first, second = _outbox(world, bridge, clock), _outbox(world, bridge, clock)
    results = await asyncio.gather(first.delivery.deliver_due(), second.delivery.deliver_due())
    assert sorted(results[0] + results[1]) == ["sent"] * 5
    assert len(rasa.requests) == 5 and len({r.raw_path for r in rasa.requests}) == 5


async def test_web_chat_updates_are_recorded_in_the_transcript_and_pollable(
    world: World, rasa: FakeRasa, bridge: RasaBridge
) -> None:
    sender = web_sender()
    number = await conversation_ticket(world, sender)
    await world.provider.accept(world.identity("OUT-A"), number)
    clock = Clock()
    outbox = _outbox(world, bridge, clock)
    await enqueue_ticket_updates(world.sessions, clock.now)
    [polled] = await outbox.web_chat_messages(sender, 0)  # served before (and whatever) its delivery
    assert (polled.kind, number in polled.text) == ("ticket_update", True)
    assert (await outbox.run_once()).pollable == 1
    [request] = rasa.requests
    assert request.raw_path == f"/conversations/{sender}/tracker/events"
    assert request.query == {"output_channel": "collector", "execute_side_effects": "true", "token": TOKEN}
    [row] = await stored(world.sessions)
    assert row.status == "pollable" and await outbox.web_chat_messages(sender, row.id) == []
    assert await outbox.web_chat_messages(web_sender(), 0) == []


async def test_web_chat_updates_stay_pollable_when_rasa_never_answers(
    world: World, rasa: FakeRasa, bridge: RasaBridge
) -> None:
    rasa.status = 500
    sender = web_sender()
    await world.provider.accept(world.identity("OUT-A"), await conversation_ticket(world, sender))
    clock = Clock()
    outbox = _outbox(world, bridge, clock)
    for _ in range(3):
        await outbox.run_once()
        clock.advance(10)
    [row] = await stored(world.sessions)
    assert (row.status, row.attempts) == ("pollable", 3) and row.last_error
    assert len(await outbox.web_chat_messages(sender, 0)) == 1


async def test_without_rasa_token_web_chat_messages_are_pollable_and_pushes_wait(world: World) -> None:
    a = world.identity("OUT-A")
    await world.provider.accept(a, await conversation_ticket(world))
    await world.provider.accept(a, await conversation_ticket(world, web_sender()))
    report = await _outbox(world, None, Clock()).run_once()
    assert (report.created, report.pollable, report.sent) == (2, 1, 0)
    assert [(r.channel, r.status, r.attempts) for r in await stored(world.sessions)] == [
        ("telegram", "pending", 0), ("rest", "pollable", 1)]


async def test_a_conversation_id_rasa_cannot_address_is_given_up_at_once(
    world: World, rasa: FakeRasa, bridge: RasaBridge
) -> None:
    await world.provider.accept(world.identity("OUT-A"), await conversation_ticket(world, "tg:1/../2"))
    report = await _outbox(world, bridge, Clock()).run_once()
    assert (report.created, report.failed, rasa.requests) == (1, 1, [])
    [row] = await stored(world.sessions)
    assert (row.status, row.attempts) == ("failed", 1) and "dot segments" in (row.last_error or "")
