"""RasaBridge against a fake Rasa server: exact paths, query and bodies; typed errors that never carry the token."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from bot.domain.errors import UpstreamError, ValidationError
from integrations.rasa.bridge import CSAT_ASK_ACTION, CSAT_TICKET_SLOT, RasaBridge
from tests.fakes.rasa import FakeRasa, closed_port_url

TOKEN = "s3cret-token"


def _base(rasa: FakeRasa) -> str:
    assert rasa.server is not None
    return str(rasa.server.make_url("")).rstrip("/")


async def test_resume_appends_a_resume_event_and_a_listen(rasa: FakeRasa, http: aiohttp.ClientSession) -> None:
    await RasaBridge(_base(rasa) + "/", TOKEN, http).resume("tg:42")
    [request] = rasa.requests
    assert (request.method, request.raw_path) == ("POST", "/conversations/tg:42/tracker/events")
    assert request.query == {"token": TOKEN}
    assert request.body == [{"event": "resume"}, {"event": "action", "name": "action_listen"}]  # a fresh turn follows


async def test_ask_for_rating_sets_the_slot_then_runs_the_action(
    rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    bridge = RasaBridge(_base(rasa) + "/", TOKEN, http)
    await bridge.ask_for_rating("tg:42", "AS-20260101-ABC234")
    await bridge.ask_for_rating("web/c 2", "AS-20260101-XYZ789", output_channel="telegram")
    assert (CSAT_TICKET_SLOT, CSAT_ASK_ACTION) == ("csat_ticket", "action_ask_csat")  # the names in domain.yml
    assert [(r.method, r.raw_path, r.query, r.body) for r in rasa.requests] == [
        ("POST", "/conversations/tg:42/tracker/events", {"token": TOKEN},
         [{"event": "slot", "name": "csat_ticket", "value": "AS-20260101-ABC234"}]),
        ("POST", "/conversations/tg:42/execute", {"output_channel": "latest", "token": TOKEN},
         {"name": "action_ask_csat"}),
        # The bot's turn ends with a listen, so the customer's answer matches the rating rule.
        ("POST", "/conversations/tg:42/tracker/events", {"token": TOKEN},
         [{"event": "action", "name": "action_listen"}]),
        ("POST", "/conversations/web/c%202/tracker/events", {"token": TOKEN},
         [{"event": "slot", "name": "csat_ticket", "value": "AS-20260101-XYZ789"}]),
        ("POST", "/conversations/web/c%202/execute", {"output_channel": "telegram", "token": TOKEN},
         {"name": "action_ask_csat"}),
        ("POST", "/conversations/web/c%202/tracker/events", {"token": TOKEN},
         [{"event": "action", "name": "action_listen"}]),
    ]


async def test_ask_for_rating_without_a_token(rasa: FakeRasa, http: aiohttp.ClientSession) -> None:
    await RasaBridge(_base(rasa), None, http).ask_for_rating("c-1", "AS-20260101-ABC234")
    assert [r.query for r in rasa.requests] == [{}, {"output_channel": "latest"}, {}]


@pytest.mark.parametrize("status", [401, 404, 500])
async def test_ask_for_rating_stops_when_the_slot_is_not_set(
    rasa: FakeRasa, http: aiohttp.ClientSession, status: int
) -> None:
    rasa.statuses = {"tracker/events": status}
    with pytest.raises(UpstreamError) as caught:
        await RasaBridge(_base(rasa), TOKEN, http).ask_for_rating("tg:42", "AS-20260101-ABC234")
    assert caught.value.status == status and TOKEN not in str(caught.value)
    [request] = rasa.requests  # no `execute` without the ticket in the slot
    assert request.raw_path == "/conversations/tg:42/tracker/events"


async def test_ask_for_rating_reports_a_failed_action(rasa: FakeRasa, http: aiohttp.ClientSession) -> None:
    rasa.statuses = {"execute": 404}  # what Rasa answers when the conversation has no tracker
    with pytest.raises(UpstreamError) as caught:
        await RasaBridge(_base(rasa), TOKEN, http).ask_for_rating("tg:42", "AS-20260101-ABC234")
    assert caught.value.status == 404 and "execute" in str(caught.value) and TOKEN not in str(caught.value)
    assert [r.raw_path for r in rasa.requests] == [
        "/conversations/tg:42/tracker/events", "/conversations/tg:42/execute"
    ]


async def test_ask_for_rating_validates_before_calling_rasa(rasa: FakeRasa, http: aiohttp.ClientSession) -> None:
    bridge = RasaBridge(_base(rasa), TOKEN, http)
    for conversation_id, ticket_number in (("", "AS-20260101-ABC234"), ("a/../b", "AS-20260101-ABC234"), ("c", "")):
        with pytest.raises(ValidationError):
            await bridge.ask_for_rating(conversation_id, ticket_number)
    assert rasa.requests == []


async def test_unreachable_rasa_fails_ask_for_rating_without_the_token(http: aiohttp.ClientSession) -> None:
    with pytest.raises(UpstreamError) as caught:
        await RasaBridge(closed_port_url(), TOKEN, http).ask_for_rating("tg:42", "AS-20260101-ABC234")
    assert caught.value.status is None and caught.value.__cause__ is None and TOKEN not in str(caught.value)


async def test_trigger_intent_sends_name_entities_and_output_channel(
    rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    bridge = RasaBridge(_base(rasa), TOKEN, http)
    await bridge.trigger_intent("c-1", "EXTERNAL_reminder", {"ticket_number": "AS-20260101-ABC234"})
    await bridge.trigger_intent("c-2", "EXTERNAL_x", {}, output_channel="telegram")
    first, second = rasa.requests
    assert first.raw_path == "/conversations/c-1/trigger_intent"
    assert first.query == {"output_channel": "latest", "token": TOKEN}
    assert first.body == {"name": "EXTERNAL_reminder", "entities": {"ticket_number": "AS-20260101-ABC234"}}
    assert second.query == {"output_channel": "telegram", "token": TOKEN}


async def test_no_token_means_no_token_parameter(rasa: FakeRasa, http: aiohttp.ClientSession) -> None:
    await RasaBridge(_base(rasa), None, http).resume("abc")
    assert rasa.requests[0].query == {}


async def test_conversation_ids_reach_rasa_as_sanic_routes_them(rasa: FakeRasa, http: aiohttp.ClientSession) -> None:
    # Sanic does not unquote path parameters: legal path characters must arrive as they are.
    bridge = RasaBridge(_base(rasa), TOKEN, http)
    await bridge.resume("web/abc:1@x")
    await bridge.resume("has space?#")
    assert rasa.requests[0].raw_path == "/conversations/web/abc:1@x/tracker/events"
    assert rasa.requests[1].raw_path == "/conversations/has%20space%3F%23/tracker/events"
    with pytest.raises(ValidationError):
        await bridge.resume("x/../../model")
    with pytest.raises(ValidationError):
        await bridge.trigger_intent("", "EXTERNAL_reminder", {})
    assert len(rasa.requests) == 2


@pytest.mark.parametrize("status", [401, 404, 500])
async def test_non_2xx_is_an_upstream_error_with_the_status(
    rasa: FakeRasa, http: aiohttp.ClientSession, status: int
) -> None:
    rasa.status = status
    with pytest.raises(UpstreamError) as caught:
        await RasaBridge(_base(rasa), TOKEN, http).trigger_intent("c", "EXTERNAL_reminder", {})
    assert caught.value.status == status
    assert TOKEN not in str(caught.value)


async def test_unreachable_rasa_is_an_upstream_error_without_the_token(
    http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(UpstreamError) as caught:
        await RasaBridge(closed_port_url(), TOKEN, http).resume("tg:42")
    assert caught.value.status is None
    # The chained aiohttp error would print the URL, token included: it is suppressed.
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert TOKEN not in str(caught.value) and TOKEN not in caplog.text


async def test_slow_rasa_times_out(rasa: FakeRasa, http: aiohttp.ClientSession) -> None:
    rasa.delay_s = 2.0
    with pytest.raises(UpstreamError, match="TimeoutError"):
        await RasaBridge(_base(rasa), TOKEN, http, timeout_s=0.2).resume("tg:42")


async def test_ask_for_rating_returns_what_a_collecting_channel_received(
    rasa: FakeRasa, http: aiohttp.ClientSession
) -> None:
    question = {"recipient_id": "web:1", "text": "请为本次服务打分", "buttons": [{"title": "1分", "payload": "/x"}]}
    rasa.answers = {"execute": {"messages": [question, "not a message"]}}
    bridge = RasaBridge(_base(rasa), TOKEN, http)
    assert await bridge.ask_for_rating("web:1", "AS-20260101-ABC234", output_channel="collector") == [question]
    rasa.answers = {}
    assert await bridge.ask_for_rating("tg:42", "AS-20260101-ABC234") == []  # pushed by Rasa: nothing collected
