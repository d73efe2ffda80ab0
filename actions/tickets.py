"""Ticket actions: summary and edits, creation with routing, status, complaints and return requests."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import Events, ServiceAction
from actions.conversation import (
    channel_of,
    language_of,
    latest_text,
    latest_user_timestamp,
    location_of,
    parse_iso_date,
    redact,
    ticket_language,
)
from actions.corrections import is_typed_correction, typed_correction
from actions.runtime import Services, within_budget
from actions.texts import category_name, day_text, event_name, status_name
from bot.domain.catalogue import ProductCategory
from bot.domain.errors import (
    ConflictError,
    NoEligibleOutletError,
    NotFoundError,
    TicketNotFoundError,
    UnknownModelError,
)
from bot.domain.phone import mask_phone
from bot.domain.return_policy import policy_text
from bot.domain.taxonomy import Category, Priority
from bot.domain.ticket_number import normalise_ticket_number
from bot.domain.warranty import Remedy, decide
from bot.geo.haversine import haversine_km
from bot.nlu.purchase_dates import purchase_day
from bot.nlu.urgency import ticket_priority
from bot.services.tickets.types import NewTicket, TicketView
from bot.services.tickets.warranty import utc_today, valid_imei

logger = logging.getLogger(__name__)
FORM_KIND = {"repair_form": "repair", "installation_form": "installation"}
SUMMARY = {"repair": "repair_summary", "installation": "installation_summary"}
#: Slots that describe one request; cleared once it is filed (contact details stay for the next one).
REQUEST_SLOTS = ("brand", "product_category", "product_model", "symptom", "error_code", "preferred_date", "imei",
                 "serial")
MAX_SERIAL_CHARS = 64
EDITABLE = {"brand", "product_category", "symptom", "location", "phone", "preferred_date"}


def last_form(tracker: Tracker) -> str | None:
    """The repair/installation form most recently active in this conversation."""
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") in FORM_KIND:
            return str(event["name"])
    return None


async def brand_names(svc: Services, code: str | None, language: str) -> tuple[int | None, str]:
    """A brand code's id and display name."""
    if not code:
        return None, ""
    try:
        brand = await within_budget(svc.catalogue.resolve_brand(code))
    except NotFoundError:
        return None, code
    return brand.id, brand.name_en if language == "en" else brand.name_zh


def draft_key(tracker: Tracker) -> str:
    """The idempotency key of a confirmed draft: one ticket per summary, however often it is confirmed or retried."""
    draft = tracker.get_slot("draft_id") or latest_user_timestamp(tracker)
    return f"{tracker.sender_id}:{draft}"[:128]


class ActionShowSummary(ServiceAction):
    """Shows what will be filed and waits for confirm / edit; a new draft id makes the confirmation idempotent."""

    def name(self) -> str:
        return "action_show_summary"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        kind = tracker.get_slot("awaiting") if tracker.get_slot("awaiting") in FORM_KIND.values() else None
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
        _, brand = await brand_names(svc, slots.get("brand"), language)
        phone = slots.get("phone")
        symptom = slots.get("symptom") or ""
        code = slots.get("error_code")
        dispatcher.utter_message(
            response=SUMMARY[kind],
            brand_name=brand,
            category_name=category_name(slots.get("product_category"), language),
            model=slots.get("product_model") or "",
            symptom=f"{symptom} ({code})" if code and code not in symptom else symptom,
            location=slots.get("location") or "",
            phone=mask_phone(phone) if phone else "",
            preferred_date=day_text(parse_iso_date(slots.get("preferred_date")), language),
        )
        return [*corrected, SlotSet("awaiting", kind), SlotSet("draft_id", uuid.uuid4().hex)]


class ActionAskEdit(Action):
    """Asks which field to change."""

    def name(self) -> str:
        return "action_ask_edit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        dispatcher.utter_message(response="ask_edit")
        return []


class ActionEditSlot(Action):
    """Clears the chosen field so that the form asks for it again."""

    def name(self) -> str:
        return "action_edit_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        field = tracker.get_slot("edit_slot")
        events: Events = [SlotSet("edit_slot", None), SlotSet("awaiting", None)]
        if field in EDITABLE:
            events.append(SlotSet(field, None))
            if field == "brand":
                events.append(SlotSet("product_category", None))
            if field == "location":
                events.append(SlotSet("geo", None))
        return events


async def device_of(svc: Services, tracker: Tracker, brand_id: int | None) -> dict[str, Any]:
    """The customer's device as the conversation gave it: the catalogue model, a valid IMEI, the serial number and
    the purchase date (`NewTicket` fields; what is missing or invalid is left out)."""
    device: dict[str, Any] = {}
    model = tracker.get_slot("product_model")
    if brand_id is not None and isinstance(model, str) and model.strip():
        try:
            device["model_id"] = (await within_budget(svc.catalogue.resolve_model(brand_id, model))).id
        except UnknownModelError:
            pass
    imei = re.sub(r"\D", "", str(tracker.get_slot("imei") or ""))
    if valid_imei(imei):
        device["imei"] = imei
    serial = str(tracker.get_slot("serial") or "").strip()
    if serial:
        device["serial"] = serial[:MAX_SERIAL_CHARS]
    said = tracker.get_slot("purchase_date")
    bought = purchase_day(said, utc_today()) if isinstance(said, str) else None
    if bought is not None:
        device["purchase_date"] = bought
    return device


