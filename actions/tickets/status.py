"""The status of the customer's tickets: the one they name (only their own), else their open ones."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Events, ServiceAction
from actions.conversation import channel_of, language_of
from actions.runtime import Services, within_budget
from actions.texts import day_text, event_name, status_name
from bot.domain.errors import TicketNotFoundError
from bot.domain.slots import TICKET_NUMBER
from bot.domain.ticket_number import normalise_ticket_number
from bot.services.tickets.types import TicketView


class ActionTicketStatus(ServiceAction):
    """Status of the ticket the customer names, or of their open tickets on this channel."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_ticket_status"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """Say the status of the named ticket, or of the customer's open ones."""
        language = language_of(tracker)
        asked = tracker.get_slot(TICKET_NUMBER)
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
