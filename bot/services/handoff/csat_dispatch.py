"""The CSAT dispatcher: ask customers of freshly resolved tickets for a rating, once each.

`dispatch_due` is one round; our service runs it every `CSAT_DISPATCH_INTERVAL_S` (`bot/web/workers.py`).

Delivery is at most once, on purpose: a request is marked *before* Rasa is asked to send it, so when the send
fails (Rasa down, conversation gone) the customer is not asked again on the next round. Asking a customer twice, or
a burst of stale questions after an outage, costs more goodwill than a missing rating costs insight. Marking first
is also what keeps several dispatchers (one per service replica) from asking the same customer.

Rasa is asked through `RatingRequester.ask_for_rating` (`RasaBridge`): it sets the `csat_ticket` slot and then runs
`action_ask_csat`, which sends the question on the customer's latest channel. No `EXTERNAL_*` intent is involved:
one without NLU examples would fail `rasa data validate --fail-on-warnings`. A channel Rasa cannot push to (the
web chat) gets the question through the `collector` output channel: Rasa records it in the conversation and
answers with its text, which is kept as a pollable customer message (`CsatService.record_question`) that the
page shows with 1–5 buttons.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from bot.domain.errors import DomainError
from bot.services.customers.delivery import COLLECTOR
from bot.services.customers.message_types import is_push_channel
from bot.services.handoff.csat import CsatService

__all__ = ["CSAT_ASK_ACTION", "CSAT_TICKET_SLOT", "RatingRequester", "dispatch_due"]

logger = logging.getLogger(__name__)

CSAT_TICKET_SLOT = "csat_ticket"  # read by `action_ask_csat` and `action_store_csat` (actions/handoff.py)
CSAT_ASK_ACTION = "action_ask_csat"


class RatingRequester(Protocol):
    """What the dispatcher needs from Rasa (implemented by `RasaBridge`)."""

    async def ask_for_rating(
        self, conversation_id: str, ticket_number: str, output_channel: str = "latest"
    ) -> list[dict[str, Any]]:
        """Set `CSAT_TICKET_SLOT` to `ticket_number`, run `CSAT_ASK_ACTION`; the messages a collector received."""
        ...


async def dispatch_due(csat: CsatService, bridge: RatingRequester, limit: int = 50) -> int:
    """Ask every due customer for a rating (at most `limit` per round); returns how many requests Rasa accepted."""
    sent = 0
    for due in await csat.due_requests(limit):
        if not await csat.mark_requested(due.ticket_number):
            continue  # another dispatcher took this one
        push = is_push_channel(due.channel)
        try:
            messages = await bridge.ask_for_rating(
                due.conversation_id, due.ticket_number, "latest" if push else COLLECTOR
            )
            if not push:
                await csat.record_question(due.ticket_number, _question_text(messages))
        except DomainError as exc:
            # Stays marked (see the module docstring); no conversation id or text in the log, only the ticket.
            logger.warning("csat.request_failed ticket=%s error=%s", due.ticket_number, exc.code)
            continue
        sent += 1
        logger.info("csat.requested ticket=%s channel=%s", due.ticket_number, due.channel)
    return sent


def _question_text(messages: list[dict[str, Any]]) -> str:
    """The text of the question Rasa collected (its buttons are the rating scale the page renders itself)."""
    return "\n".join(str(m["text"]) for m in messages if isinstance(m, dict) and m.get("text"))
