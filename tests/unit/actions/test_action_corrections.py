"""A correction typed at the summary changes the field it names, validated as the form would; a caption does not."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import disambiguation, tickets
from actions.runtime import Services
from tests.unit.actions_world import repair_slots, responses, slot


def _at_summary(text: str, intent: str, entities: list[dict[str, Any]], metadata: dict[str, Any] | None = None,
                **slots: Any) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities,
              "metadata": metadata or {}}
    event = {"event": "user", "timestamp": 1700000000.5, "text": text, "parse_data": latest, "input_channel": "rest"}
    values = {"language": "zh", **repair_slots(**slots)}
    return Tracker("fix1", values, latest, [event], False, None, None, "action_listen")


def _entity(name: str, value: str, text: str) -> dict[str, Any]:
    start = text.find(value) if value in text else 0
    return {"entity": name, "value": value, "start": start, "end": start + len(value)}


async def _summary(svc: Services, tracker: Tracker) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    return dispatcher, await tickets.ActionShowSummary().run(dispatcher, tracker, {})


async def test_a_new_address_is_geocoded_again_with_its_street(svc: Services) -> None:
    text = "地址改成上海市浦东新区世纪大道100号"
    dispatcher, events = await _summary(svc, _at_summary(text, "inform", [_entity("location", "上海市浦东新区", text)]))
    [location] = [e["value"] for e in events if e.get("name") == "location"]
    [geo] = [e["value"] for e in events if e.get("name") == "geo"]
    assert location == "上海市浦东新区世纪大道100号"
    assert 30.5 < geo["lat"] < 31.6 and 121.0 < geo["lon"] < 122.2  # Shanghai, not the Beijing of the draft
    assert responses(dispatcher) == ["repair_summary"] and dispatcher.messages[0]["location"] == location


async def test_a_typed_phone_number_is_normalised_and_keeps_the_product(svc: Services) -> None:
    text = "phone is 139 8765 4321"
    _, events = await _summary(svc, _at_summary(text, "inform", [_entity("phone", "+8613987654321", text)],
                                                language="en"))
    assert slot("phone", "+8613987654321") in events
    assert not [e for e in events if e.get("name") == "product_category"]


async def test_a_problem_typed_replaces_the_problem_but_a_caption_does_not(svc: Services) -> None:
    text = "问题是屏幕一直闪烁"
    _, events = await _summary(svc, _at_summary(text, "report_fault", []))
    assert slot("symptom", text) in events
    caption = "这是屏幕的照片"
    _, kept = await _summary(svc, _at_summary(caption, "report_fault", [], metadata={"caption": True}))
    assert not [e for e in kept if e.get("name") == "symptom"]


async def test_a_place_we_cannot_find_keeps_the_old_one_and_says_so(svc: Services) -> None:
    text = "地址改成火星基地"
    dispatcher, events = await _summary(svc, _at_summary(text, "inform", [_entity("location", "火星基地", text)]))
    assert responses(dispatcher)[0] == "invalid_location"
    assert slot("location", "北京市海淀区") in events


async def test_nothing_recognised_asks_which_field(svc: Services) -> None:
    dispatcher, events = await _summary(svc, _at_summary("嗯嗯", "inform", []))
    assert responses(dispatcher) == ["ask_edit"] and events == []


async def test_an_unsure_nlu_still_applies_the_fields_named(svc: Services) -> None:
    """"其实是联想笔记本" came as `nlu_fallback`: the summary is shown again, not "did you mean"."""
    text = "其实是联想笔记本"
    entities = [_entity("brand", "lenovo", text), _entity("product_category", "laptop", text)]
    dispatcher = CollectingDispatcher()
    await disambiguation.ActionFallback().run(dispatcher, _at_summary(text, "nlu_fallback", entities), {})
    assert responses(dispatcher) == ["repair_summary"]
