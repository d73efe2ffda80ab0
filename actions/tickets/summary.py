"""The summary of a repair or installation request before it is filed, and edits to it."""

from __future__ import annotations

import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import Events, ServiceAction
from actions.catalogue import brand_names
from actions.conversation import language_of, parse_iso_date
from actions.runtime import Services
from actions.texts import category_name, day_text
from actions.tickets.corrections import is_typed_correction, typed_correction
from bot.domain.phone import mask_phone
from bot.domain.slots import (
    AWAITING,
    BRAND,
    DRAFT_ID,
    EDIT_SLOT,
    ERROR_CODE,
    GEO,
    LOCATION,
    PHONE,
    PREFERRED_DATE,
    PRODUCT_CATEGORY,
    PRODUCT_MODEL,
    SYMPTOM,
)

FORM_KIND = {"repair_form": "repair", "installation_form": "installation"}
SUMMARY = {"repair": "repair_summary", "installation": "installation_summary"}
EDITABLE = {BRAND, PRODUCT_CATEGORY, SYMPTOM, LOCATION, PHONE, PREFERRED_DATE}


def last_form(tracker: Tracker) -> str | None:
    """The repair/installation form most recently active in this conversation."""
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") in FORM_KIND:
            return str(event["name"])
    return None


class ActionShowSummary(ServiceAction):
    """Shows what will be filed and waits for confirm / edit; a new draft id makes the confirmation idempotent."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_show_summary"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """Show the summary (a typed correction applied first)."""
        kind = tracker.get_slot(AWAITING) if tracker.get_slot(AWAITING) in FORM_KIND.values() else None
        kind = kind or FORM_KIND.get(last_form(tracker) or "", "repair")
        slots: dict[str, Any] = dict(tracker.slots)
        corrected: Events = []
        if is_typed_correction(tracker):
            correction = await typed_correction(tracker, svc)
            for refused in correction.refused:
                dispatcher.utter_message(response=refused)
            if not correction.recognised:
                dispatcher.utter_message(response="ask_edit")  # which field? (the summary stays pending)
                return []
            slots.update(correction.values)
            corrected = [SlotSet(name, value) for name, value in correction.values.items()]
        language = language_of(tracker)
        _, brand = await brand_names(svc, slots.get(BRAND), language)
        phone = slots.get(PHONE)
        symptom = slots.get(SYMPTOM) or ""
        code = slots.get(ERROR_CODE)
        dispatcher.utter_message(
            response=SUMMARY[kind],
            brand_name=brand,
            category_name=category_name(slots.get(PRODUCT_CATEGORY), language),
            model=slots.get(PRODUCT_MODEL) or "",
            symptom=f"{symptom} ({code})" if code and code not in symptom else symptom,
            location=slots.get(LOCATION) or "",
            phone=mask_phone(phone) if phone else "",
            preferred_date=day_text(parse_iso_date(slots.get(PREFERRED_DATE)), language),
        )
        return [*corrected, SlotSet(AWAITING, kind), SlotSet(DRAFT_ID, uuid.uuid4().hex)]


class ActionAskEdit(Action):
    """Asks which field to change."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_ask_edit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        """Ask which field to change."""
        dispatcher.utter_message(response="ask_edit")
        return []


class ActionEditSlot(Action):
    """Clears the chosen field so that the form asks for it again."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_edit_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        """Clear the chosen field (and what depends on it)."""
        field = tracker.get_slot(EDIT_SLOT)
        events: Events = [SlotSet(EDIT_SLOT, None), SlotSet(AWAITING, None)]
        if field in EDITABLE:
            events.append(SlotSet(field, None))
            if field == BRAND:
                events.append(SlotSet(PRODUCT_CATEGORY, None))
            if field == LOCATION:
                events.append(SlotSet(GEO, None))
        return events
