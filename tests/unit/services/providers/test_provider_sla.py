"""Acceptance-SLA sweeps: overdue routed tickets go to the next outlet, which then gets its own deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.db.models import utcnow
from bot.services.tickets.sla_sweeper import SweepReport, reroute_overdue
from tests.provider_world import World


async def test_overdue_ticket_is_rerouted_and_the_late_outlet_counts_as_declined(world: World) -> None:
    number = await world.routed_ticket()
    routed = await world.tickets.get(number)
    assert routed.sla_accept_due_at is not None
    due = routed.sla_accept_due_at
    assert await reroute_overdue(world.sessions, world.tickets, due - timedelta(seconds=1)) == SweepReport()
    report = await reroute_overdue(world.sessions, world.tickets, due + timedelta(seconds=1))
    assert report == SweepReport(rerouted=1)
    view = await world.tickets.get(number, with_events=True)
    assert view.status == "rerouted" and world.code_of(view.assigned_outlet_id) == "OUT-B"
    timeout = view.events[-2]
    assert (timeout.kind, timeout.actor, timeout.data) == ("rejected", "system:sla", {"reason": "sla_timeout"})
    assert timeout.outlet_id == world.outlet_ids["OUT-A"]
    # The next outlet has a fresh deadline, later than the first.
    assert view.sla_accept_due_at is not None and view.sla_accept_due_at > due
    # A sweep past every deadline moves it on to OUT-C, never back to OUT-A.
    assert await reroute_overdue(world.sessions, world.tickets, utcnow() + timedelta(days=1)) == SweepReport(rerouted=1)
    assert world.code_of((await world.tickets.get(number)).assigned_outlet_id) == "OUT-C"
    assert await reroute_overdue(world.sessions, world.tickets, utcnow() + timedelta(days=2)) == SweepReport(
        unroutable=1
    )
    assert (await world.tickets.get(number)).status == "rejected"


async def test_accepted_tickets_are_left_alone(world: World) -> None:
    accepted = await world.routed_ticket()
    waiting = await world.routed_ticket()
    await world.provider.accept(world.identity("OUT-A"), accepted)
    report = await reroute_overdue(world.sessions, world.tickets, utcnow() + timedelta(days=1))
    assert report == SweepReport(rerouted=1)
    assert (await world.tickets.get(accepted)).status == "accepted"
    assert (await world.tickets.get(waiting)).status == "rerouted"
    # The outlet that timed out cannot accept any more: the ticket is no longer its own.
    from bot.domain.errors import TicketNotFoundError

    with pytest.raises(TicketNotFoundError):
        await world.provider.accept(world.identity("OUT-A"), waiting)
    assert (await world.provider.reject(world.identity("OUT-A"), waiting, "late")).reason == "sla_timeout"


async def test_a_sweep_racing_an_acceptance_does_not_take_the_ticket(world: World) -> None:
    number = await world.routed_ticket()
    outlet_id = (await world.tickets.get(number)).assigned_outlet_id
    assert outlet_id is not None
    await world.provider.accept(world.identity("OUT-A"), number)
    # What a sweep that read the ticket just before the acceptance does next: refused, not re-routed.
    from bot.domain.errors import IllegalTransitionError

    with pytest.raises(IllegalTransitionError):
        await world.tickets.reject(number, outlet_id, "sla_timeout", actor="system:sla")
    assert (await world.tickets.get(number)).status == "accepted"