class ActionCreateTicket(ServiceAction):
    """Files the confirmed repair or installation request, routes it and tells the customer where it went."""

    def name(self) -> str:
        return "action_create_ticket"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        kind = tracker.get_slot("awaiting")
        language = language_of(tracker)
        brand_id, _ = await brand_names(svc, tracker.get_slot("brand"), language)
        visit = parse_iso_date(tracker.get_slot("preferred_date"))
        symptom = tracker.get_slot("symptom") or ""
        if kind == "installation":
            symptom = f"installation requested for {visit.isoformat() if visit else 'any day'}"
        code = tracker.get_slot("error_code")
        if code and code not in symptom:
            symptom = f"{symptom} [{code}]"
        device = await device_of(svc, tracker, brand_id)
        model = str(tracker.get_slot("product_model") or "")[:60]
        if model and device.get("model_id") is None and model.lower() not in symptom.lower():
            symptom = f"{symptom} [{model}]"  # a model our catalogue does not list: the outlet still reads it
        category = ProductCategory(tracker.get_slot("product_category"))
        new = NewTicket(
            idempotency_key=draft_key(tracker),
            category=Category.INSTALLATION_REQUEST if kind == "installation" else Category.REPORT_FAULT,
            channel=channel_of(tracker),
            channel_user_id=tracker.sender_id,
            language=ticket_language(tracker),
            priority=ticket_priority(tracker.get_slot("urgency"), symptom),
            conversation_id=tracker.sender_id,
            phone=tracker.get_slot("phone"),
            brand_id=brand_id,
            product_category=category,
            symptom=redact(symptom),
            location=location_of(tracker),
            location_text=(tracker.get_slot("location") or "")[:300] or None,
            **device,
        )
        ticket = await within_budget(svc.tickets.create(new))
        ticket = await self._route(svc, ticket)
        await self._announce(dispatcher, svc, tracker, ticket, kind, language)
        return [SlotSet("awaiting", None), SlotSet("draft_id", None), SlotSet("ticket_number", ticket.number)] + [
            SlotSet(slot, None) for slot in REQUEST_SLOTS
        ]

    @staticmethod
    async def _route(svc: Services, ticket: TicketView) -> TicketView:
        if ticket.assigned_outlet_id is not None:
            return ticket  # a retried confirmation: already routed
        try:
            return await within_budget(svc.tickets.route(ticket.number))
        except (NoEligibleOutletError, ConflictError):
            logger.info("ticket.unrouted number=%s", ticket.number)
            return await within_budget(svc.tickets.get(ticket.number))

    @staticmethod
    async def _announce(
        dispatcher: CollectingDispatcher, svc: Services, tracker: Tracker, ticket: TicketView, kind: Any,
        language: str,
    ) -> None:
        if ticket.assigned_outlet_id is None:
            dispatcher.utter_message(response="ticket_created_unrouted", ticket_number=ticket.number)
            return
        outlet = await within_budget(svc.outlets.get(ticket.assigned_outlet_id))
        distance = ""
        if ticket.lat is not None and ticket.lon is not None:
            distance = f"{haversine_km(ticket.lat, ticket.lon, outlet.lat, outlet.lon):.1f}"
        details = {
            "ticket_number": ticket.number, "outlet_name": outlet.name(language), "outlet_address": outlet.address,
            "outlet_phone": outlet.phone or "-", "outlet_hours": outlet.opening_hours, "distance_km": distance,
        }
        if outlet.is_mail_in_hub:
            dispatcher.utter_message(response="ticket_created_mail_in", **details)
        elif kind == "installation":
            visit = parse_iso_date(tracker.get_slot("preferred_date"))
            dispatcher.utter_message(response="installation_created", preferred_date=day_text(visit, language),
                                     **details)
        else:
            dispatcher.utter_message(response="ticket_created", **details)


