""""Did you mean": the candidate needs and the reading of a reply (plain rules), and the two actions on trackers
built from events against a throwaway SQLite (handoffs and the review queue are real tables)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import disambiguation
from actions.runtime import Services, use_services
from bot.db.models import Handoff, NluExample, NluLabel
from bot.nlu.intents.disambiguation import OTHER, candidate_needs, read_choice
from bot.settings import PROJECT_ROOT

UNSURE = [
    {"name": "nlu_fallback", "confidence": 0.45},
    {"name": "report_fault", "confidence": 0.41},
    {"name": "complaint", "confidence": 0.33},
    {"name": "out_of_scope", "confidence": 0.12},
    {"name": "return_refund", "confidence": 0.06},
]
ORIGINAL_TEXT = "美的空调好像有点问题，电话13812345678"
BRAND = {"entity": "brand", "value": "midea", "start": 0, "end": 2}


@pytest.fixture(scope="module")
def domain() -> dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture
async def svc(session_factory) -> AsyncIterator[Services]:  # type: ignore[no-untyped-def]
    services = Services.from_sessions(session_factory)
    use_services(services)
    yield services
    use_services(None)


def user(text: str, intent: str, ranking: list[dict[str, Any]] | None = None, timestamp: float = 1.0,
         entities: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "event": "user", "timestamp": timestamp, "text": text, "input_channel": "rest",
        "parse_data": {"text": text, "intent": {"name": intent, "confidence": 0.9},
                       "intent_ranking": ranking or [], "entities": entities or []},
    }


def tracker(events: list[dict[str, Any]], slots: dict[str, Any] | None = None, sender: str = "c1") -> Tracker:
    latest = events[-1]["parse_data"]
    return Tracker(sender, {"language": "zh", **(slots or {})}, latest, events, False, None, None, "action_listen")


def texts_and_buttons(dispatcher: CollectingDispatcher) -> list[tuple[str | None, list[str]]]:
    return [(m.get("response"), [b["payload"] for b in m.get("buttons") or []]) for m in dispatcher.messages]


def test_candidates_are_needs_only_best_first() -> None:
    assert candidate_needs(UNSURE) == ["report_fault", "complaint"]
    assert candidate_needs([{"name": "greet", "confidence": 0.6}, {"name": "affirm", "confidence": 0.3}]) == []
    assert candidate_needs([{"name": "warranty_query", "confidence": 0.5}, {"name": "complaint", "confidence": 0.01}]) \
        == ["warranty_query"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2", "complaint"), ("第一个", "report_fault"), ("the second one", "complaint"), ("其他", OTHER),
     ("something else", OTHER), ("3", OTHER), ("complaint", "complaint"), ("4", None), ("我家空调", None), ("", None)],
)
def test_a_typed_reply_picks_a_button(text: str, expected: str | None) -> None:
    assert read_choice(text, ["report_fault", "complaint"]) == expected


async def test_an_unsure_message_asks_with_the_candidate_needs_and_is_kept_for_review(
    svc: Services, session_factory  # type: ignore[no-untyped-def]
) -> None:
    dispatcher = CollectingDispatcher()
    events = await disambiguation.ActionFallback().run(
        dispatcher, tracker([user(ORIGINAL_TEXT, "nlu_fallback", UNSURE)]), {})
    assert texts_and_buttons(dispatcher) == [("did_you_mean", [
        '/choose{"need": "report_fault"}', '/choose{"need": "complaint"}', '/choose{"need": "other"}'])]
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles == ["报修", "投诉服务", "其他"]
    assert {"event": "slot", "name": "awaiting", "value": "need", "timestamp": None} in events
    assert {"event": "slot", "name": "need_candidates", "value": ["report_fault", "complaint"],
            "timestamp": None} in events
    async with session_factory() as session:
        [example] = (await session.execute(select(NluExample))).scalars().all()
    assert "13812345678" not in example.text and "[phone]" in example.text
    assert example.predicted_intent == "report_fault" and example.origin == "did_you_mean"


async def test_english_buttons_follow_the_customer_language(svc: Services) -> None:
    dispatcher = CollectingDispatcher()
    await disambiguation.ActionFallback().run(
        dispatcher, tracker([user("my laptop is weird", "nlu_fallback", UNSURE)], {"language": "en"}), {})
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == [
        "Repair", "Complaint about service", "Something else"]


async def test_no_candidate_shows_the_menu_and_a_pending_question_is_kept(svc: Services) -> None:
    dispatcher = CollectingDispatcher()
    events = await disambiguation.ActionFallback().run(
        dispatcher, tracker([user("嗯嗯", "nlu_fallback", [{"name": "affirm", "confidence": 0.4}])]), {})
    assert texts_and_buttons(dispatcher)[0][0] == "fallback_suggest" and events == []
    dispatcher = CollectingDispatcher()
    events = await disambiguation.ActionFallback().run(
        dispatcher, tracker([user("啊这", "nlu_fallback", UNSURE)], {"awaiting": "repair"}), {})
    assert texts_and_buttons(dispatcher)[0][0] == "fallback_suggest" and events == []  # the summary still waits


async def test_the_choice_replays_the_original_message_with_the_chosen_need(
    svc: Services, session_factory, domain: dict[str, Any]  # type: ignore[no-untyped-def]
) -> None:
    first = user(ORIGINAL_TEXT, "nlu_fallback", UNSURE, timestamp=10.0, entities=[BRAND])
    await disambiguation.ActionFallback().run(CollectingDispatcher(), tracker([first], sender="c2"), {})
    choice = user('/choose{"need": "report_fault"}', "choose", timestamp=11.0,
                  entities=[{"entity": "need", "value": "report_fault"}])
    dispatcher = CollectingDispatcher()
    events = await disambiguation.ActionResolveNeed().run(
        dispatcher, tracker([first, choice], {"awaiting": "need", "need_candidates": ["report_fault", "complaint"]},
                            sender="c2"), domain)
    assert dispatcher.messages == []
    kinds = [(e["event"], e.get("name")) for e in events]
    assert kinds[:4] == [("slot", "awaiting"), ("slot", "need_candidates"), ("action", "action_listen"),
                         ("user", None)]
    replayed = events[3]
    assert replayed["text"] == ORIGINAL_TEXT
    assert replayed["parse_data"]["intent"] == {"name": "report_fault", "confidence": 1.0}
    assert replayed["parse_data"]["entities"] == [BRAND]
    # The domain maps the text of a report_fault to `symptom`: the replayed message fills it like a fresh one.
    assert {"event": "slot", "name": "symptom", "value": ORIGINAL_TEXT, "timestamp": None} in events
    async with session_factory() as session:
        [label] = (await session.execute(select(NluLabel))).scalars().all()
    assert (label.label, label.source, label.actor) == ("report_fault", "customer", "customer")


async def test_a_typed_ordinal_answers_the_question(svc: Services, domain: dict[str, Any]) -> None:
    first = user(ORIGINAL_TEXT, "nlu_fallback", UNSURE, timestamp=20.0)
    reply = user("2", "choose", timestamp=21.0)
    events = await disambiguation.ActionResolveNeed().run(
        CollectingDispatcher(), tracker([first, reply], {"need_candidates": ["report_fault", "complaint"]}), domain)
    [replayed] = [e for e in events if e["event"] == "user"]
    assert replayed["parse_data"]["intent"]["name"] == "complaint"


async def test_something_else_shows_the_menu_and_the_next_miss_goes_to_a_person(
    svc: Services, session_factory, domain: dict[str, Any]  # type: ignore[no-untyped-def]
) -> None:
    first = user(ORIGINAL_TEXT, "nlu_fallback", UNSURE, timestamp=30.0)
    other = user('/choose{"need": "other"}', "choose", timestamp=31.0, entities=[{"entity": "need", "value": "other"}])
    dispatcher = CollectingDispatcher()
    events = await disambiguation.ActionResolveNeed().run(
        dispatcher, tracker([first, other], {"need_candidates": ["report_fault", "complaint"]}, sender="c3"), domain)
    assert texts_and_buttons(dispatcher)[0][0] == "fallback_suggest"
    assert not [e for e in events if e["event"] == "user"]
    again = user("还是不对", "nlu_fallback", UNSURE, timestamp=32.0)
    dispatcher = CollectingDispatcher()
    events = await disambiguation.ActionFallback().run(dispatcher, tracker([first, other, again], sender="c3"), {})
    assert texts_and_buttons(dispatcher)[0][0] == "handoff_queued"
    assert any(e["event"] == "pause" for e in events)
    async with session_factory() as session:
        [handoff] = (await session.execute(select(Handoff).where(Handoff.conversation_id == "c3"))).scalars().all()
    assert handoff.reason == "fallback"


async def test_two_misses_in_a_row_go_to_a_person(svc: Services) -> None:
    turns = [user("??", "nlu_fallback", UNSURE, timestamp=40.0), user("qwerty", "nlu_fallback", UNSURE, 41.0)]
    dispatcher = CollectingDispatcher()
    await disambiguation.ActionFallback().run(dispatcher, tracker(turns, sender="c4"), {})
    assert texts_and_buttons(dispatcher)[0][0] == "handoff_queued"


async def test_a_stale_choice_is_not_replayed(svc: Services, domain: dict[str, Any]) -> None:
    turns = [user(ORIGINAL_TEXT, "nlu_fallback", UNSURE, timestamp=50.0), user("我要报修", "report_fault", [], 51.0),
             user('/choose{"need": "complaint"}', "choose", timestamp=52.0,
                  entities=[{"entity": "need", "value": "complaint"}])]
    dispatcher = CollectingDispatcher()
    events = await disambiguation.ActionResolveNeed().run(dispatcher, tracker(turns), domain)
    assert texts_and_buttons(dispatcher)[0][0] == "utter_ask_rephrase"
    assert not [e for e in events if e["event"] == "user"]
