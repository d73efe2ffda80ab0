"""Tickets routed by the real routing service over a seeded network, checked against the database and the oracle."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.db import migrate
from bot.db.models import Authorisation, Brand, Outlet
from bot.db.session import create_async_db_engine, make_session_factory
from bot.domain.catalogue import INSTALLABLE, ProductCategory, can_be_posted
from bot.domain.errors import NoEligibleOutletError
from bot.domain.taxonomy import Category
from bot.geo.haversine import haversine_km
from bot.geo.spatial_index import brute_force_query
from bot.geo.types import Location
from bot.seed import run_seed
from bot.services.tickets.routing import RoutingService, load_outlet_records
from bot.services.tickets.service import TicketService
from bot.services.tickets.types import NewTicket

TODAY = date(2026, 11, 25)


@pytest.fixture
async def seeded(sqlite_url: str):  # type: ignore[no-untyped-def]
    migrate.upgrade(sqlite_url)
    run_seed(sqlite_url, outlets=400, seed=11, today=TODAY)
    engine = create_async_db_engine(sqlite_url)
    yield make_session_factory(engine)
    await engine.dispose()


async def _busy_repair_key(sessions) -> tuple[Outlet, Authorisation]:  # type: ignore[no-untyped-def]
    """A valid repair authorisation of a non-hub outlet in Shenzhen's province with several peers nearby."""
    async with sessions() as session:
        rows = (await session.execute(
            select(Outlet, Authorisation)
            .join(Authorisation, Authorisation.outlet_id == Outlet.id)
            .where(Outlet.adcode.like("44%"), Outlet.is_mail_in_hub.is_(False),
                   Authorisation.service_type == "repair", Authorisation.valid_to.is_(None))
            .order_by(Outlet.id)
        )).all()
    assert rows, "the seed places outlets in Guangdong"
    return rows[0][0], rows[0][1]


async def test_route_and_reroute_on_a_seeded_network(seeded) -> None:  # type: ignore[no-untyped-def]
    outlet, auth = await _busy_repair_key(seeded)
    routing = RoutingService(seeded, today=lambda: TODAY)
    tickets = TicketService(seeded, routing)
    customer = Location(lat=outlet.lat + 0.01, lon=outlet.lon + 0.01, country="CN", adcode=outlet.adcode)
    new = NewTicket(
        idempotency_key="it-1", category=Category.REPORT_FAULT, channel="rest", channel_user_id="u1",
        brand_id=auth.brand_id, product_category=ProductCategory(auth.category), symptom="不开机",
        location=customer,
    )
    view = await tickets.create(new, route=True)
    assert view.status == "routed" and view.assigned_outlet_id is not None

    records, loads, _ = await load_outlet_records(seeded)
    oracle = brute_force_query(records, loads, auth.brand_id, auth.category, "repair", customer, k=1, today=TODAY)
    assert oracle and oracle[0].outlet_id == view.assigned_outlet_id
    await _assert_eligible(seeded, view.assigned_outlet_id, auth.brand_id, auth.category, customer)

    first = view.assigned_outlet_id
    view = await tickets.reject(view.number, first, "technician on leave")
    full = await tickets.get(view.number, with_events=True)
    records, loads, _ = await load_outlet_records(seeded)
    second = brute_force_query(records, loads, auth.brand_id, auth.category, "repair", customer, k=1,
                               exclude_outlet_ids={first}, today=TODAY)
    if second:  # the next nearest eligible outlet …
        assert view.status == "rerouted" and view.assigned_outlet_id == second[0].outlet_id
        assert not full.events[-1].data["mail_in"]
        await _assert_eligible(seeded, view.assigned_outlet_id, auth.brand_id, auth.category, customer)
    elif view.status == "rerouted":  # … or, with none left in range, a mail-in hub in the country
        assert full.events[-1].data["mail_in"] is True and can_be_posted(ProductCategory(auth.category))
    else:  # … or none (and never a parcel for an installed appliance): a person is told (unassigned) and queued
        assert view.status == "rejected" and full.events[-1].kind == "unassigned"


async def _assert_eligible(sessions, outlet_id, brand_id, category, customer) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        chosen = await session.get(Outlet, outlet_id)
        grants = (await session.execute(select(Authorisation).where(
            Authorisation.outlet_id == outlet_id, Authorisation.brand_id == brand_id,
            Authorisation.category == category, Authorisation.service_type == "repair",
        ))).scalars().all()
    assert chosen is not None and chosen.active and chosen.country == customer.country
    assert any(g.valid_from <= TODAY and (g.valid_to is None or TODAY <= g.valid_to) for g in grants)
    assert haversine_km(customer.lat, customer.lon, chosen.lat, chosen.lon) <= chosen.service_radius_km


