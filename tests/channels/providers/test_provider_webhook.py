"""The provider bot's webhook on our service, against the fake Bot API: the request checks (secret 403, size 413,
malformed 400), a replayed update processed once, presses from the wrong group refused, and Accept / Reject carried
out as the outlet, answered and shown in the group."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.db.models import Ticket, TicketEvent
from bot.web.app import create_app
from bot.web.providers.telegram_webhook import WEBHOOK_PATH
from integrations.telegram.webhook import MAX_BODY_BYTES
from tests.channels.providers.provider_bot_harness import (
    GROUPS,
    SECRET,
    Hook,
    press,
    service_settings,
    start_service,
)
from tests.fakes.telegram import FakeTelegram
from tests.provider_world import World

PHONE, STREET = "13812345678", "深圳南山科技园"


@pytest.fixture
async def hook(db_url: str, fake: FakeTelegram, world: World) -> AsyncIterator[Hook]:
    client = await start_service(service_settings(db_url, fake.base_url, interval_s=0))  # no posting here
    yield Hook(client)
    await client.close()


async def _ticket(world: World, number: str) -> tuple[Ticket, list[TicketEvent]]:
    async with world.sessions() as session:
        ticket = (await session.execute(select(Ticket).where(Ticket.number == number))).scalar_one()
        events = (await session.execute(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id))).scalars().all()
    return ticket, list(events)


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x"])
async def test_a_missing_or_wrong_secret_is_403_and_nothing_happens(
    hook: Hook, fake: FakeTelegram, world: World, secret: str | None
) -> None:
    number = await world.routed_ticket()
    response = await hook.post(press(GROUPS["OUT-A"], f"acc:{number}"), secret=secret)
    assert response.status == 403
    assert (await _ticket(world, number))[0].status == "routed"
    assert fake.recorded() == []


@pytest.mark.parametrize("body", [b"{", b"[1, 2]", b"\xff\xfe", b'{"no": "update_id"}', b'{"update_id": "7"}',
                                  b'{"update_id": 7, "callback_query": {"id": 1}}'])
async def test_malformed_updates_are_400(hook: Hook, body: bytes) -> None:
    response = await hook.post(None, data=body, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert (await response.json())["code"] in {"malformed_json", "not_an_object", "not_an_update"}


async def test_a_body_over_one_mebibyte_is_413_declared_or_streamed(hook: Hook) -> None:
    big = b"x" * (MAX_BODY_BYTES + 1)
    assert (await hook.post(None, data=big)).status == 413

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: cut off while reading
        for _ in range(17):
            yield b" " * 65536

    assert (await hook.post(None, data=chunked())).status == 413


async def test_accept_in_the_group_accepts_as_the_outlet_answers_and_edits_the_notice(
    hook: Hook, fake: FakeTelegram, world: World
) -> None:
    number = await world.routed_ticket()
    update = press(GROUPS["OUT-A"], f"acc:{number}", message_id=7007)
    response = await hook.post(update)
    assert response.status == 200 and await response.json() == {"ok": True}
    ticket, events = await _ticket(world, number)
    assert ticket.status == "accepted"
    assert [(e.kind, e.actor) for e in events][-1] == ("accepted", "outlet:OUT-A")
    [answer] = fake.recorded("answerCallbackQuery")
    assert answer.params["callback_query_id"] == update["callback_query"]["id"]
    assert "Accepted" in answer.params["text"] and "已接单" in answer.params["text"]
    [edit] = fake.recorded("editMessageText")
    assert (edit.params["chat_id"], edit.params["message_id"]) == (GROUPS["OUT-A"], 7007)
    assert number in edit.params["text"] and "Accepted" in edit.params["text"]
    assert "reply_markup" not in edit.params  # the buttons are gone
    assert PHONE not in edit.params["text"] and STREET not in edit.params["text"]


async def test_a_replayed_update_is_processed_once(hook: Hook, fake: FakeTelegram, world: World) -> None:
    number = await world.routed_ticket()
    update = press(GROUPS["OUT-A"], f"rej:{number}")
    assert (await hook.post(update)).status == 200
    assert (await hook.post(update)).status == 200  # Telegram retrying, or two replicas
    _, events = await _ticket(world, number)
    assert [e.kind for e in events].count("rejected") == 1
    assert len(fake.recorded("answerCallbackQuery")) == 1


async def test_reject_in_the_group_reroutes_with_who_pressed_as_the_reason(
    hook: Hook, fake: FakeTelegram, world: World
) -> None:
    number = await world.routed_ticket()
    assert (await hook.post(press(GROUPS["OUT-A"], f"rej:{number}"))).status == 200
    ticket, events = await _ticket(world, number)
    assert (ticket.status, ticket.assigned_outlet_id) == ("rerouted", world.outlet_ids["OUT-B"])
    [rejection] = [e for e in events if e.kind == "rejected"]
    assert (rejection.actor, rejection.data["reason"]) == ("outlet:OUT-A", "rejected in Telegram by 4242")
    [edit] = fake.recorded("editMessageText")
    assert "Rejected" in edit.params["text"]


@pytest.mark.parametrize("chat", [GROUPS["OUT-B"], -1009999999999])
async def test_a_press_from_another_group_changes_nothing(
    hook: Hook, fake: FakeTelegram, world: World, chat: int
) -> None:
    number = await world.routed_ticket()  # assigned to OUT-A
    assert (await hook.post(press(chat, f"acc:{number}"))).status == 200
    assert (await _ticket(world, number))[0].status == "routed"
    [answer] = fake.recorded("answerCallbackQuery")
    assert "no longer assigned" in answer.params["text"]
    assert fake.recorded("editMessageText") == []


async def test_a_press_after_the_ticket_went_elsewhere_is_refused(hook: Hook, fake: FakeTelegram, world: World) -> None:
    number = await world.routed_ticket()
    await world.provider.reject(world.identity("OUT-A"), number, "busy")  # now OUT-B's
    assert (await hook.post(press(GROUPS["OUT-A"], f"acc:{number}"))).status == 200
    ticket, _ = await _ticket(world, number)
    assert (ticket.status, ticket.assigned_outlet_id) == ("rerouted", world.outlet_ids["OUT-B"])
    assert "no longer assigned" in fake.recorded("answerCallbackQuery")[0].params["text"]


async def test_a_press_in_a_closed_state_is_answered_not_possible(hook: Hook, fake: FakeTelegram, world: World) -> None:
    number = await world.routed_ticket()
    await world.provider.accept(world.identity("OUT-A"), number)
    assert (await hook.post(press(GROUPS["OUT-A"], f"rej:{number}"))).status == 200
    assert (await _ticket(world, number))[0].status == "accepted"
    assert "current status" in fake.recorded("answerCallbackQuery")[0].params["text"]


async def test_updates_that_are_not_our_buttons_are_acknowledged_and_ignored(hook: Hook, fake: FakeTelegram) -> None:
    chatter = {"update_id": 1, "message": {"message_id": 3, "date": 1764576100, "text": "早上好",
                                           "chat": {"id": GROUPS["OUT-A"], "type": "supergroup", "title": "g"}}}
    assert (await hook.post(chatter)).status == 200
    assert (await hook.post(press(GROUPS["OUT-A"], "something:else"))).status == 200
    assert fake.recorded() == []


async def test_the_webhook_answers_503_without_a_provider_bot_token(db_url: str) -> None:
    settings = replace(service_settings(db_url, "http://127.0.0.1:9"), provider_telegram_token=None)
    client = await start_service(settings)
    try:
        response = await client.post(WEBHOOK_PATH, json=press(GROUPS["OUT-A"], "acc:AS-20261201-ABCDEF"))
        assert response.status == 503
    finally:
        await client.close()


def test_a_token_without_a_webhook_secret_does_not_start(db_url: str) -> None:
    settings = replace(service_settings(db_url, "http://127.0.0.1:9"), provider_telegram_secret_token=None)
    with pytest.raises(ValueError, match="PROVIDER_TELEGRAM_SECRET_TOKEN"):
        create_app(settings)


async def test_the_bot_is_checked_at_start_and_closed_at_stop(db_url: str, fake: FakeTelegram) -> None:
    client: TestClient = await start_service(service_settings(db_url, fake.base_url, interval_s=0))
    await client.close()
    assert len(fake.recorded("getMe")) == 1
