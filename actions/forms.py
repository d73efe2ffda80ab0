"""Form validation, one class per form over shared slot validators; and stopping a form.

The questions are `utter_ask_<slot>` responses.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions import place_check
from actions.conversation import (
    language_of,
    latest_text,
    location_slot,
    phone_region,
    redact,
    value_before_this_turn,
)
from actions.handoff import hand_over
from actions.runtime import public_error, services, within_budget
from bot.domain.catalogue import find_category
from bot.domain.errors import DomainError, InvalidPhoneError
from bot.domain.handoff import HandoffReason
from bot.domain.phone import normalise_phone
from bot.domain.slots import (
    AWAITING,
    BRAND,
    GEO,
    LOCATION,
    OFFERED_PART,
    PART,
    PHONE,
    PREFERRED_DATE,
    PRODUCT_CATEGORY,
    PRODUCT_MODEL,
    PURCHASE_DATE,
    SYMPTOM,
    UNSERVED_BRAND,  # also the entity's name: a brand we know but do not service (its English name)
    URGENCY,
)
from bot.domain.visit_date import MAX_DAYS_AHEAD, parse_visit_date, valid_visit_date
from bot.nlu.extraction.places import address_span
from bot.nlu.extraction.problem_text import describes_a_problem
from bot.nlu.extraction.purchase_dates import purchase_day
from bot.services.tickets.warranty import utc_today

logger = logging.getLogger(__name__)
MIN_SYMPTOM_CHARS = 2
MAX_ANSWER_CHARS = 300
Slots = dict[str, Any]


def _entity_values(tracker: Tracker, entity: str) -> list[str]:
    entities = (tracker.latest_message or {}).get("entities") or []
    return [str(e["value"]) for e in entities if e.get("entity") == entity and e.get("value")]


class SlotValidators(FormValidationAction, ABC):
    """Validators shared by every form; each returns the cleaned value or None (and says why)."""

    @abstractmethod
    def name(self) -> str:
        """The form's validation action name."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Validate the form's slots, safety first.

        A hazard typed inside a form ("等等，手机开始冒烟了！") gets the advice and a person at once, and is never
        read as an answer. Otherwise validate as usual; when the brand named is one we do not service, a person
        takes over.
        """
        if "safety" in _entity_values(tracker, "urgency"):
            return await self._safety(dispatcher, tracker)
        events = await super().run(dispatcher, tracker, domain)
        if place_check.refused(tracker):  # "no" to "Did you mean Goes, NL?": the form asks for the place again
            events = [*events, *(SlotSet(name, value) for name, value in place_check.cleared().items())]
        if not any(e.get("event") == "slot" and e.get("name") == UNSERVED_BRAND and e.get("value") for e in events):
            return events
        try:
            handover = await hand_over(dispatcher, tracker, await services(), HandoffReason.UNSERVED_BRAND.value)
        except Exception as exc:  # noqa: BLE001 - no queue: apologise, and stop the form all the same
            logger.warning("validate.unserved_handoff_failed error=%s", public_error(exc))
            dispatcher.utter_message(response="service_unavailable")
            handover = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
        return [*events, *handover]

    async def _safety(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        dispatcher.utter_message(response="safety_advice")
        try:
            handover = await hand_over(dispatcher, tracker, await services(), HandoffReason.SAFETY.value)
        except Exception as exc:  # noqa: BLE001 - no queue: the advice is given; stop the form all the same
            logger.warning("validate.safety_handoff_failed error=%s", public_error(exc))
            dispatcher.utter_message(response="service_unavailable")
            handover = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
        return [SlotSet(URGENCY, None), *handover]

    async def extract_brand(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        """A brand we do not service named in the request itself ("my Whirlpool dryer…"): validate it at once."""
        if tracker.get_slot(BRAND) or tracker.get_slot(REQUESTED_SLOT) or _entity_values(tracker, "brand"):
            return {}
        unserved = _entity_values(tracker, UNSERVED_BRAND)
        return {BRAND: unserved[0]} if unserved else {}

    async def validate_brand(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        """A brand we service, else why not (and a person for one we know but do not service)."""
        text = str(value or "")[:MAX_ANSWER_CHARS]
        try:
            brand = await within_budget((await services()).catalogue.find_brand_in(text))
        except Exception as exc:  # noqa: BLE001 - the database may be down: re-ask rather than crash
            logger.warning("validate.brand_failed error=%s", public_error(exc))
            brand = None
        if brand is not None:
            return {BRAND: brand.code}
        unserved = await self._unserved_brand(text, tracker)
        if unserved is not None:
            value_en, shown = unserved
            dispatcher.utter_message(response="brand_not_serviced", unserved_brand=shown)
            return {BRAND: None, UNSERVED_BRAND: value_en}
        dispatcher.utter_message(response="invalid_brand", value=text[:20])
        return {BRAND: None}

    async def _unserved_brand(self, text: str, tracker: Tracker) -> tuple[str, str] | None:
        """(English name for the slot, name in the customer's language) of an unserved brand named, or None."""
        named = _entity_values(tracker, UNSERVED_BRAND)
        try:
            found = await within_budget((await services()).catalogue.find_unserved_brand(named[0] if named else text))
        except Exception as exc:  # noqa: BLE001 - the database may be down: the entity alone still tells
            logger.warning("validate.unserved_brand_failed error=%s", public_error(exc))
            found = None
        if found is not None:
            return found.name_en, found.name_zh if language_of(tracker) == "zh" else found.name_en
        return (named[0], named[0]) if named else None

    async def extract_product_category(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        """Infer the category when the customer named a model or a product line but no category ("my iPhone")."""
        if tracker.get_slot(PRODUCT_CATEGORY):
            return {}
        category = find_category(latest_text(tracker)[:MAX_ANSWER_CHARS])
        model, brand = tracker.get_slot(PRODUCT_MODEL), tracker.get_slot(BRAND)
        if category is None and model and brand:
            try:
                svc = await services()
                found = await within_budget(svc.catalogue.resolve_model(
                    (await within_budget(svc.catalogue.resolve_brand(str(brand)))).id, str(model)))
                category = find_category(found.category)
            except Exception as exc:  # noqa: BLE001 - unknown model or database down: the form asks instead
                logger.info("extract.category_not_inferred error=%s", public_error(exc))
        return {PRODUCT_CATEGORY: category.value} if category else {}

    def validate_product_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        """A product category of the catalogue, else a re-ask."""
        category = find_category(str(value or "")[:MAX_ANSWER_CHARS])
        if category is None:
            dispatcher.utter_message(response="invalid_product_category")
            return {PRODUCT_CATEGORY: None}
        return {PRODUCT_CATEGORY: category.value}

    def validate_symptom(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        """The problem in the customer's words (redacted); an earlier description is kept."""
        text = redact(str(value or ""))
        asked = tracker.get_slot(REQUESTED_SLOT) == SYMPTOM
        if not asked:
            before = value_before_this_turn(tracker, SYMPTOM)
            if before:
                return {SYMPTOM: before}  # given already: a later message (a caption, an address) never replaces it
            if not describes_a_problem(tracker.latest_message or {}):
                return {SYMPTOM: None}  # "/report_fault", "手机", "华为 P60": the form asks for the problem
        if len(text.strip()) < MIN_SYMPTOM_CHARS:
            dispatcher.utter_message(response="invalid_symptom")
            return {SYMPTOM: None}
        return {SYMPTOM: text}

    async def validate_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        """The place, geocoded (a shared location, a street in a sentence); a guess is confirmed first."""
        text = str(value or "").strip()[:MAX_ANSWER_CHARS]
        latest = tracker.latest_message or {}
        shared = latest.get("metadata", {}) or {}
        coordinates = shared.get("location") if isinstance(shared, dict) else None
        message = str(latest.get("text") or "").strip()[:MAX_ANSWER_CHARS]
        if isinstance(coordinates, dict) and message:
            text = message  # a shared location's label ("北京市海淀区中关村大街27号"), not only the place inside it
        elif text and text in message:
            text = address_span(message, text)  # the place found in a sentence, with its street and number
        yes = place_check.confirmed(tracker)
        if yes is not None and not isinstance(coordinates, dict):
            return yes  # "Did you mean Goes, NL?" — "Yes"
        try:
            geocoder = (await services()).geocoder
            if isinstance(coordinates, dict) and {"latitude", "longitude"} <= coordinates.keys():
                found = geocoder.from_coordinates(float(coordinates["latitude"]), float(coordinates["longitude"]))
            else:
                found = geocoder.geocode(text)
        except (DomainError, TypeError, ValueError):
            dispatcher.utter_message(response="invalid_location")
            return {LOCATION: None, GEO: None}
        geo = location_slot(found, text)
        if not found.confident:
            return place_check.ask_to_confirm(geo, text)
        return {LOCATION: geo["label"] if not text else text, GEO: geo, **place_check.cleared()}


    def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        """The phone number in E.164, read in the numbering plan of the customer's place."""
        geo = tracker.get_slot(GEO)
        try:
            return {PHONE: normalise_phone(str(value or ""), phone_region(geo))}
        except InvalidPhoneError:
            dispatcher.utter_message(response="invalid_phone")
            return {PHONE: None}

    def validate_preferred_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        """A visit day within the bookable days ahead, as an ISO date."""
        today = utc_today()
        day = parse_visit_date(str(value or ""), today)
        if not valid_visit_date(day, today):
            dispatcher.utter_message(response="invalid_preferred_date", max_days=MAX_DAYS_AHEAD)
            return {PREFERRED_DATE: None}
        assert day is not None
        return {PREFERRED_DATE: day.isoformat()}

    def validate_purchase_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        """The purchase day the customer names, as an ISO date."""
        day = purchase_day(str(value or "")[:MAX_ANSWER_CHARS], utc_today())
        if day is None:
            dispatcher.utter_message(response="invalid_purchase_date")
            return {PURCHASE_DATE: None}
        return {PURCHASE_DATE: day.isoformat()}

    def validate_part(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        """The part the customer names, trimmed."""
        text = str(value or "").strip()[:60]
        return {PART: text or None}


class ValidateRepairForm(SlotValidators):
    """Brand, product, symptom, location and phone for a repair ticket."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "validate_repair_form"


class ValidateInstallationForm(SlotValidators):
    """Brand, product, address, phone and a visit day for an installation ticket."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "validate_installation_form"


class ValidatePartsForm(SlotValidators):
    """Brand and part for a parts enquiry."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "validate_parts_form"


class ValidateCentreForm(SlotValidators):
    """Brand, product and location for the nearest service centres."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "validate_centre_form"


class ValidateWarrantyForm(SlotValidators):
    """Brand and purchase date; the location only outside China (it decides which law applies)."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "validate_warranty_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """The form's slots, without the place in a Chinese conversation that gave none (China's rules apply)."""
        if language_of(tracker) == "zh" and tracker.get_slot(GEO) is None:
            return [slot for slot in domain_slots if slot != LOCATION]
        return domain_slots


class ActionCancelForm(Action):
    """Stops the current form or offer."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_cancel_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Stop the form and forget the pending question or offer."""
        dispatcher.utter_message(response="form_cancelled")
        return [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None), SlotSet(AWAITING, None), SlotSet(OFFERED_PART, None)]
