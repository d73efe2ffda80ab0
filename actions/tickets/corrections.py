"""A correction typed at the summary: which field it changes, with the value validated as the form would have.

"地址改成北京市朝阳区建国路88号", "phone is 139 8765 4321", "问题是屏幕闪烁".

Rasa's entity mappings already copied what the message names into its slots, raw: a new place without its
coordinates (the ticket would still go to the old outlet), a phone number unnormalised. `typed_correction` turns
the message into the slot values to set: a place is geocoded again (its street kept), a phone normalised for the
customer's country, and a message that names no field but describes a problem replaces the problem. A place
that cannot be found or an invalid number keeps the old value and says so. Nothing recognised: the action asks
which field to change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker

from actions.conversation import latest_text, location_slot, phone_region, redact
from actions.runtime import Services
from bot.domain.errors import DomainError
from bot.domain.phone import normalise_phone
from bot.domain.slots import AWAITING, GEO, LOCATION, PHONE, SYMPTOM
from bot.nlu.extraction.places import address_span
from bot.nlu.extraction.problem_text import describes_a_problem

#: Intents a typed correction comes as (a fault description is `report_fault`; the NLU may be unsure of
#: "其实是联想笔记本", whose entities still name the fields).
CORRECTION_INTENTS = frozenset({"inform", "report_fault", "nlu_fallback"})
#: Entities that name a field of the summary (each is mapped to its slot by the domain).
FIELD_ENTITIES = frozenset({"brand", "product_category", "product_model", "location", "phone", "preferred_date",
                            "error_code", "imei", "serial"})
MAX_CORRECTION_CHARS = 300


def _entities(tracker: Tracker) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for entity in (tracker.latest_message or {}).get("entities") or []:
        name = entity.get("entity")
        if name in FIELD_ENTITIES and entity.get("value") and name not in found:
            found[name] = entity["value"]
    return found


def is_typed_correction(tracker: Tracker) -> bool:
    """The customer typed (not tapped) something at a pending summary."""
    latest = tracker.latest_message or {}
    intent = (latest.get("intent") or {}).get("name")
    caption = bool((latest.get("metadata") or {}).get("caption"))  # a photo's caption describes the photo
    return (tracker.get_slot(AWAITING) in ("repair", "installation") and intent in CORRECTION_INTENTS
            and bool(latest_text(tracker)) and not caption)


@dataclass(frozen=True)
class Correction:
    """What a typed correction changes: slot values, responses that say what was refused, whether it named a field."""

    values: dict[str, Any] = field(default_factory=dict)
    refused: tuple[str, ...] = ()
    recognised: bool = False


def names_a_field(tracker: Tracker) -> bool:
    """Whether the message names a field of the summary (a brand, a product, a place, a phone number …)."""
    return bool(_entities(tracker))


async def typed_correction(tracker: Tracker, svc: Services) -> Correction:
    """The slot values a typed correction sets; a refused place or phone keeps its old value (see the module doc)."""
    text = latest_text(tracker)[:MAX_CORRECTION_CHARS]
    entities = _entities(tracker)
    values: dict[str, Any] = {}
    refused: list[str] = []
    place = entities.get("location")
    if isinstance(place, str):
        said = address_span(text, place) if place in text else place
        try:
            values.update({LOCATION: said, GEO: location_slot(svc.geocoder.geocode(said), said)})
        except DomainError:
            values.update({LOCATION: tracker.get_slot(LOCATION), GEO: tracker.get_slot(GEO)})
            refused.append("invalid_location")
    phone = entities.get("phone")
    if isinstance(phone, str):
        try:
            values[PHONE] = normalise_phone(phone, phone_region(values.get(GEO) or tracker.get_slot(GEO)))
        except DomainError:
            values[PHONE] = tracker.get_slot(PHONE)
            refused.append("invalid_phone")
    fault = ((tracker.latest_message or {}).get("intent") or {}).get("name") == "report_fault"
    if not entities and fault and describes_a_problem(tracker.latest_message or {}):
        values[SYMPTOM] = redact(text)
    return Correction(values, tuple(refused), bool(entities) or SYMPTOM in values)
