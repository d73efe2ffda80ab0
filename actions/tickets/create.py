"""Filing the confirmed repair or installation request: the ticket, routed, and where it went."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Events, ServiceAction
from actions.catalogue import brand_names
from actions.conversation import (
    channel_of,
    language_of,
    latest_user_timestamp,
    location_of,
    parse_iso_date,
    redact,
    ticket_language,
)
from actions.runtime import SERVICE_TIMEOUT_S, Services, within_budget
from actions.texts import day_text
from bot.domain.catalogue import ProductCategory
from bot.domain.errors import UnknownModelError
from bot.domain.slots import (
    AWAITING,
    BRAND,
    DRAFT_ID,
    ERROR_CODE,
    IMEI,
    LOCATION,
    PHONE,
    PREFERRED_DATE,
    PRODUCT_CATEGORY,
    PRODUCT_MODEL,
    PURCHASE_DATE,
    SERIAL,
    SYMPTOM,
    TICKET_NUMBER,
    URGENCY,
)
from bot.domain.taxonomy import Category
from bot.nlu.extraction.purchase_dates import purchase_day
from bot.nlu.extraction.urgency import ticket_priority
from bot.services.tickets.types import FiledRequest, NewTicket
from bot.services.tickets.warranty import utc_today, valid_imei

#: Slots that describe one request; cleared once it is filed (contact details stay for the next one).
REQUEST_SLOTS = (BRAND, PRODUCT_CATEGORY, PRODUCT_MODEL, SYMPTOM, ERROR_CODE, PREFERRED_DATE, IMEI, SERIAL)
MAX_SERIAL_CHARS = 64
#: Filing is up to four service calls (create, route, re-read when unrouted, the outlet), each once within
#: `SERVICE_TIMEOUT_S` when the action made them one by one.
FILING_TIMEOUT_S = 4 * SERVICE_TIMEOUT_S


def draft_key(tracker: Tracker) -> str:
    """The idempotency key of a confirmed draft: one ticket per summary, however often it is confirmed or retried."""
    draft = tracker.get_slot(DRAFT_ID) or latest_user_timestamp(tracker)
    return f"{tracker.sender_id}:{draft}"[:128]


async def device_of(svc: Services, tracker: Tracker, brand_id: int | None) -> dict[str, Any]:
    """The customer's device as the conversation gave it, as `NewTicket` fields.

    The catalogue model, a valid IMEI, the serial number and the purchase date; what is missing or invalid is left
    out.
    """
    device: dict[str, Any] = {}
    model = tracker.get_slot(PRODUCT_MODEL)
    if brand_id is not None and isinstance(model, str) and model.strip():
        try:
            device["model_id"] = (await within_budget(svc.catalogue.resolve_model(brand_id, model))).id
        except UnknownModelError:
            pass
    imei = re.sub(r"\D", "", str(tracker.get_slot(IMEI) or ""))
    if valid_imei(imei):
        device["imei"] = imei
    serial = str(tracker.get_slot(SERIAL) or "").strip()
    if serial:
        device["serial"] = serial[:MAX_SERIAL_CHARS]
    said = tracker.get_slot(PURCHASE_DATE)
    bought = purchase_day(said, utc_today()) if isinstance(said, str) else None
    if bought is not None:
        device["purchase_date"] = bought
    return device


async def new_ticket(svc: Services, tracker: Tracker, kind: Any, language: str) -> NewTicket:
    """The request the conversation describes, as the ticket service takes it."""
    brand_id, _ = await brand_names(svc, tracker.get_slot(BRAND), language)
    visit = parse_iso_date(tracker.get_slot(PREFERRED_DATE))
    symptom = tracker.get_slot(SYMPTOM) or ""
    if kind == "installation":
        symptom = f"installation requested for {visit.isoformat() if visit else 'any day'}"
    code = tracker.get_slot(ERROR_CODE)
    if code and code not in symptom:
        symptom = f"{symptom} [{code}]"
    device = await device_of(svc, tracker, brand_id)
    model = str(tracker.get_slot(PRODUCT_MODEL) or "")[:60]
    if model and device.get("model_id") is None and model.lower() not in symptom.lower():
        symptom = f"{symptom} [{model}]"  # a model our catalogue does not list: the outlet still reads it
    return NewTicket(
        idempotency_key=draft_key(tracker),
        category=Category.INSTALLATION_REQUEST if kind == "installation" else Category.REPORT_FAULT,
        channel=channel_of(tracker),
        channel_user_id=tracker.sender_id,
        language=ticket_language(tracker),
        priority=ticket_priority(tracker.get_slot(URGENCY), symptom),
        conversation_id=tracker.sender_id,
        phone=tracker.get_slot(PHONE),
        brand_id=brand_id,
        product_category=ProductCategory(tracker.get_slot(PRODUCT_CATEGORY)),
        symptom=redact(symptom),
        location=location_of(tracker),
        location_text=(tracker.get_slot(LOCATION) or "")[:300] or None,
        **device,
    )


class ActionCreateTicket(ServiceAction):
    """Files the confirmed repair or installation request, routes it and tells the customer where it went."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_create_ticket"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """File the request and say where it went; clear the request's slots."""
        kind = tracker.get_slot(AWAITING)
        language = language_of(tracker)
        new = await new_ticket(svc, tracker, kind, language)
        filed = await within_budget(svc.tickets.file_request(new), FILING_TIMEOUT_S)
        self._announce(dispatcher, tracker, filed, kind, language)
        return [SlotSet(AWAITING, None), SlotSet(DRAFT_ID, None), SlotSet(TICKET_NUMBER, filed.ticket.number)] + [
            SlotSet(slot, None) for slot in REQUEST_SLOTS
        ]

    @staticmethod
    def _announce(
        dispatcher: CollectingDispatcher, tracker: Tracker, filed: FiledRequest, kind: Any, language: str
    ) -> None:
        ticket, outlet = filed.ticket, filed.outlet
        if outlet is None:
            dispatcher.utter_message(response="ticket_created_unrouted", ticket_number=ticket.number)
            return
        distance = f"{filed.distance_km:.1f}" if filed.distance_km is not None else ""
        details = {
            "ticket_number": ticket.number, "outlet_name": outlet.name(language), "outlet_address": outlet.address,
            "outlet_phone": outlet.phone or "-", "outlet_hours": outlet.opening_hours, "distance_km": distance,
        }
        if filed.mail_in:
            dispatcher.utter_message(response="ticket_created_mail_in", **details)
        elif kind == "installation":
            visit = parse_iso_date(tracker.get_slot(PREFERRED_DATE))
            dispatcher.utter_message(response="installation_created", preferred_date=day_text(visit, language),
                                     **details)
        else:
            dispatcher.utter_message(response="ticket_created", **details)