class ActionTicketStatus(ServiceAction):
    """Status of the ticket the customer names, or of their open tickets on this channel."""

    def name(self) -> str:
        return "action_ticket_status"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        language = language_of(tracker)
        asked = tracker.get_slot("ticket_number")
        number = normalise_ticket_number(asked) if isinstance(asked, str) else None
        mentioned = any(e.get("entity") == "ticket_number" for e in (tracker.latest_message or {}).get("entities", []))
        if number and mentioned:
            try:
                ticket = await within_budget(svc.tickets.get(number, with_events=True))
            except TicketNotFoundError:
                ticket = None
            if ticket is None or ticket.conversation_id != tracker.sender_id:
                # Only the customer who opened a ticket (this conversation) may read it.
                dispatcher.utter_message(response="ticket_not_found", ticket_number=number)
                return []
            await self._one(dispatcher, svc, ticket, language)
            return []
        tickets = await within_budget(svc.tickets.list_for_customer(channel_of(tracker), tracker.sender_id))
        if not tickets:
            dispatcher.utter_message(response="ticket_status_none")
        elif len(tickets) == 1:
            await self._one(dispatcher, svc, await within_budget(svc.tickets.get(tickets[0].number, True)), language)
        else:
            lines = "\n".join(
                f"- {t.number}: {status_name(t.status, language)} ({day_text(t.created_at, language)})"
                for t in tickets[:5]
            )
            dispatcher.utter_message(response="ticket_status_list", lines=lines)
        return []

    @staticmethod
    async def _one(dispatcher: CollectingDispatcher, svc: Services, ticket: TicketView, language: str) -> None:
        outlet_name = "-"
        if ticket.assigned_outlet_id is not None:
            outlet_name = (await within_budget(svc.outlets.get(ticket.assigned_outlet_id))).name(language)
        last = ticket.events[-1] if ticket.events else None
        last_event = f"{event_name(last.kind, language)} ({day_text(last.at, language)})" if last else "-"
        awaiting_outlet = ticket.status in ("new", "routed", "rerouted", "rejected")
        due = ticket.sla_accept_due_at if awaiting_outlet else ticket.sla_resolve_due_at
        eta = ""
        if due is not None and ticket.status not in ("resolved", "closed", "cancelled"):
            day = day_text(due, language)
            if awaiting_outlet:
                eta = f"The outlet confirms by {day}." if language == "en" else f"网点将在{day}前确认接单。"
            else:
                eta = f"Expected to be done by {day}." if language == "en" else f"预计{day}前完成。"
        dispatcher.utter_message(
            response="ticket_status_one", ticket_number=ticket.number, status=status_name(ticket.status, language),
            outlet_name=outlet_name, last_event=last_event, eta=eta,
        )


async def latest_ticket(svc: Services, tracker: Tracker) -> TicketView | None:
    """The customer's most recent ticket on this channel, open or not."""
    tickets = await within_budget(svc.tickets.list_for_customer(channel_of(tracker), tracker.sender_id, False))
    return tickets[0] if tickets else None


class ActionCreateComplaint(ServiceAction):
    """Records a high-priority complaint ticket, linked to the customer's latest ticket, and offers a human."""

    def name(self) -> str:
        return "action_create_complaint"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        language = language_of(tracker)
        parent = await latest_ticket(svc, tracker)
        if parent is not None and parent.category == Category.COMPLAINT.value:
            parent = None  # link complaints to the service they are about, not to each other
        complaint = await within_budget(svc.tickets.create(NewTicket(
            idempotency_key=f"{tracker.sender_id}:complaint:{latest_user_timestamp(tracker)}"[:128],
            category=Category.COMPLAINT, channel=channel_of(tracker), channel_user_id=tracker.sender_id,
            language=ticket_language(tracker), priority=Priority.HIGH, conversation_id=tracker.sender_id,
            symptom=redact(latest_text(tracker)) or None,
            parent_ticket_number=parent.number if parent else None,
        )))
        linked = ""
        if parent is not None:
            linked = f", linked to {parent.number}" if language == "en" else f"，已关联服务单 {parent.number}"
        dispatcher.utter_message(response="complaint_created", ticket_number=complaint.number, linked=linked)
        return []


class ActionReturnRequest(ServiceAction):
    """Explains the return/exchange rules of the customer's country (三包 in China) for their dates and files a
    return request."""

    def name(self) -> str:
        return "action_return_request"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        language = language_of(tracker)
        bought = parse_iso_date(tracker.get_slot("purchase_date"))
        location = location_of(tracker)
        # The rules of where the customer is; a Chinese conversation without a place is taken to be in China.
        country = location.country if location else ("CN" if language == "zh" else None)
        window = ""
        if bought is not None and bought <= utc_today() and country is not None:
            decision = decide(bought, utc_today(), 12, country)
            if Remedy.RETURN in decision.remedies:
                window = ("Your purchase is within the return window. " if language == "en"
                          else "您的购买时间仍在退货期内。")
            elif Remedy.EXCHANGE in decision.remedies:
                window = ("Your purchase is past the return window but within the exchange window. " if language == "en"
                          else "您的购买时间已过退货期，但仍在换货期内。")
            else:
                window = ("Your purchase is past the return and exchange windows; a repair under warranty applies. "
                          if language == "en" else "您的购买时间已过退换货期，可享受保修期内维修。")
        ticket = await within_budget(svc.tickets.create(NewTicket(
            idempotency_key=f"{tracker.sender_id}:return:{latest_user_timestamp(tracker)}"[:128],
            category=Category.RETURN_REFUND, channel=channel_of(tracker), channel_user_id=tracker.sender_id,
            language=ticket_language(tracker), conversation_id=tracker.sender_id,
            symptom=redact(latest_text(tracker)) or None,
            purchase_date=bought,
        )))
        dispatcher.utter_message(response="return_policy", policy=policy_text(country, language), window=window,
                                 ticket_number=ticket.number)
        return []


class ActionCancelForm(Action):
    """Stops the current form or offer."""

    def name(self) -> str:
        return "action_cancel_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        dispatcher.utter_message(response="form_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("awaiting", None),
                SlotSet("offered_part", None)]
