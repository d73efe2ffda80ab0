"""Acceptance-SLA sweeps: a routed ticket not accepted by `sla_accept_due_at` goes to the next eligible outlet.

The late outlet counts as having declined (a `rejected` event with reason `sla_timeout`, actor `system:sla`), so
routing never sends the ticket back to it. The sweep is safe to run beside outlets accepting at the same moment:
the status change is a compare-and-set, so either the acceptance or the timeout wins, never both.

`reroute_overdue` is one sweep; our service runs it every `SLA_SWEEP_INTERVAL_S` (`bot/web/workers.py`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.db.models import Ticket
from bot.db.session import SessionFactory
from bot.domain.errors import DomainError
from bot.domain.lifecycle import TicketStatus
from bot.services.tickets.service import TicketService

logger = logging.getLogger(__name__)

SLA_TIMEOUT_REASON = "sla_timeout"
SLA_ACTOR = "system:sla"
AWAITING_ACCEPTANCE = (TicketStatus.ROUTED.value, TicketStatus.REROUTED.value)
DEFAULT_BATCH = 200


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did: tickets re-routed, left without an outlet, and skipped (changed meanwhile)."""

    rerouted: int = 0
    unroutable: int = 0
    skipped: int = 0


async def reroute_overdue(
    sessions: SessionFactory, tickets: TicketService, now: datetime, batch: int = DEFAULT_BATCH
) -> SweepReport:
    """Re-route every ticket still awaiting acceptance after its deadline (oldest deadline first, `batch` at most)."""
    async with sessions() as session:
        overdue = (
            await session.execute(
                select(Ticket.number, Ticket.assigned_outlet_id)
                .where(
                    Ticket.status.in_(AWAITING_ACCEPTANCE),
                    Ticket.assigned_outlet_id.is_not(None),
                    Ticket.sla_accept_due_at.is_not(None),
                    Ticket.sla_accept_due_at < now,
                )
                .order_by(Ticket.sla_accept_due_at, Ticket.id)
                .limit(batch)
            )
        ).all()
    rerouted = unroutable = skipped = 0
    for number, outlet_id in overdue:
        try:
            # `reject` re-checks the assignment and status inside its transaction: a ticket accepted or
            # re-routed since the query above is refused (and skipped) rather than taken from its outlet.
            view = await tickets.reject(number, int(outlet_id), SLA_TIMEOUT_REASON, actor=SLA_ACTOR)
        except DomainError as exc:
            skipped += 1
            logger.info("sla_sweep.skipped number=%s reason=%s", number, exc.code)
            continue
        if view.status == TicketStatus.REJECTED.value:
            unroutable += 1
        else:
            rerouted += 1
        logger.info("sla.timeout_rerouted number=%s from_outlet=%s to_status=%s", number, outlet_id, view.status)
    return SweepReport(rerouted, unroutable, skipped)
