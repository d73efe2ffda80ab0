"""Agent assist on a small service network with a fake Rasa: transcript, triage, draft, outlets, parts, replies."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.errors import UnknownLocationError, UpstreamError
from bot.geo.types import Location
from bot.services.agents.assist import AgentAssistService, transcript_of
from bot.services.catalogue.service import CatalogueService
from bot.services.handoff.service import HandoffService
from bot.services.parts.service import PartsService
from bot.services.tickets.routing import RoutingService
from tests.provider_world import CUSTOMER, PART_CODE, World, build_world

CONVERSATION = "web:" + "a" * 32


class FakeRasa:
    """Answers the tracker and parse calls from canned data and records the parsed texts."""

    def __init__(self, tracker: dict[str, Any], parse: dict[str, Any] | None = None, fail: str | None = None) -> None:
        self.tracker_body, self.parse_body, self.fail = tracker, parse or {}, fail
        self.parsed: list[str] = []

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        if self.fail == "tracker":
            raise UpstreamError("Rasa answered 500 to tracker", status=500)
        return self.tracker_body

    async def parse(self, text: str) -> dict[str, Any]:
        self.parsed.append(text)
        if self.fail == "parse":
            raise UpstreamError("Rasa is unreachable (ClientConnectorError)")
        return self.parse_body


def _tracker(world: World, latest: str, geo: bool = True, **slots: Any) -> dict[str, Any]:
    geo_slot = {"lat": CUSTOMER.lat, "lon": CUSTOMER.lon, "country": "CN", "adcode": "440305", "label": "深圳"}
    return {
        "sender_id": CONVERSATION, "paused": True, "latest_input_channel": "rest",
        "slots": {"language": "zh", "geo": geo_slot if geo else None, "phone": "13812345678", **slots},
        "events": [
            {"event": "action", "name": "action_listen", "timestamp": 1_800_000_000.0},
            {"event": "user", "text": "你好", "timestamp": 1_800_000_001.0},
            {"event": "bot", "text": "您好！", "timestamp": 1_800_000_002.0, "metadata": {}},
            {"event": "bot", "text": None, "data": {"buttons": []}, "timestamp": 1_800_000_002.5},
            {"event": "pause", "timestamp": 1_800_000_003.0},
            {"event": "bot", "text": "我是坐席小王", "timestamp": 1_800_000_004.0, "metadata": {"kind": "agent"}},
            {"event": "user", "text": latest, "timestamp": 1_800_000_005.0},
        ],
    }


def _parse(world_brand: str) -> dict[str, Any]:
    return {
        "text": "…", "intent": {"name": "nlu_fallback", "confidence": 0.3},
        "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "report_fault", "confidence": 0.81}],
        "entities": [
            {"entity": "brand", "value": world_brand, "start": 0, "end": 2},
            {"entity": "product_category", "value": "air_conditioner", "start": 2, "end": 4},
            {"entity": "phone", "value": "13912345678", "start": 10, "end": 21},
            {"entity": "language", "value": "zh"}, {"entity": "urgency", "value": "high"},
        ],
    }


def _service(sessions, rasa: FakeRasa, locate: Any = None) -> AgentAssistService:  # type: ignore[no-untyped-def]
    routing = RoutingService(sessions, refresh_interval_s=0.0)
    return AgentAssistService(rasa, HandoffService(sessions), CatalogueService(sessions), PartsService(sessions),
                              nearest=routing.nearest, locate=locate)


async def _brand_code(world: World) -> str:
    brand = await CatalogueService(world.sessions).find_brand_in("格力")
    assert brand is not None
    return brand.code


async def test_assist_aggregates_everything(session_factory) -> None:  # type: ignore[no-untyped-def]
    world = await build_world(session_factory)
    code = await _brand_code(world)
    rasa = FakeRasa(_tracker(world, "/格力空调不制冷 电话13912345678"), _parse(code))
    await HandoffService(session_factory).open(CONVERSATION, "rest", "zh", "requested", "转人工")
    assist = await _service(session_factory, rasa).assist(CONVERSATION)

    assert rasa.parsed == ["／格力空调不制冷 电话13912345678"]  # a leading slash is not an intent payload
    assert [(line.who, line.text) for line in assist.transcript] == [
        ("user", "你好"), ("bot", "您好！"), ("system", "pause"), ("agent", "我是坐席小王"),
        ("user", "/格力空调不制冷 电话13912345678"),
    ]
    assert assist.transcript[0].at is not None and assist.transcript[0].at.year == 2027
    assert (assist.channel, assist.paused, assist.language) == ("rest", True, "zh")
    triage = assist.triage
    assert triage is not None
    assert (triage.intent, triage.confidence, triage.category, triage.urgency, triage.language) == (
        "report_fault", 0.81, "report_fault", "high", "zh")
    assert [(e.entity, e.value) for e in triage.entities] == [
        ("brand", code), ("product_category", "air_conditioner"), ("phone", "******78")]
    draft = assist.draft
    assert (draft.category, draft.urgency, draft.brand, draft.brand_name, draft.product_category) == (
        "report_fault", "high", code, "格力", "air_conditioner")
    assert draft.phone == "******78"  # the latest message's number wins over the slot's, and is masked
    assert [o.code for o in assist.outlets] == ["OUT-A", "OUT-B", "OUT-C"]
    assert assist.outlets[0].distance_km < assist.outlets[1].distance_km
    [part] = assist.parts
    assert (part.part_number, part.available, part.eta_days) == (PART_CODE, 5, part.eta_days)
    assert part.nearest is not None
    assert 2 <= len(assist.suggestions) <= 4 and all("\u4e00" <= s[0] <= "\u9fff" for s in assist.suggestions)
    assert assist.handoff is not None and assist.handoff.status == "queued"
    assert assist.notes == ()


async def test_english_customer_gets_english_replies_and_slot_values(session_factory) -> None:  # type: ignore[no-untyped-def]
    world = await build_world(session_factory)
    code = await _brand_code(world)
    parse = {"intent": {"name": "complaint", "confidence": 0.9}, "intent_ranking": [],
             "entities": [{"entity": "language", "value": "en"}]}
    tracker = _tracker(world, "this is the third time it broke", brand=code, product_category="air_conditioner")
    assist = await _service(session_factory, FakeRasa(tracker, parse)).assist(CONVERSATION)
    assert assist.triage is not None and assist.triage.category == "complaint" and assist.language == "en"
    assert all(s.isascii() for s in assist.suggestions) and len(assist.suggestions) == 3
    assert assist.draft.brand_name == "Gree" and assist.draft.phone == "******78"
    assert len(assist.outlets) == 3 and assist.handoff is None


async def test_failures_degrade_to_notes(session_factory) -> None:  # type: ignore[no-untyped-def]
    world = await build_world(session_factory)

    def nowhere(text: str) -> Location:
        raise UnknownLocationError("no such place")

    tracker = _tracker(world, "我的小熊电器坏了", geo=False, brand="nosuchbrand", location="火星基地")
    assist = await _service(session_factory, FakeRasa(tracker, fail="parse"), nowhere).assist(CONVERSATION)
    assert assist.triage is None and assist.draft.category == "out_of_scope"
    assert assist.outlets == () and assist.parts == ()
    assert set(assist.notes) == {"parse_unavailable", "unknown_brand", "location_unresolved"}
    assert len(assist.transcript) == 5 and len(assist.suggestions) >= 2

    with pytest.raises(UpstreamError):
        await _service(session_factory, FakeRasa({}, fail="tracker")).assist(CONVERSATION)
    empty = await _service(session_factory, FakeRasa({"events": []})).assist(CONVERSATION)
    assert empty.transcript == () and empty.triage is None and empty.notes == ("no_customer_message",)


async def test_location_text_is_geocoded_when_the_slot_has_no_coordinates(session_factory) -> None:  # type: ignore[no-untyped-def]
    world = await build_world(session_factory)
    code = await _brand_code(world)
    asked: list[str] = []

    def locate(text: str) -> Location:
        asked.append(text)
        return CUSTOMER

    tracker = _tracker(world, "空调坏了", geo=False, brand=code, product_category="空调", location="深圳南山科技园")
    assist = await _service(session_factory, FakeRasa(tracker, {"intent": {"name": "report_fault"}}), locate).assist(
        CONVERSATION)
    assert asked == ["深圳南山科技园"] and assist.draft.product_category == "air_conditioner"
    assert [o.code for o in assist.outlets] == ["OUT-A", "OUT-B", "OUT-C"]


def test_transcript_keeps_the_last_two_hundred_lines() -> None:
    events = [{"event": "user", "text": f"m{i}", "timestamp": 1.0 + i} for i in range(250)]
    lines = transcript_of(events + [{"event": "slot", "name": "x"}, {"event": "bot", "text": ""}])
    assert len(lines) == 200 and lines[0].text == "m50" and lines[-1].text == "m249"


async def test_the_draft_reads_the_whole_conversation_not_the_last_message(session_factory) -> None:  # type: ignore[no-untyped-def]
    """"转人工" after a fault report: the triage is the fault's and the draft keeps what the first message gave."""
    world = await build_world(session_factory)
    code = await _brand_code(world)
    fault = "我的格力空调不制冷了，在深圳南山，电话13912345678"
    body = _tracker(world, "转人工", geo=False)
    body["slots"] = {"language": "zh"}
    stated = {"intent": {"name": "report_fault", "confidence": 0.93},
              "intent_ranking": [{"name": "report_fault", "confidence": 0.93}],
              "entities": [{"entity": "brand", "value": code},
                           {"entity": "product_category", "value": "air_conditioner"},
                           {"entity": "location", "value": "深圳南山"}, {"entity": "phone", "value": "13912345678"}]}
    body["events"].insert(2, {"event": "user", "text": fault, "timestamp": 1_800_000_001.5, "parse_data": stated})
    human = {"name": "request_human", "confidence": 0.99}
    body["events"][-1]["parse_data"] = {"intent": human, "intent_ranking": [human], "entities": []}
    rasa = FakeRasa(body, {**stated, "text": fault})
    located = Location(CUSTOMER.lat, CUSTOMER.lon, "CN", "440305", "深圳市南山区")
    assist = await _service(session_factory, rasa, locate=lambda text: located).assist(CONVERSATION)

    assert rasa.parsed == [fault]  # the message that states the need, not "转人工"
    assert assist.triage is not None and assist.triage.category == "report_fault"
    assert assist.triage.message_key is not None and assist.triage.message_key.startswith("1800000001.5")
    draft = assist.draft
    assert (draft.brand, draft.product_category, draft.location, draft.phone) == (
        code, "air_conditioner", "深圳南山", "******78")
    assert [o.code for o in assist.outlets] == ["OUT-A", "OUT-B", "OUT-C"]
