"""The place check: a place the geocoder only guessed is confirmed with the customer before it is used.

A small town named without its country is a guess ("my screen goes black" is Goes, NL; `Location.confident`).
The form then keeps the place unfilled, remembers the guess (`place_candidate`, shown as `place_label`) and sets
`place_check: pending`, so that it asks "Did you mean Goes, NL?" (the `utter_ask_location` variation). "Yes"
takes the guess; "no" (a rule keeps the form running instead of stopping it) or another place drops it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from bot.domain.slots import GEO, LOCATION, PLACE_CANDIDATE, PLACE_CHECK, PLACE_LABEL

PENDING = "pending"
CHECK_SLOTS = (PLACE_CHECK, PLACE_CANDIDATE, PLACE_LABEL)


def _intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def is_pending(tracker: Tracker) -> bool:
    """Whether the customer is being asked to confirm a guessed place."""
    return tracker.get_slot(PLACE_CHECK) == PENDING


def cleared() -> dict[str, Any]:
    """No place check any more."""
    return {slot: None for slot in CHECK_SLOTS}


def ask_to_confirm(geo: dict[str, Any], text: str) -> dict[str, Any]:
    """Keep the place unfilled and ask about the guess."""
    return {LOCATION: None, GEO: None, PLACE_CHECK: PENDING, PLACE_CANDIDATE: {"geo": geo, "text": text},
            PLACE_LABEL: str(geo.get("label") or text)[:80]}


def confirmed(tracker: Tracker) -> dict[str, Any] | None:
    """The guessed place, when the customer said yes to it."""
    candidate = tracker.get_slot(PLACE_CANDIDATE)
    if not is_pending(tracker) or _intent(tracker) != "affirm" or not isinstance(candidate, dict):
        return None
    geo, text = candidate.get("geo"), candidate.get("text")
    if not isinstance(geo, dict) or not isinstance(text, str):
        return None
    return {LOCATION: text, GEO: geo, **cleared()}


def refused(tracker: Tracker) -> bool:
    """The customer said no to the guessed place."""
    return is_pending(tracker) and _intent(tracker) == "deny"
