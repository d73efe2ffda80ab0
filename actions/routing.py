"""The three nearest authorised service outlets for a brand and product."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Events, ServiceAction
from actions.catalogue import brand_names
from actions.conversation import language_of, location_of
from actions.runtime import Services, within_budget
from bot.domain.catalogue import ProductCategory, can_be_posted
from bot.domain.slots import BRAND, PRODUCT_CATEGORY
from bot.domain.taxonomy import ServiceType

NEAREST = 3


class ActionFindServiceCentres(ServiceAction):
    """Lists the nearest authorised outlets, else the mail-in hub."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_find_service_centres"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """List the nearest outlets, else the mail-in hub."""
        language = language_of(tracker)
        brand_id, brand = await brand_names(svc, tracker.get_slot(BRAND), language)
        location = location_of(tracker)
        if brand_id is None or location is None:
            dispatcher.utter_message(response="centres_none", brand_name=brand)
            return []
        category = ProductCategory(tracker.get_slot(PRODUCT_CATEGORY))
        found = await within_budget(svc.routing.nearest(brand_id, category, ServiceType.REPAIR, location, k=NEAREST))
        if found:
            km = "km" if language == "en" else "公里"
            lines = "\n".join(
                f"{i}. {c.name_en if language == 'en' else c.name_zh} — {c.address} ({c.distance_km:.1f} {km}; "
                f"{c.phone or '-'}; {c.opening_hours})"
                for i, c in enumerate(found, start=1)
            )
            dispatcher.utter_message(response="centres_found", brand_name=brand, lines=lines)
            return []
        # A parcel only for what can be posted (never an installed appliance), to a hub in the customer's country.
        hub = (await within_budget(svc.routing.nearest_mail_in_hub(brand_id, category, location))
               if can_be_posted(category) else None)
        if hub is None:
            dispatcher.utter_message(response="centres_none", brand_name=brand)
        else:
            dispatcher.utter_message(
                response="centres_mail_in", brand_name=brand,
                outlet_name=hub.name_en if language == "en" else hub.name_zh,
                outlet_address=hub.address, outlet_phone=hub.phone or "-",
            )
        return []
