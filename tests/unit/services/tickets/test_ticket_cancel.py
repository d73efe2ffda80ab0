"""A customer withdraws their own ticket in chat: until the repair starts, once, and only their own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import TicketEvent
from bot.domain.errors import IllegalTransitionError, TicketNotFoundError
from bot.domain.lifecycle import TicketStatus
from bot.services.tickets.service import TicketService
from tests.unit.services.tickets import test_tickets
from tests.unit.services.tickets.test_tickets import RecordingRouter, _new

network = test_tickets.network  # the same seeded brand and outlets (a fixture, used by name)


async def _events(session_factory, number: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        rows = (await session.execute(select(TicketEvent).order_by(TicketEvent.id))).scalars().all()
    return [(e.kind, e.actor) for e in rows]


async def test_the_customer_cancels_a_routed_ticket_once(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    router = RecordingRouter([network["o1"]])
    service = TicketService(session_factory, router)
    ticket = await service.create(_new("c1", network["brand"], conversation_id="tg:7", channel="telegram"), route=True)
    cancelled = await service.cancel_for_customer(ticket.number, "tg:7")
    assert cancelled.status == TicketStatus.CANCELLED.value
    assert router.load == {network["o1"]: 0}  # the outlet's capacity is given back
    again = await service.cancel_for_customer(ticket.number, "tg:7")  # a retried action
    assert again.status == "cancelled"
    kinds = await _events(session_factory, ticket.number)
    assert kinds[-1] == ("cancelled", "telegram:customer")  # the actor the customer-update scan skips
    assert [k for k, _ in kinds].count("cancelled") == 1


async def test_only_the_conversation_that_opened_it_may_cancel(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    service = TicketService(session_factory, RecordingRouter([network["o1"]]))
    ticket = await service.create(_new("c2", network["brand"], conversation_id="web:a"), route=True)
    for stranger in ("web:b", ""):
        with pytest.raises(TicketNotFoundError):
            await service.cancel_for_customer(ticket.number, stranger)
    with pytest.raises(TicketNotFoundError):
        await service.cancel_for_customer("AS-20990101-ZZZZZZ", "web:a")
    assert (await service.get(ticket.number)).status == "routed"


@pytest.mark.parametrize("started", [TicketStatus.IN_REPAIR, TicketStatus.WAITING_PARTS])
async def test_too_late_once_the_repair_has_started(session_factory, network, started: TicketStatus) -> None:  # type: ignore[no-untyped-def]
    service = TicketService(session_factory, RecordingRouter([network["o1"]]))
    ticket = await service.create(_new(f"c3-{started.value}", network["brand"], conversation_id="web:a"), route=True)
    await service.transition(ticket.number, TicketStatus.ACCEPTED, "outlet:1")
    await service.transition(ticket.number, TicketStatus.IN_REPAIR, "outlet:1")
    if started is TicketStatus.WAITING_PARTS:
        await service.transition(ticket.number, TicketStatus.WAITING_PARTS, "outlet:1")
    with pytest.raises(IllegalTransitionError):
        await service.cancel_for_customer(ticket.number, "web:a")
    assert (await service.get(ticket.number)).status == started.value


async def test_an_accepted_or_unrouted_ticket_can_still_be_cancelled(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    service = TicketService(session_factory, RecordingRouter([network["o1"]]))
    accepted = await service.create(_new("c4", network["brand"], conversation_id="web:a"), route=True)
    await service.transition(accepted.number, TicketStatus.ACCEPTED, "outlet:1")
    unrouted = await service.create(_new("c5", network["brand"], conversation_id="web:a"))
    assert (await service.cancel_for_customer(accepted.number, "web:a")).status == "cancelled"
    assert (await service.cancel_for_customer(unrouted.number, "web:a")).status == "cancelled"
