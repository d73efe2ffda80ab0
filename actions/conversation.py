"""Reading a tracker: the customer's language, channel, identity, latest text and a log-safe summary."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from rasa_sdk import Tracker

from bot.domain.slots import BRAND, ERROR_CODE, GEO, LANGUAGE, PRODUCT_CATEGORY, PRODUCT_MODEL, TICKET_NUMBER
from bot.geo.types import Location
from bot.nlu.text.script import TRADITIONAL_LANGUAGE, conversation_script

_PHONE_LIKE = re.compile(r"\+?\d[\d\s-]{6,}\d")
_LONG_NUMBER = re.compile(r"\d{12,}")
#: Channel name stored on tickets when Rasa does not say which channel a message came from.
DEFAULT_CHANNEL = "rest"


def language_of(tracker: Tracker) -> str:
    """The reply language: English for "en", Chinese otherwise ("mixed" answers in Chinese)."""
    return "en" if tracker.get_slot(LANGUAGE) == "en" else "zh"


def ticket_language(tracker: Tracker) -> str:
    """The language a ticket keeps for every later update: en, zh, or zh-Hant.

    zh-Hant when the customer writes traditional characters (their updates are converted, see
    `customer_update_scan`).
    """
    language = language_of(tracker)
    if language == "zh" and conversation_script(e.get("text") for e in reversed(user_events(tracker))) == "hant":
        return TRADITIONAL_LANGUAGE
    return language


def channel_of(tracker: Tracker) -> str:
    """The customer's channel (rest, socketio, telegram, wechat…)."""
    return str(tracker.get_latest_input_channel() or DEFAULT_CHANNEL)[:24]


def latest_text(tracker: Tracker) -> str:
    """The latest user message text ("" for a button payload)."""
    text = (tracker.latest_message or {}).get("text") or ""
    return "" if text.startswith("/") else str(text)


def user_events(tracker: Tracker) -> list[dict[str, Any]]:
    """The conversation's user messages, oldest first."""
    return [e for e in tracker.events if e.get("event") == "user"]


def value_before_this_turn(tracker: Tracker, name: str) -> Any:
    """The slot's value before the customer's latest message (its extraction this turn left out)."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    value = None
    for event in events[:last_user]:
        if event.get("event") == "slot" and event.get("name") == name:
            value = event.get("value")
    return value


def latest_user_timestamp(tracker: Tracker) -> str:
    """A stable id of the latest user message (its event timestamp): retries of one turn share it."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return f"{event.get('timestamp', 0):.6f}"
    return "0"


def redact(text: str, limit: int = 500) -> str:
    """Customer text fit for tickets and handoff summaries: phone-like and long digit runs masked, trimmed."""
    masked = _PHONE_LIKE.sub("[phone]", text)
    masked = _LONG_NUMBER.sub("[number]", masked)
    return " ".join(masked.split())[:limit]


def location_of(tracker: Tracker) -> Location | None:
    """The validated location (set by the forms as the `geo` slot)."""
    geo = tracker.get_slot(GEO)
    if not isinstance(geo, dict):
        return None
    try:
        return Location(
            lat=float(geo["lat"]), lon=float(geo["lon"]), country=str(geo["country"]), adcode=geo.get("adcode"),
            label=str(geo.get("label") or ""),
        )
    except (KeyError, TypeError, ValueError):
        return None


def location_slot(location: Location, text: str) -> dict[str, Any]:
    """The `geo` slot value for a resolved location."""
    return {
        "lat": location.lat, "lon": location.lon, "country": location.country, "adcode": location.adcode,
        "label": location.label or text[:80],
    }


def phone_region(geo: Any) -> str:
    """The country whose numbering plan a phone number without its +code is read in: the customer's place, else CN."""
    return str(geo.get("country")) if isinstance(geo, dict) and geo.get("country") else "CN"


def parse_iso_date(value: Any) -> date | None:
    """A slot holding an ISO date, as a date."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def handoff_summary(tracker: Tracker, reason: str) -> str:
    """A short, redacted note for the agent taking over."""
    parts = [f"reason={reason}", f"intent={(tracker.latest_message or {}).get('intent', {}).get('name')}"]
    for slot in (BRAND, PRODUCT_CATEGORY, PRODUCT_MODEL, ERROR_CODE, TICKET_NUMBER):
        value = tracker.get_slot(slot)
        if value:
            parts.append(f"{slot}={str(value)[:40]}")
    text = latest_text(tracker)
    if text:
        parts.append(f"said: {redact(text, 200)}")
    return "; ".join(parts)[:500]
