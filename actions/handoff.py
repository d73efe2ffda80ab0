"""Human handoff (requested, a second miss in a row, safety hazards) and satisfaction ratings."""

from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.base import Events, ServiceAction
from actions.conversation import channel_of, handoff_summary, language_of, latest_text
from actions.runtime import Services, within_budget
from bot.domain.errors import DomainError
from bot.domain.slots import AWAITING, CSAT_SCORE, CSAT_TICKET, TICKET_NUMBER, URGENCY
from bot.nlu.extraction.ratings import read_rating

logger = logging.getLogger(__name__)


async def hand_over(
    dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services, reason: str
) -> Events:
    """Queue a handoff record for the agents and pause the bot for this conversation."""
    ticket = tracker.get_slot(TICKET_NUMBER)
    await within_budget(svc.handoff.open(
        conversation_id=tracker.sender_id, channel=channel_of(tracker), language=language_of(tracker),
        reason=reason, summary=handoff_summary(tracker, reason), ticket_number=ticket if ticket else None,
    ))
    logger.info("handoff.queued reason=%s", reason)
    dispatcher.utter_message(response="handoff_queued")
    return [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None), SlotSet(AWAITING, None), ConversationPaused()]


class ActionHandoff(ServiceAction):
    """The customer asked for a person."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_handoff"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """Queue the conversation for a person and pause the bot."""
        return await hand_over(dispatcher, tracker, svc, "requested")


class ActionSafetyHandoff(ServiceAction):
    """A safety hazard: what to do right now first, then a person."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_safety_handoff"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """Give the safety advice, then hand over."""
        dispatcher.utter_message(response="safety_advice")
        return [SlotSet(URGENCY, None), *await hand_over(dispatcher, tracker, svc, "safety")]


def score_of(tracker: Tracker) -> int | None:
    """A 1–5 rating from the button payload or the typed answer."""
    value = tracker.get_slot(CSAT_SCORE)
    return read_rating(str(value) if value is not None else latest_text(tracker))


def _asked_again_already(tracker: Tracker) -> bool:
    """Whether the bot's latest message was "please rate from 1 to 5"."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            return (event.get("metadata") or {}).get("utter_action") == "csat_invalid"
    return False


async def store_rating(dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
    """Store the answer to the rating question against its ticket (and so its outlet), or ask again."""
    score = score_of(tracker)
    if score is None:
        if _asked_again_already(tracker):  # a second answer that is no rating: the customer has moved on
            dispatcher.utter_message(response="fallback_suggest")
            return [SlotSet(AWAITING, None), SlotSet(CSAT_TICKET, None), SlotSet(CSAT_SCORE, None)]
        dispatcher.utter_message(response="csat_invalid")
        return [SlotSet(CSAT_SCORE, None)]
    try:
        await within_budget(svc.csat.record(
            str(tracker.get_slot(CSAT_TICKET)), score, channel_of(tracker), tracker.sender_id,
        ))
    except DomainError as exc:
        logger.info("csat.rejected error=%s", type(exc).__name__)
    dispatcher.utter_message(response="csat_thanks", score=score)
    return [SlotSet(AWAITING, None), SlotSet(CSAT_TICKET, None), SlotSet(CSAT_SCORE, None)]


class ActionAskCsat(ServiceAction):
    """Asks for a rating of a resolved ticket (run by our service through Rasa's API)."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_ask_csat"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """Ask for the rating of the ticket in `csat_ticket`."""
        number = tracker.get_slot(CSAT_TICKET)
        if not number:
            return []
        dispatcher.utter_message(response="ask_csat", ticket_number=number)
        return [SlotSet(AWAITING, "csat")]


class ActionStoreCsat(ServiceAction):
    """Stores the rating against the ticket (and so its outlet)."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_store_csat"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """Store the rating, or ask again."""
        return await store_rating(dispatcher, tracker, svc)
