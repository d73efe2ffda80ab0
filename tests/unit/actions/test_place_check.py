"""A place only guessed ("…goes black" → Goes, NL) is confirmed before it is used; yes takes it, no drops it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import forms, place_check
from actions.runtime import Services
from bot.geo.geocoder import Geocoder
from tests.unit.actions_world import REPAIR_DOMAIN, slot


def _answer(text: str, intent: str, slots: dict[str, Any], candidates: dict[str, Any]) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    events = [{"event": "user", "timestamp": 1700000000.5, "text": text, "parse_data": latest, "input_channel": "rest"},
              *({"event": "slot", "timestamp": None, "name": k, "value": v} for k, v in candidates.items())]
    values = {"language": "en", "requested_slot": "location", **slots, **candidates}
    return Tracker("pc1", values, latest, events, False, None, {"name": "repair_form"}, "action_listen")


def test_small_towns_without_a_country_are_guesses() -> None:
    geocoder = Geocoder()
    assert not geocoder.geocode("my screen goes black").confident
    assert geocoder.geocode("Goes, Netherlands").confident and geocoder.geocode("Berlin").confident
    assert geocoder.geocode("北京市海淀区").confident and geocoder.from_coordinates(52.5, 13.4).confident


async def test_a_guessed_place_is_asked_about_then_taken_on_yes(svc: Services) -> None:
    asked = await forms.ValidateRepairForm().run(
        CollectingDispatcher(), _answer("it goes black", "inform", {}, {"location": "it goes black"}), REPAIR_DOMAIN)
    assert slot("location", None) in asked and slot("place_check", "pending") in asked
    [label] = [e["value"] for e in asked if e.get("name") == "place_label"]
    assert label == "Goes, NL"
    [candidate] = [e["value"] for e in asked if e.get("name") == "place_candidate"]
    pending = {"place_check": "pending", "place_candidate": candidate, "place_label": label}
    yes = await forms.ValidateRepairForm().run(
        CollectingDispatcher(), _answer("/affirm", "affirm", pending, {"location": "/affirm"}), REPAIR_DOMAIN)
    assert slot("location", "it goes black") in yes and slot("place_check", None) in yes
    [geo] = [e["value"] for e in yes if e.get("name") == "geo"]
    assert geo["country"] == "NL"


async def test_no_drops_the_guess_and_another_place_replaces_it(svc: Services) -> None:
    pending = {"place_check": "pending", "place_label": "Goes, NL",
               "place_candidate": {"geo": {"lat": 51.5, "lon": 3.9, "country": "NL"}, "text": "goes"}}
    no = await forms.ValidateRepairForm().run(CollectingDispatcher(), _answer("no", "deny", pending, {}),
                                              REPAIR_DOMAIN)
    assert slot("place_check", None) in no and slot("place_candidate", None) in no
    other = await forms.ValidateRepairForm().run(
        CollectingDispatcher(), _answer("Manchester, UK", "inform", pending, {"location": "Manchester, UK"}),
        REPAIR_DOMAIN)
    assert slot("location", "Manchester, UK") in other and slot("place_check", None) in other


def test_a_yes_without_a_pending_check_confirms_nothing() -> None:
    assert place_check.confirmed(_answer("yes", "affirm", {}, {})) is None
    assert not place_check.refused(_answer("no", "deny", {}, {}))