async def test_new_outlet_is_routable_after_refresh(seeded) -> None:  # type: ignore[no-untyped-def]
    outlet, auth = await _busy_repair_key(seeded)
    routing = RoutingService(seeded, refresh_interval_s=0.0, today=lambda: TODAY)
    far = Location(lat=outlet.lat, lon=outlet.lon, country="CN")
    before = await routing.nearest(auth.brand_id, ProductCategory(auth.category), "repair", far, k=50)  # type: ignore[arg-type]
    async with seeded() as session, session.begin():
        clone = Outlet(provider_id=outlet.provider_id, code="NEW-1", name_zh="新网点", name_en="New outlet",
                       address="x", country="CN", lat=outlet.lat, lon=outlet.lon, service_radius_km=5,
                       daily_capacity=10)
        session.add(clone)
        await session.flush()
        session.add(Authorisation(outlet_id=clone.id, brand_id=auth.brand_id, category=auth.category,
                                  service_type="repair", valid_from=date(2020, 1, 1)))
    after = await routing.nearest(auth.brand_id, ProductCategory(auth.category), "repair", far, k=50)  # type: ignore[arg-type]
    assert clone.id in {c.outlet_id for c in after} and clone.id not in {c.outlet_id for c in before}


def test_only_installed_appliances_cannot_be_posted() -> None:
    assert {c for c in ProductCategory if not can_be_posted(c)} == INSTALLABLE
    assert can_be_posted(ProductCategory.PHONE) and not can_be_posted(ProductCategory.AIR_CONDITIONER)


async def _brand_id(sessions, code: str) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return int((await session.execute(select(Brand.id).where(Brand.code == code))).scalar_one())


#: Remote places where a 400-outlet network has hardly any outlet: Ngari, Golmud, Hotan, Hulunbuir, Yushu.
_REMOTE = ((32.50, 80.10), (36.40, 94.90), (37.11, 79.92), (49.21, 119.74), (33.00, 97.01))


async def test_an_installed_appliance_with_no_outlet_in_range_waits_for_a_person_not_a_parcel(seeded) -> None:  # type: ignore[no-untyped-def]
    routing = RoutingService(seeded, today=lambda: TODAY)
    tickets = TicketService(seeded, routing)
    xiaomi = await _brand_id(seeded, "xiaomi")
    records, loads, _ = await load_outlet_records(seeded)
    remote = None
    for lat, lon in _REMOTE:
        here = Location(lat=lat, lon=lon, country="CN")
        if not any(brute_force_query(records, loads, xiaomi, category, "repair", here, k=1, today=TODAY)
                   for category in ("air_conditioner", "phone")):
            remote = here
            break
    assert remote is not None, "one of the remote places has no Xiaomi outlet in range"
    for category in (ProductCategory.AIR_CONDITIONER, ProductCategory.PHONE):  # the province's hub repairs both
        assert await routing.nearest_mail_in_hub(xiaomi, category, remote) is not None

    def new(key: str, category: ProductCategory) -> NewTicket:
        return NewTicket(idempotency_key=key, category=Category.REPORT_FAULT, channel="rest", channel_user_id="u9",
                         brand_id=xiaomi, product_category=category, symptom="坏了", location=remote)

    ac = await tickets.create(new("remote-ac", ProductCategory.AIR_CONDITIONER))
    with pytest.raises(NoEligibleOutletError, match="cannot be posted"):
        await tickets.route(ac.number)
    ac = await tickets.get(ac.number)
    assert ac.status == "new" and ac.assigned_outlet_id is None
    phone = await tickets.create(new("remote-phone", ProductCategory.PHONE), route=True)  # a phone is posted
    full = await tickets.get(phone.number, with_events=True)
    assert full.status == "routed" and full.events[-1].data["mail_in"] is True


async def test_rejections_of_an_installed_appliance_end_with_a_person_never_a_parcel(seeded) -> None:  # type: ignore[no-untyped-def]
    routing = RoutingService(seeded, today=lambda: TODAY)
    tickets = TicketService(seeded, routing)
    haier = await _brand_id(seeded, "haier")
    beijing = Location(lat=39.9042, lon=116.4074, country="CN", adcode="110000")  # a demo city: Haier on site
    view = await tickets.create(NewTicket(
        idempotency_key="bj-ac", category=Category.REPORT_FAULT, channel="rest", channel_user_id="u10",
        brand_id=haier, product_category=ProductCategory.AIR_CONDITIONER, symptom="空调不制冷", location=beijing,
    ), route=True)
    assert view.status == "routed"
    for _ in range(50):  # every outlet in range declines in turn
        assert view.assigned_outlet_id is not None
        view = await tickets.reject(view.number, view.assigned_outlet_id, "fully booked")
        if view.status != "rerouted":
            break
    full = await tickets.get(view.number, with_events=True)
    assert full.status == "rejected" and full.events[-1].kind == "unassigned"
    assert not any(e.data.get("mail_in") for e in full.events if e.kind in ("routed", "rerouted"))
