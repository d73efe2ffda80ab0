"""Ticket service: idempotent creation, routing and re-routing, transitions with events, bad input."""

from __future__ import annotations

import asyncio
from collections.abc import Collection

import pytest
from sqlalchemy import func, select

from bot.db.models import AppendOnlyViolation, Brand, Customer, Outlet, Provider, Ticket, TicketEvent
from bot.domain.catalogue import ProductCategory
from bot.domain.errors import (
    ConflictError,
    IllegalTransitionError,
    InvalidPhoneError,
    NoEligibleOutletError,
    TicketNotFoundError,
    ValidationError,
)
from bot.domain.lifecycle import TicketStatus
from bot.domain.taxonomy import Category, Priority, ServiceType
from bot.geo.types import Location, RouteCandidate
from bot.services.tickets.service import TicketService
from bot.services.tickets.types import NewTicket

SHENZHEN = Location(lat=22.54, lon=113.93, country="CN", adcode="440305")


class RecordingRouter:
    """A router over a fixed list of outlets, recording what it was asked (distance = list order)."""

    def __init__(self, outlet_ids: list[int], hub_id: int | None = None) -> None:
        self.outlet_ids = outlet_ids
        self.hub_id = hub_id
        self.calls: list[tuple[int, ProductCategory, ServiceType, frozenset[int]]] = []
        self.load: dict[int, int] = {}

    async def nearest(self, brand_id: int, category: ProductCategory, service_type: ServiceType,
                      location: Location, k: int = 3, exclude_outlet_ids: Collection[int] = ()) -> list[RouteCandidate]:
        self.calls.append((brand_id, category, service_type, frozenset(exclude_outlet_ids)))
        ids = [i for i in self.outlet_ids if i not in exclude_outlet_ids][:k]
        return [_candidate(i, float(n + 1)) for n, i in enumerate(ids)]

    async def nearest_mail_in_hub(self, brand_id: int, category: ProductCategory,
                                  location: Location) -> RouteCandidate | None:
        return _candidate(self.hub_id, 800.0) if self.hub_id else None

    def record_assignment(self, outlet_id: int, delta: int) -> None:
        self.load[outlet_id] = self.load.get(outlet_id, 0) + delta


def _candidate(outlet_id: int, km: float) -> RouteCandidate:
    return RouteCandidate(outlet_id, f"O{outlet_id}", "网点", "Outlet", "addr", None, "09:00-18:00", 0, 0, km, 0.0)


@pytest.fixture
async def network(session_factory) -> dict[str, int]:  # type: ignore[no-untyped-def]
    async with session_factory() as session, session.begin():
        brand = Brand(code="gree", name_zh="格力", name_en="Gree", home_country="CN", aliases=[])
        provider = Provider(code="P1", name_zh="服务商", name_en="Provider", country="CN")
        session.add_all([brand, provider])
        await session.flush()
        outlets = [
            Outlet(provider_id=provider.id, code=f"O{i}", name_zh=f"网点{i}", name_en=f"Outlet {i}", address="x",
                   country="CN", lat=22.5, lon=113.9, acceptance_sla_minutes=90)
            for i in range(4)
        ]
        session.add_all(outlets)
        await session.flush()
        return {"brand": brand.id, **{f"o{i}": o.id for i, o in enumerate(outlets)}}


def _new(key: str, brand_id: int, **kw: object) -> NewTicket:
    fields: dict[str, object] = dict(
        idempotency_key=key, category=Category.REPORT_FAULT, channel="rest", channel_user_id="user-1",
        language="zh", brand_id=brand_id, product_category=ProductCategory.AIR_CONDITIONER,
        symptom="空调不制冷", location=SHENZHEN, location_text="深圳南山", phone="13812345678",
    )
    fields.update(kw)
    return NewTicket(**fields)  # type: ignore[arg-type]


