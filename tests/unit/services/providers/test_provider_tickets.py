"""Provider ticket service: ownership (404 for others' tickets), accept, reject and re-route, schedule, status
updates with part reservations, notes, idempotent retries, listing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.db.models import PartReservation, Stock, TicketEvent
from bot.domain.errors import IllegalTransitionError, TicketNotFoundError, ValidationError
from bot.services.providers.status import StatusUpdate
from tests.provider_world import World, build_world


async def _events(world: World, number: str) -> list[TicketEvent]:
    view = await world.tickets.get(number, with_events=True)
    async with world.sessions() as session:
        return list((await session.execute(
            select(TicketEvent).where(TicketEvent.ticket_id == view.id).order_by(TicketEvent.id)
        )).scalars())


async def _reserved(world: World) -> int:
    async with world.sessions() as session:
        return int((await session.execute(
            select(Stock.reserved).where(Stock.part_id == world.part_id)
        )).scalar_one())


async def test_routed_to_the_nearest_outlet_which_sees_it_and_others_do_not(world: World) -> None:
    number = await world.routed_ticket()
    mine = await world.provider.get(world.identity("OUT-A"), number)
    assert mine.status == "routed" and mine.sla_accept_due_at is not None
    assert mine.contact is None  # no customer details before acceptance
    for code in ("OUT-B", "OUT-C"):
        other = world.identity(code)
        for call in (
            world.provider.get(other, number), world.provider.accept(other, number),
            world.provider.reject(other, number, "busy"), world.provider.add_note(other, number, "hi"),
            world.provider.schedule(other, number, datetime.now(timezone.utc) + timedelta(days=1)),
            world.provider.update_status(other, number, StatusUpdate("in_repair")),
        ):
            with pytest.raises(TicketNotFoundError):
                await call
    with pytest.raises(TicketNotFoundError):
        await world.provider.get(world.identity("OUT-A"), "AS-20260101-ZZZZZZ")
    with pytest.raises(TicketNotFoundError):
        await world.provider.get(world.identity("OUT-A"), "not a number")
    assert [e.kind for e in await _events(world, number)] == ["created", "routed"]


async def test_accept_is_idempotent_and_reveals_the_contact(world: World) -> None:
    number = await world.routed_ticket()
    outlet = world.identity("OUT-A")
    first = await world.provider.accept(outlet, number)
    again = await world.provider.accept(outlet, number)
    assert first.status == again.status == "accepted"
    assert first.contact is not None and first.contact.phone == "+8613812345678"
    events = await _events(world, number)
    assert [e.kind for e in events] == ["created", "routed", "accepted"]
    assert events[-1].actor == "outlet:OUT-A" and events[-1].outlet_id == world.outlet_ids["OUT-A"]


async def test_reject_reroutes_and_never_back_to_a_rejecting_outlet(world: World) -> None:
    number = await world.routed_ticket()
    rejection = await world.provider.reject(world.identity("OUT-A"), number, "  technician on leave ")
    assert (rejection.status, rejection.reason) == ("rejected", "technician on leave")
    view = await world.tickets.get(number)
    assert view.status == "rerouted" and world.code_of(view.assigned_outlet_id) == "OUT-B"
    # The rejecting outlet lost the ticket; a retry of its rejection still answers the rejection.
    with pytest.raises(TicketNotFoundError):
        await world.provider.get(world.identity("OUT-A"), number)
    assert (await world.provider.reject(world.identity("OUT-A"), number, "again")).reason == "technician on leave"
    await world.provider.reject(world.identity("OUT-B"), number, "no parts")
    view = await world.tickets.get(number)
    assert world.code_of(view.assigned_outlet_id) == "OUT-C"
    await world.provider.reject(world.identity("OUT-C"), number, "too far")
    view = await world.tickets.get(number)
    assert view.status == "rejected"  # nobody left: never back to A or B
    for code in OUTLETS:
        with pytest.raises(TicketNotFoundError):
            await world.provider.get(world.identity(code), number)
    events = await _events(world, number)
    assert [e.kind for e in events] == ["created", "routed", "rejected", "rerouted", "rejected", "rerouted", "rejected",
                                        "unassigned"]  # nobody left: the customer is told and a person queued
    assert [e.actor for e in events if e.kind == "rejected"] == ["outlet:OUT-A", "outlet:OUT-B", "outlet:OUT-C"]
    # Outlet B sees its own events and the system's, never A's rejection (nor its reason).
    assert all(e.data.get("reason") != "technician on leave" for e in
               (await _visible(world, "OUT-B", number)))


OUTLETS = ("OUT-A", "OUT-B", "OUT-C")


async def _visible(world: World, code: str, number: str) -> list:  # type: ignore[type-arg]
    from bot.services.providers.types import visible_events

    return list(visible_events(await _events(world, number), world.outlet_ids[code]))


async def test_reject_needs_a_reason(world: World) -> None:
    number = await world.routed_ticket()
    for reason in ("", "   ", "x" * 501):
        with pytest.raises(ValidationError):
            await world.provider.reject(world.identity("OUT-A"), number, reason)
    assert (await world.tickets.get(number)).status == "routed"


async def test_schedule_then_move_the_appointment(world: World) -> None:
    number = await world.routed_ticket()
    outlet = world.identity("OUT-A")
    at = (datetime.now(timezone.utc) + timedelta(days=2)).replace(microsecond=0)
    with pytest.raises(IllegalTransitionError):  # accept first
        await world.provider.schedule(outlet, number, at)
    await world.provider.accept(outlet, number)
    for bad in (datetime.now(timezone.utc) - timedelta(minutes=1), datetime.now(timezone.utc) + timedelta(days=400),
                datetime(2030, 1, 1, 9, 0)):
        with pytest.raises(ValidationError):
            await world.provider.schedule(outlet, number, bad)
    view = await world.provider.schedule(outlet, number, at.astimezone(timezone(timedelta(hours=8))))
    assert view.status == "scheduled" and view.appointment_at == at
    assert (await world.provider.schedule(outlet, number, at)).appointment_at == at  # retry: no new event
    later = at + timedelta(hours=3)
    assert (await world.provider.schedule(outlet, number, later)).appointment_at == later
    events = await _events(world, number)
    assert [e.kind for e in events][-3:] == ["accepted", "scheduled", "rescheduled"]
    assert events[-2].data["at"] == at.isoformat() and events[-1].data["previous"] == at.isoformat()


async def test_waiting_parts_reserves_once_even_when_retried(world: World) -> None:
    number = await world.routed_ticket()
    outlet = world.identity("OUT-A")
    await world.provider.accept(outlet, number)
    update = StatusUpdate("waiting_parts", notes="screen cracked", part_code="SCR-TEST-1", quantity=2)
    first = await world.provider.update_status(outlet, number, update)
    again = await world.provider.update_status(outlet, number, update)
    assert first.status == again.status == "waiting_parts"
    assert [(r.part_number, r.quantity, r.status) for r in again.reservations] == [("SCR-TEST-1", 2, "reserved")]
    assert await _reserved(world) == 2
    async with world.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(PartReservation))).scalar_one() == 1
    events = await _events(world, number)
    assert [e.kind for e in events].count("waiting_parts") == 1
    assert events[-1].data["part_code"] == "SCR-TEST-1"
    assert events[-1].data["reservation_id"] == first.reservations[0].id
    # Back in repair, then waiting again for a second part: a second reservation under a new key.
    await world.provider.update_status(outlet, number, StatusUpdate("in_repair"))
    await world.provider.update_status(outlet, number, StatusUpdate("waiting_parts", part_code="SCR-TEST-1"))
    assert await _reserved(world) == 3


async def test_status_update_validation_and_lifecycle(world: World) -> None:
    number = await world.routed_ticket()
    outlet = world.identity("OUT-A")
    with pytest.raises(IllegalTransitionError):  # not accepted yet
        await world.provider.update_status(outlet, number, StatusUpdate("in_repair"))
    await world.provider.accept(outlet, number)
    for bad in (StatusUpdate("closed"), StatusUpdate("accepted"), StatusUpdate("resolved"),
                StatusUpdate("in_repair", part_code="SCR-TEST-1"), StatusUpdate("waiting_parts", quantity=2),
                StatusUpdate("waiting_parts", part_code="SCR-TEST-1", quantity=0),
                StatusUpdate("waiting_parts", part_code="NOPE-1")):
        with pytest.raises(ValidationError):
            await world.provider.update_status(outlet, number, bad)
    with pytest.raises(IllegalTransitionError):  # accepted → resolved skips the repair
        await world.provider.update_status(outlet, number, StatusUpdate("resolved", notes="done"))
    assert (await world.provider.update_status(outlet, number, StatusUpdate("in_repair"))).status == "in_repair"
    assert (await world.provider.update_status(outlet, number, StatusUpdate("in_repair"))).status == "in_repair"
    done = await world.provider.update_status(outlet, number, StatusUpdate("resolved", notes="replaced the fan"))
    assert done.status == "resolved"
    events = await _events(world, number)
    assert [e.kind for e in events][-3:] == ["accepted", "in_repair", "resolved"]
    assert events[-1].data == {"notes": "replaced the fan"} and await _reserved(world) == 0


async def test_insufficient_stock_holds_nothing_and_keeps_the_status(session_factory) -> None:  # type: ignore[no-untyped-def]
    world = await build_world(session_factory, stock=1)
    number = await world.routed_ticket()
    outlet = world.identity("OUT-A")
    await world.provider.accept(outlet, number)
    from bot.domain.errors import InsufficientStockError

    with pytest.raises(InsufficientStockError):
        await world.provider.update_status(outlet, number, StatusUpdate("waiting_parts", part_code="SCR-TEST-1",
                                                                       quantity=3))
    assert (await world.tickets.get(number)).status == "accepted" and await _reserved(world) == 0


async def test_notes_and_request_ids(world: World) -> None:
    number = await world.routed_ticket()
    outlet = world.identity("OUT-A")
    await world.provider.add_note(outlet, number, "called the customer", request_id="req-1")
    await world.provider.add_note(outlet, number, "called the customer", request_id="req-1")  # retry
    view = await world.provider.add_note(outlet, number, "called the customer")  # a new note
    notes = [e for e in view.events if e.kind == "note"]
    assert len(notes) == 2 and notes[0].data == {"text": "called the customer"}  # request id not shown
    for bad in ("", " ", "x" * 2001):
        with pytest.raises(ValidationError):
            await world.provider.add_note(outlet, number, bad)
    with pytest.raises(ValidationError):
        await world.provider.add_note(outlet, number, "ok", request_id="x" * 200)
    await world.provider.accept(outlet, number, request_id="acc-1")
    assert (await world.provider.accept(outlet, number, request_id="acc-1")).status == "accepted"


async def test_list_is_mine_newest_first_filtered_and_paginated(world: World) -> None:
    numbers = [await world.routed_ticket() for _ in range(5)]
    await world.provider.accept(world.identity("OUT-A"), numbers[0])
    await world.provider.reject(world.identity("OUT-A"), numbers[1], "busy")  # now OUT-B's
    a = world.identity("OUT-A")
    page = await world.provider.list_tickets(a, limit=2)
    assert [t.number for t in page.items] == [numbers[4], numbers[3]] and page.next_cursor
    rest = await world.provider.list_tickets(a, limit=2, cursor=page.next_cursor)
    assert [t.number for t in rest.items] == [numbers[2], numbers[0]] and rest.next_cursor is None
    accepted = await world.provider.list_tickets(a, status="accepted")
    assert [t.number for t in accepted.items] == [numbers[0]] and accepted.items[0].contact is not None
    assert [t.number for t in (await world.provider.list_tickets(world.identity("OUT-B"))).items] == [numbers[1]]
    for kwargs in ({"status": "lost"}, {"limit": 0}, {"limit": 101}, {"cursor": "abc"}, {"cursor": "0"}):
        with pytest.raises(ValidationError):
            await world.provider.list_tickets(a, **kwargs)  # type: ignore[arg-type]
