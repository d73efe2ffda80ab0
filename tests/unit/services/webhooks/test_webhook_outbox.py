"""The webhook outbox on SQLite against a real local receiver that checks signatures independently."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
from sqlalchemy import func, select

from bot.db.models import TicketEvent, WebhookCursor, WebhookDelivery
from bot.db.session import SessionFactory
from bot.domain.lifecycle import TicketStatus
from bot.domain.taxonomy import Category
from bot.services.outbox.rows import RetryPolicy
from bot.services.tickets.types import NewTicket
from bot.services.webhooks.outbox import WebhookOutbox
from integrations.webhooks.sender import WebhookSender
from tests.fakes.clock import Clock
from tests.fakes.webhook_receiver import Receiver
from tests.webhook_world import PHONE, Network, build_network

FAST = RetryPolicy(delays_s=(10.0, 10.0, 10.0, 10.0, 10.0))


@pytest.fixture
async def network(session_factory: SessionFactory) -> Network:
    return await build_network(session_factory)


def _outbox(network: Network, http: object, clock: Clock, policy: RetryPolicy = FAST) -> WebhookOutbox:
    return WebhookOutbox(network.sessions, WebhookSender(http, timeout_s=2.0), policy, clock=clock)  # type: ignore[arg-type]


async def _deliveries(sessions: SessionFactory) -> list[WebhookDelivery]:
    async with sessions() as session:
        return list((await session.execute(select(WebhookDelivery).order_by(WebhookDelivery.id))).scalars().all())


async def test_routing_sends_one_signed_delivery(network: Network, receiver: Receiver, http: object) -> None:
    await network.hook(receiver, "WH-A")
    number = await network.routed_ticket()
    report = await _outbox(network, http, Clock()).run_once()
    assert (report.created, report.delivered) == (1, 1)
    [got] = receiver.for_outlet("WH-A")
    assert got.signature_ok and got.fresh
    body = got.json
    assert body["delivery_id"] == got.delivery_id and body["event"] == "ticket.routed"
    assert set(body) == {"delivery_id", "event", "occurred_at", "ticket"}
    ticket = body["ticket"]
    assert set(ticket) == {"number", "category", "priority", "status", "service_type", "language", "brand",
                           "product_category", "symptom", "location_text", "sla_accept_due_at"}
    assert (ticket["number"], ticket["status"], ticket["product_category"]) == (number, "routed", "air_conditioner")
    assert ticket["location_text"] == "广东省深圳市" and ticket["sla_accept_due_at"].endswith("+00:00")
    assert ticket["brand"] and ticket["symptom"].startswith("空调不制冷")
    raw = got.body.decode()
    assert PHONE not in raw and PHONE[-8:] not in raw and "科苑路" not in raw  # no phone, no street address
    [row] = await _deliveries(network.sessions)
    assert (row.status, row.attempts, row.last_status_code, row.event) == ("delivered", 1, 200, "ticket.routed")
    assert row.delivered_at is not None and row.outlet_id == network.outlet_ids["WH-A"]


async def test_failing_twice_then_succeeding_keeps_the_delivery_id(
    network: Network, receiver: Receiver, http: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.services.webhooks.outbox")
    await network.hook(receiver, "WH-A")
    await network.routed_ticket()
    receiver.plan = [500, 503]
    clock = Clock()
    outbox = _outbox(network, http, clock)
    assert (await outbox.run_once()).retried == 1
    assert (await outbox.run_once()).retried == 0  # not due yet: nothing is sent
    assert len(receiver.received) == 1
    clock.advance(10)
    assert (await outbox.run_once()).retried == 1
    clock.advance(10)
    assert (await outbox.run_once()).delivered == 1
    got = receiver.for_outlet("WH-A")
    assert len(got) == 3 and len({r.delivery_id for r in got}) == 1 and all(r.signature_ok for r in got)
    assert len({r.body for r in got}) == 1  # the same body each time; only the timestamp and signature change
    [row] = await _deliveries(network.sessions)
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("delivered", 3, 200, None)
    messages = [r.getMessage() for r in caplog.records]
    retries = [m for m in messages if m.startswith("webhook.retry_scheduled")]
    assert len(retries) == 2 and "status=500" in retries[0] and row.delivery_id in retries[0]
    assert any(m.startswith("webhook.delivered") and "status=200" in m for m in messages)


async def test_running_twice_or_concurrently_delivers_once(network: Network, receiver: Receiver, http: object) -> None:
    await network.hook(receiver, "WH-A")
    numbers = [await network.routed_ticket() for _ in range(3)]
    clock = Clock()
    workers = [_outbox(network, http, clock) for _ in range(3)]
    await asyncio.gather(*(w.run_once() for w in workers))
    await asyncio.gather(*(w.run_once() for w in workers))
    await workers[0].run_once()
    got = receiver.for_outlet("WH-A")
    assert sorted(r.json["ticket"]["number"] for r in got) == sorted(numbers)
    rows = await _deliveries(network.sessions)
    assert len(rows) == 3 and {r.status for r in rows} == {"delivered"} and {r.attempts for r in rows} == {1}


async def test_gives_up_after_the_last_attempt(
    network: Network, receiver: Receiver, http: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.services.webhooks.outbox")
    await network.hook(receiver, "WH-A")
    await network.routed_ticket()
    receiver.plan = [500] * 20
    clock = Clock()
    outbox = _outbox(network, http, clock, RetryPolicy(delays_s=(1.0, 2.0)))
    for _ in range(6):
        await outbox.run_once()
        clock.advance(5)
    [row] = await _deliveries(network.sessions)
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("failed", 3, 500, "HTTP 500")
    assert len(receiver.received) == 3
    [failed] = [r for r in caplog.records if r.getMessage().startswith("webhook.failed")]
    assert failed.levelno == logging.WARNING and row.delivery_id in failed.getMessage()


async def test_a_reroute_after_a_rejection_reaches_the_new_outlet(
    network: Network, receiver: Receiver, http: object
) -> None:
    await network.hook(receiver, "WH-A")
    await network.hook(receiver, "WH-B")
    number = await network.routed_ticket()
    outbox = _outbox(network, http, Clock())
    await outbox.run_once()
    view = await network.tickets.reject(number, network.outlet_ids["WH-A"], "no technician free")
    assert view.assigned_outlet_id == network.outlet_ids["WH-B"]
    await outbox.run_once()
    assert [r.json["event"] for r in receiver.for_outlet("WH-A")] == ["ticket.routed"]
    [rerouted] = receiver.for_outlet("WH-B")
    assert rerouted.signature_ok and rerouted.json["event"] == "ticket.rerouted"
    assert rerouted.json["ticket"]["status"] == "rerouted"


async def test_outlets_without_a_webhook_get_nothing(network: Network, receiver: Receiver, http: object) -> None:
    await network.hook(receiver, "WH-B")  # the ticket goes to WH-A, which has none
    await network.routed_ticket()
    report = await _outbox(network, http, Clock()).run_once()
    assert report.created == 0 and receiver.received == [] and await _deliveries(network.sessions) == []


async def test_a_customer_cancellation_is_sent_to_the_outlet(
    network: Network, receiver: Receiver, http: object
) -> None:
    await network.hook(receiver, "WH-A")
    number = await network.routed_ticket()
    unrouted = await network.tickets.create(
        NewTicket(idempotency_key=uuid.uuid4().hex, category=Category.REPORT_FAULT, channel="rest", channel_user_id="u")
    )
    await network.tickets.transition(unrouted.number, TicketStatus.CANCELLED, "rest:customer")  # no outlet held it
    await network.tickets.transition(number, TicketStatus.CANCELLED, "rest:customer")
    await _outbox(network, http, Clock()).run_once()
    got = receiver.for_outlet("WH-A")
    assert [r.json["event"] for r in got] == ["ticket.routed", "ticket.cancelled"]
    assert got[1].json["ticket"]["status"] == "cancelled" and got[1].signature_ok


async def test_the_secret_and_the_body_never_reach_the_logs(
    network: Network, receiver: Receiver, http: object, caplog: pytest.LogCaptureFixture
) -> None:
    # Everything at INFO, ours and aiohttp's at DEBUG. (The database driver's DEBUG log prints SQL parameters,
    # phone numbers included: production never runs it at DEBUG.)
    caplog.set_level(logging.INFO)
    for name in ("bot", "integrations", "aiohttp"):
        caplog.set_level(logging.DEBUG, logger=name)
    secret = await network.hook(receiver, "WH-A")
    await network.routed_ticket()
    receiver.plan = [500]
    clock = Clock()
    outbox = _outbox(network, http, clock)
    await outbox.run_once()
    clock.advance(10)
    await outbox.run_once()
    assert len(receiver.received) == 2 and receiver.received[-1].signature_ok
    assert caplog.records and secret not in caplog.text and secret[6:20] not in caplog.text
    assert "空调" not in caplog.text and "delivery_id" not in caplog.text  # nothing of the body
    assert "webhook.delivered" in caplog.text and "webhook.retry_scheduled" in caplog.text


async def test_configuring_does_not_replay_the_past(network: Network, receiver: Receiver, http: object) -> None:
    await network.routed_ticket()
    await network.hook(receiver, "WH-A")
    await _outbox(network, http, Clock()).run_once()
    assert receiver.received == []


async def test_disabling_drops_pending_deliveries(network: Network, receiver: Receiver, http: object) -> None:
    await network.hook(receiver, "WH-A")
    await network.routed_ticket()
    receiver.plan = [500]
    clock = Clock()
    outbox = _outbox(network, http, clock)
    await outbox.run_once()
    assert await network.config.disable("WH-A") == 1
    clock.advance(60)
    await network.routed_ticket(channel_user_id="another")
    await outbox.run_once()
    assert len(receiver.received) == 1
    [row] = await _deliveries(network.sessions)
    assert (row.status, row.last_error) == ("failed", "webhook disabled")
    # Configured again: a new secret, and new events flow again, signed with it.
    old = receiver.secrets["WH-A"]
    assert await network.hook(receiver, "WH-A") != old
    await network.routed_ticket(channel_user_id="third")
    await outbox.run_once()
    assert len(receiver.received) == 2 and receiver.received[-1].signature_ok


async def test_an_unreachable_receiver_is_retried_without_a_status(network: Network, http: object) -> None:
    receiver = Receiver()
    await receiver.start()
    await network.hook(receiver, "WH-A")
    await receiver.close()  # nothing listens there any more
    await network.routed_ticket()
    assert (await _outbox(network, http, Clock()).run_once()).retried == 1
    [row] = await _deliveries(network.sessions)
    assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, None)
    assert row.last_error is not None and row.last_error.startswith("connection failed")


async def test_the_cursor_only_moves_over_settled_events(network: Network, receiver: Receiver, http: object) -> None:
    await network.hook(receiver, "WH-A")
    await network.routed_ticket()
    clock = Clock()
    outbox = _outbox(network, http, clock)
    await outbox.run_once()
    async with network.sessions() as session:
        assert (await session.execute(select(WebhookCursor))).scalars().all() == []  # events are seconds old
        latest = (await session.execute(select(func.max(TicketEvent.id)))).scalar_one()
    clock.advance(120)
    await outbox.run_once()
    async with network.sessions() as session:
        [cursor] = (await session.execute(select(WebhookCursor))).scalars().all()
    assert cursor.event_id == latest and len(receiver.received) == 1
