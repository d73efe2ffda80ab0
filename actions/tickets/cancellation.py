"""Cancelling a ticket in chat ("取消服务单", "cancel my repair"): pick the ticket, confirm, cancel.

`action_cancel_ticket` finds the ticket: the number the customer gave (only their own), else their one open
ticket on this channel; several open ones are offered as buttons. It asks to confirm (`awaiting: cancel`, the
number kept in `ticket_number`); `action_confirm_cancel` then cancels on "yes" or keeps it on "no". The rule of
what may be cancelled (until the repair starts) and the event it writes live in `TicketService.cancel_for_customer`.
"""

from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Events, ServiceAction
from actions.conversation import channel_of, language_of
from actions.runtime import Services, within_budget
from actions.texts import status_name
from bot.domain.errors import IllegalTransitionError, TicketNotFoundError
from bot.domain.lifecycle import CUSTOMER_CANCELLABLE, TicketStatus
from bot.domain.slots import AWAITING, TICKET_NUMBER
from bot.domain.ticket_number import normalise_ticket_number
from bot.services.tickets.types import TicketView

logger = logging.getLogger(__name__)
CANCEL_INTENT = "cancel_ticket"
MAX_CHOICES = 5


def _named_number(tracker: Tracker) -> str | None:
    """The ticket number given in this message (an entity), not one remembered from earlier turns."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "ticket_number" and isinstance(entity.get("value"), str):
            return normalise_ticket_number(entity["value"])
    return None


class ActionCancelTicket(ServiceAction):
    """Which ticket to cancel, then "are you sure?"."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_cancel_ticket"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """Find the ticket to cancel and ask to confirm."""
        language = language_of(tracker)
        number = _named_number(tracker)
        if number:
            try:
                ticket = await within_budget(svc.tickets.get(number))
            except TicketNotFoundError:
                ticket = None
            if ticket is None or ticket.conversation_id != tracker.sender_id:
                dispatcher.utter_message(response="ticket_not_found", ticket_number=number)
                return []
            return self._confirm(dispatcher, ticket, language)
        tickets = await within_budget(svc.tickets.list_for_customer(channel_of(tracker), tracker.sender_id))
        if not tickets:
            dispatcher.utter_message(response="cancel_none_open")
            return []
        cancellable = [t for t in tickets if TicketStatus(t.status) in CUSTOMER_CANCELLABLE]
        if len(cancellable) == 1:
            return self._confirm(dispatcher, cancellable[0], language)
        if not cancellable:
            return self._confirm(dispatcher, tickets[0], language)  # says why it is too late
        buttons = [
            {"title": f"{t.number} ({status_name(t.status, language)})",
             "payload": f'/{CANCEL_INTENT}{{"ticket_number": "{t.number}"}}'}
            for t in cancellable[:MAX_CHOICES]
        ]
        dispatcher.utter_message(response="cancel_which", buttons=buttons)
        return []

    @staticmethod
    def _confirm(dispatcher: CollectingDispatcher, ticket: TicketView, language: str) -> Events:
        status = status_name(ticket.status, language)
        if TicketStatus(ticket.status) not in CUSTOMER_CANCELLABLE:
            dispatcher.utter_message(response="cancel_too_late", ticket_number=ticket.number, status=status)
            return []
        dispatcher.utter_message(response="cancel_confirm", ticket_number=ticket.number, status=status)
        return [SlotSet(AWAITING, "cancel"), SlotSet(TICKET_NUMBER, ticket.number)]


class ActionConfirmCancel(ServiceAction):
    """The answer to "cancel it?": yes cancels (through the ticket service), no keeps the ticket."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_confirm_cancel"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """Cancel on yes, keep on no."""
        done: Events = [SlotSet(AWAITING, None)]
        number = str(tracker.get_slot(TICKET_NUMBER) or "")
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if intent != "affirm":
            dispatcher.utter_message(response="cancel_kept", ticket_number=number)
            return done
        language = language_of(tracker)
        try:
            ticket = await within_budget(svc.tickets.cancel_for_customer(number, tracker.sender_id))
        except TicketNotFoundError:
            dispatcher.utter_message(response="ticket_not_found", ticket_number=number)
            return done
        except IllegalTransitionError:
            # The outlet started the repair between the question and the answer.
            current = await within_budget(svc.tickets.get(number))
            dispatcher.utter_message(
                response="cancel_too_late", ticket_number=number, status=status_name(current.status, language)
            )
            return done
        dispatcher.utter_message(response="ticket_cancelled", ticket_number=ticket.number)
        return done
