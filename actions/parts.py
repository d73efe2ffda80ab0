"""Spare parts: where a part is in stock and how soon it can be there; reserving one."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Events, ServiceAction
from actions.catalogue import brand_names
from actions.conversation import channel_of, language_of, location_of
from actions.runtime import Services, as_dict, within_budget
from bot.domain.catalogue import ProductCategory
from bot.domain.errors import InsufficientStockError, NotFoundError
from bot.domain.slots import AWAITING, BRAND, OFFERED_PART, PART, PRODUCT_CATEGORY, PRODUCT_MODEL
from bot.services.parts.types import Availability, PartInfo

#: Typical restocking time quoted when nothing is on hand.
RESTOCK_DAYS = 7


async def find_part(svc: Services, tracker: Tracker, brand_id: int) -> PartInfo | None:
    """The part the customer means, for their product (brand × category).

    By kind ("screen"), else by name, narrowed to their model when known. A model we do not know gets no part:
    another model's would not fit.
    """
    wanted = str(tracker.get_slot(PART) or "").strip()
    model_id = None
    if tracker.get_slot(PRODUCT_MODEL):
        try:
            model = await within_budget(svc.catalogue.resolve_model(brand_id, str(tracker.get_slot(PRODUCT_MODEL))))
            model_id = model.id
        except NotFoundError:
            return None
    slot_category = str(tracker.get_slot(PRODUCT_CATEGORY) or "")
    category = slot_category if slot_category in {c.value for c in ProductCategory} else None
    for query in ({"kind": wanted}, {"text": wanted}):
        parts = await within_budget(svc.parts.find_parts(brand_id=brand_id, model_id=model_id, limit=5,
                                                         category=category, **query))
        if parts:
            return parts[0]
    return None


def where_text(availability: Availability, language: str) -> str:
    """The nearest stock in words."""
    best = availability.locations[0]
    if language == "en":
        return f"{availability.total_available} in stock; the nearest is at {best.warehouse_name} " \
               f"(about {best.distance_km:.0f} km, ready in about {best.eta_days} day(s))."
    return f"现有库存{availability.total_available}件，最近的在{best.warehouse_name}（约{best.distance_km:.0f}公里，" \
           f"约{best.eta_days}天可到）。"


def unlocated_text(availability: Availability, language: str) -> str:
    """Stock with no location known: how many, and a request for the city."""
    if language == "en":
        return f"{availability.total_available} in stock across our warehouses. Tell me your city and I'll find " \
               "the nearest and reserve one."
    return f"各仓库共有库存{availability.total_available}件。告诉我您所在的城市，我帮您找最近的仓库并预留。"


class ActionPartsAvailability(ServiceAction):
    """Finds the part, its price and nearest stock, and offers to reserve it."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_parts_availability"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """Say where the part is in stock and offer to reserve it."""
        language = language_of(tracker)
        brand_id, _ = await brand_names(svc, tracker.get_slot(BRAND), language)
        part = await find_part(svc, tracker, brand_id) if brand_id is not None else None
        if part is None:
            dispatcher.utter_message(response="parts_not_found")
            return [SlotSet(PART, None)]
        near = location_of(tracker)
        availability = await within_budget(svc.parts.availability(part.id, near=near, limit=3))
        name = part.name_en if language == "en" else part.name_zh
        price = f"{part.price:.2f} {part.currency}"
        if near is None and availability.total_available > 0:
            # In stock somewhere: say so, and ask where the customer is for the nearest (not "out of stock").
            dispatcher.utter_message(response="parts_in_stock", part_name=name, part_number=part.part_number,
                                     price=price, where=unlocated_text(availability, language))
            return [SlotSet(PART, None)]
        if availability.total_available <= 0 or not availability.locations:
            dispatcher.utter_message(response="parts_out_of_stock", part_name=name, part_number=part.part_number,
                                     price=price, eta_days=RESTOCK_DAYS)
            return [SlotSet(PART, None)]
        dispatcher.utter_message(response="parts_in_stock", part_name=name, part_number=part.part_number, price=price,
                                 where=where_text(availability, language))
        best = availability.locations[0]
        offer = {"part_id": part.id, "name": name, "warehouse_id": best.warehouse_id, "where": best.warehouse_name,
                 "category": part.category}
        return [SlotSet(AWAITING, "reservation"), SlotSet(OFFERED_PART, offer), SlotSet(PART, None)]


class ActionReservePart(ServiceAction):
    """Reserves the offered part once per offer, on the customer's open ticket when there is one."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_reserve_part"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """Reserve the offered part."""
        offer = as_dict(tracker.get_slot(OFFERED_PART))
        done: Events = [SlotSet(AWAITING, None), SlotSet(OFFERED_PART, None)]
        if not offer:
            dispatcher.utter_message(response="form_cancelled")
            return done
        open_tickets = await within_budget(svc.tickets.list_for_customer(channel_of(tracker), tracker.sender_id))
        # Only on a ticket for the product the part fits (a MateBook battery never goes on a fridge's ticket).
        fits = [t for t in open_tickets if not offer.get("category") or t.product_category == offer.get("category")]
        ticket_id = fits[0].id if fits else None
        # One key per offer: a retried action or a second "yes" never holds a second unit.
        key = f"{tracker.sender_id}:part:{offer['part_id']}:{offer['warehouse_id']}:{ticket_id}"[:128]
        try:
            reservation = await within_budget(svc.parts.reserve(
                int(offer["part_id"]), int(offer["warehouse_id"]), 1, idempotency_key=key, ticket_id=ticket_id,
            ))
        except InsufficientStockError:
            dispatcher.utter_message(response="parts_reservation_failed")
            return done
        dispatcher.utter_message(response="parts_reserved", part_name=offer.get("name", ""),
                                 where=offer.get("where", ""), reference=f"R{reservation.id}")
        return done