async def _count(session_factory, model) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_create_is_idempotent_even_under_concurrent_retries(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    service = TicketService(session_factory)
    views = await asyncio.gather(*(service.create(_new("conv-1:confirm-1", network["brand"])) for _ in range(8)))
    assert len({v.number for v in views}) == 1
    assert sum(v.created for v in views) == 1
    assert await _count(session_factory, Ticket) == 1
    assert await _count(session_factory, Customer) == 1
    again = await service.create(_new("conv-1:confirm-1", network["brand"]))
    assert again.number == views[0].number and not again.created


async def test_create_stores_normalised_phone_and_sla(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    view = await TicketService(session_factory).create(_new("k1", network["brand"], priority=Priority.SAFETY))
    assert view.status == "new" and view.sla_resolve_due_at is not None
    async with session_factory() as session:
        customer = (await session.execute(select(Customer))).scalar_one()
        events = (await session.execute(select(TicketEvent))).scalars().all()
    assert customer.phone_e164 == "+8613812345678"
    assert [(e.kind, e.to_status) for e in events] == [("created", "new")]


async def test_route_assigns_nearest_and_writes_event(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    router = RecordingRouter([network["o1"], network["o2"]])
    service = TicketService(session_factory, router)
    view = await service.create(_new("k2", network["brand"]), route=True)
    assert view.status == "routed" and view.assigned_outlet_id == network["o1"]
    assert view.sla_accept_due_at is not None
    assert router.calls[0][1:3] == (ProductCategory.AIR_CONDITIONER, ServiceType.REPAIR)
    assert router.load == {network["o1"]: 1}
    full = await service.get(view.number, with_events=True)
    assert [e.kind for e in full.events] == ["created", "routed"]
    assert full.events[-1].outlet_id == network["o1"] and full.events[-1].data["distance_km"] == 1.0


async def test_reject_reroutes_excluding_every_outlet_that_rejected(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    router = RecordingRouter([network["o1"], network["o2"], network["o3"]])
    service = TicketService(session_factory, router)
    view = await service.create(_new("k3", network["brand"]), route=True)
    view = await service.reject(view.number, network["o1"], "no technician this week")
    assert view.status == "rerouted" and view.assigned_outlet_id == network["o2"]
    view = await service.reject(view.number, network["o2"], "parts unavailable")
    assert view.assigned_outlet_id == network["o3"]
    assert router.calls[-1][3] == frozenset({network["o1"], network["o2"]})
    full = await service.get(view.number, with_events=True)
    assert [e.kind for e in full.events] == ["created", "routed", "rejected", "rerouted", "rejected", "rerouted"]
    assert full.events[2].data == {"reason": "no technician this week"}


async def test_reject_by_other_outlet_is_refused(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    service = TicketService(session_factory, RecordingRouter([network["o1"]]))
    view = await service.create(_new("k4", network["brand"]), route=True)
    with pytest.raises(ConflictError):
        await service.reject(view.number, network["o2"], "not mine")
    assert (await service.get(view.number)).status == "routed"


async def test_no_outlet_falls_back_to_mail_in_hub(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    service = TicketService(session_factory, RecordingRouter([], hub_id=network["o3"]))
    view = await service.create(_new("k5", network["brand"], product_category=ProductCategory.PHONE,
                                     symptom="手机不开机"), route=True)
    full = await service.get(view.number, with_events=True)
    assert full.assigned_outlet_id == network["o3"] and full.events[-1].data["mail_in"] is True


async def test_no_outlet_and_no_hub_is_a_typed_error_and_ticket_stays_new(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    service = TicketService(session_factory, RecordingRouter([]))
    view = await service.create(_new("k6", network["brand"]))
    with pytest.raises(NoEligibleOutletError):
        await service.route(view.number)
    assert (await service.get(view.number)).status == "new"


async def test_full_lifecycle_and_illegal_moves(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    service = TicketService(session_factory, RecordingRouter([network["o1"]]))
    view = await service.create(_new("k7", network["brand"]), route=True)
    with pytest.raises(IllegalTransitionError):
        await service.transition(view.number, TicketStatus.RESOLVED, "outlet")
    for target in (TicketStatus.ACCEPTED, TicketStatus.SCHEDULED, TicketStatus.IN_REPAIR,
                   TicketStatus.WAITING_PARTS, TicketStatus.IN_REPAIR, TicketStatus.RESOLVED, TicketStatus.CLOSED):
        view = await service.transition(view.number, target, f"outlet:{network['o1']}", network["o1"])
        assert view.status == target.value
    full = await service.get(view.number, with_events=True)
    assert len(full.events) == 9
    assert all(e.from_status != e.to_status for e in full.events[1:])


async def test_events_are_append_only(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    await TicketService(session_factory).create(_new("k8", network["brand"]))
    async with session_factory() as session:
        event = (await session.execute(select(TicketEvent))).scalars().first()
        event.kind = "tampered"
        with pytest.raises(AppendOnlyViolation):
            await session.flush()


async def test_unknown_ticket_and_bad_input(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    service = TicketService(session_factory)
    with pytest.raises(TicketNotFoundError):
        await service.get("AS-20260101-ZZZZZZ")
    with pytest.raises(ValidationError):
        await service.create(_new("k9", network["brand"], symptom="坏" * 5000))
    with pytest.raises(ValidationError):
        await service.create(_new("", network["brand"]))
    with pytest.raises(InvalidPhoneError):
        await service.create(_new("k10", network["brand"], phone="12345"))
    with pytest.raises(TicketNotFoundError):
        await service.create(_new("k11", network["brand"], parent_ticket_number="AS-20260101-ZZZZZZ"))
    # nothing half-written by the failures above
    assert await _count(session_factory, Ticket) == 0
    assert await _count(session_factory, Customer) == 0


async def test_emoji_and_traditional_symptom_round_trip(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    service = TicketService(session_factory)
    text = "冷氣機壞了😡 not cooling at all"
    view = await service.create(_new("k12", network["brand"], symptom=text))
    assert (await service.get(view.number)).symptom == text


async def test_list_for_customer_open_only(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    service = TicketService(session_factory, RecordingRouter([network["o1"]]))
    first = await service.create(_new("k13", network["brand"]), route=True)
    second = await service.create(_new("k14", network["brand"]))
    await service.transition(second.number, TicketStatus.CANCELLED, "customer")
    assert [t.number for t in await service.list_for_customer("rest", "user-1")] == [first.number]
    assert len(await service.list_for_customer("rest", "user-1", open_only=False)) == 2
    assert await service.list_for_customer("rest", "someone-else") == []


async def test_a_ticket_nobody_can_take_goes_to_an_agent_and_the_customer_is_told(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    """The only outlet rejects and there is no other (an AC is never posted): not silent. The customer gets an
    `unassigned` update and the agents a handoff with the reason `unrouted`; a second rejection path is idempotent."""
    from bot.db.models import Handoff
    from bot.services.customers.update_texts import UPDATE_KINDS

    service = TicketService(session_factory, RecordingRouter([network["o1"]]))
    view = await service.create(_new("k-stuck", network["brand"], conversation_id="web:stuck"), route=True)
    view = await service.reject(view.number, network["o1"], "no technician this week")
    full = await service.get(view.number, with_events=True)
    assert view.status == "rejected" and full.events[-1].kind == "unassigned" and "unassigned" in UPDATE_KINDS
    await service.escalate_unrouted(view.number)  # a repeat: still one update for the customer
    again = await service.get(view.number, with_events=True)
    assert [e.kind for e in again.events].count("unassigned") == 1
    async with session_factory() as session:
        rows = (await session.execute(select(Handoff.reason, Handoff.ticket_number, Handoff.status).where(
            Handoff.conversation_id == "web:stuck"))).all()
    assert [tuple(r) for r in rows] == [("unrouted", view.number, "queued")]


# --- filing a customer's request: create, route, mail-in fallback, in one call ---------------------------------


async def test_file_request_creates_and_routes_to_the_nearest_outlet(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    router = RecordingRouter([network["o1"], network["o2"]])
    filed = await TicketService(session_factory, router).file_request(_new("f1", network["brand"]))
    assert filed.ticket.status == "routed"
    assert filed.outlet is not None and filed.outlet.outlet_id == network["o1"] == filed.ticket.assigned_outlet_id
    assert not filed.mail_in and filed.outlet.name("en") == "Outlet 1"
    assert filed.distance_km is not None and 3.0 < filed.distance_km < 6.0  # Shenzhen Nanshan to the outlets
    assert router.load == {network["o1"]: 1}


async def test_file_request_without_an_outlet_goes_to_the_mail_in_hub(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    async with session_factory() as session, session.begin():
        (await session.get(Outlet, network["o3"])).is_mail_in_hub = True
    service = TicketService(session_factory, RecordingRouter([], hub_id=network["o3"]))
    filed = await service.file_request(_new("f2", network["brand"], product_category=ProductCategory.PHONE,
                                            symptom="手机不开机"))
    assert filed.mail_in and filed.outlet is not None and filed.outlet.outlet_id == network["o3"]
    full = await service.get(filed.ticket.number, with_events=True)
    assert full.status == "routed" and full.events[-1].data["mail_in"] is True


async def test_file_request_with_no_outlet_and_no_hub_stays_unrouted(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    service = TicketService(session_factory, RecordingRouter([]))  # an air conditioner is never posted
    filed = await service.file_request(_new("f3", network["brand"]))
    assert filed.outlet is None and filed.distance_km is None and not filed.mail_in
    assert filed.ticket.status == "new" and filed.ticket.assigned_outlet_id is None


async def test_a_retried_file_request_returns_the_same_ticket_routed_once(session_factory, network) -> None:  # type: ignore[no-untyped-def]
    router = RecordingRouter([network["o1"], network["o2"]])
    service = TicketService(session_factory, router)
    first = await service.file_request(_new("f4", network["brand"]))
    again = await service.file_request(_new("f4", network["brand"]))
    assert again.ticket.number == first.ticket.number
    assert again.outlet == first.outlet and again.distance_km == first.distance_km
    assert len(router.calls) == 1 and router.load == {network["o1"]: 1}
    assert await _count(session_factory, Ticket) == 1
    full = await service.get(first.ticket.number, with_events=True)
    assert [e.kind for e in full.events] == ["created", "routed"]
