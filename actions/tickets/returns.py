"""Return requests: the return and exchange rules of the customer's country (三包 in China) for their dates."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

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
from actions.runtime import Services, within_budget
from actions.warranty import coverage
from bot.domain.return_policy import policy_text
from bot.domain.slots import PURCHASE_DATE
from bot.domain.taxonomy import Category
from bot.domain.warranty import Remedy, WarrantyDecision
from bot.services.tickets.types import NewTicket
from bot.services.tickets.warranty import utc_today

#: The answer when the purchase date or the country is unknown (the rules alone, no window).
NO_WINDOW = "return_policy"


def window_response(decision: WarrantyDecision) -> str:
    """The answer for where the purchase stands: within the return window, the exchange window, or past both."""
    if Remedy.RETURN in decision.remedies:
        return "return_policy_return_window"
    if Remedy.EXCHANGE in decision.remedies:
        return "return_policy_exchange_window"
    return "return_policy_windows_passed"


class ActionReturnRequest(ServiceAction):
    """Explains the return and exchange rules of the customer's country for their dates; files a return request.

    The rules are 三包 in China.
    """

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_return_request"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """Explain the rules for the purchase and file the return request."""
        language = language_of(tracker)
        bought = parse_iso_date(tracker.get_slot(PURCHASE_DATE))
        location = location_of(tracker)
        # The rules of where the customer is; a Chinese conversation without a place is taken to be in China.
        country = location.country if location else ("CN" if language == "zh" else None)
        response = NO_WINDOW
        if bought is not None and bought <= utc_today() and country is not None:
            decision, _ = await coverage(svc, tracker, bought, country)
            response = window_response(decision)
        ticket = await within_budget(svc.tickets.create(NewTicket(
            idempotency_key=f"{tracker.sender_id}:return:{latest_user_timestamp(tracker)}"[:128],
            category=Category.RETURN_REFUND, channel=channel_of(tracker), channel_user_id=tracker.sender_id,
            language=ticket_language(tracker), conversation_id=tracker.sender_id,
            symptom=redact(latest_text(tracker)) or None,
            purchase_date=bought,
        )))
        dispatcher.utter_message(response=response, policy=policy_text(country, language),
                                 ticket_number=ticket.number)
        return []
