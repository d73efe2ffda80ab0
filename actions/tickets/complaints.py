"""Complaints: a high-priority ticket linked to the service it is about, and a person on offer."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Events, ServiceAction
from actions.conversation import channel_of, language_of, latest_text, latest_user_timestamp, redact, ticket_language
from actions.runtime import Services, within_budget
from bot.domain.taxonomy import Category, Priority
from bot.services.tickets.types import NewTicket, TicketView


async def latest_ticket(svc: Services, tracker: Tracker) -> TicketView | None:
    """The customer's most recent ticket on this channel, open or not."""
    tickets = await within_budget(svc.tickets.list_for_customer(channel_of(tracker), tracker.sender_id, False))
    return tickets[0] if tickets else None


class ActionCreateComplaint(ServiceAction):
    """Records a high-priority complaint ticket, linked to the customer's latest ticket, and offers a human."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_create_complaint"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """File the complaint and say its number."""
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
