"""Ticket actions: the summary and its edits, filing, status, complaints, returns and cancelling in chat.

The actions are registered from their modules (rasa-sdk imports every module of the `actions` package, subpackages
included); they are named here too, for callers that say `actions.tickets.ActionCreateTicket`.
"""

from actions.tickets.cancellation import ActionCancelTicket, ActionConfirmCancel
from actions.tickets.complaints import ActionCreateComplaint
from actions.tickets.create import ActionCreateTicket
from actions.tickets.returns import ActionReturnRequest
from actions.tickets.status import ActionTicketStatus
from actions.tickets.summary import ActionAskEdit, ActionEditSlot, ActionShowSummary

__all__ = ["ActionAskEdit", "ActionCancelTicket", "ActionConfirmCancel", "ActionCreateComplaint",
           "ActionCreateTicket", "ActionEditSlot", "ActionReturnRequest", "ActionShowSummary", "ActionTicketStatus"]
