"""The routing index against its brute-force oracle, its eligibility rules, freshness, and the DB-backed service."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import OperationalError

from bot.db.models import Authorisation, Brand, Outlet, Provider, Ticket
from bot.domain.catalogue import ProductCategory
from bot.domain.taxonomy import ServiceType
from bot.geo import spatial_index
from bot.geo.haversine import haversine_km, haversine_km_many
from bot.geo.spatial_index import (
    AuthorisationRecord,
    BruteForceOracle,
    OutletRecord,
    RoutingIndex,
    brute_force_query,
)
from bot.geo.types import Location
from bot.services.tickets import routing
from bot.services.tickets.routing import RoutingService

TODAY = date(2025, 6, 1)
CENTRES = {"CN": [(22.54, 114.06), (31.23, 121.47)], "IN": [(18.52, 73.86)], "MY": [(3.14, 101.69)]}
CATEGORIES = ["phone", "laptop", "tv"]
SERVICES = ["repair", "installation"]
PHONE, REPAIR = ProductCategory.PHONE, ServiceType.REPAIR


def make_outlet(oid: int, lat: float, lon: float, country: str = "CN", radius: float = 30.0,
                auths: tuple[AuthorisationRecord, ...] | None = None, **extra: object) -> OutletRecord:
    """An outlet record, by default authorised for brand 1 phone repair since 2020."""
    if auths is None:
        auths = (AuthorisationRecord(1, "phone", "repair", date(2020, 1, 1), None),)
    fields: dict[str, object] = dict(
        outlet_id=oid, code=f"O{oid}", name_zh=f"网点{oid}", name_en=f"Outlet {oid}", address="addr",
        phone=None, opening_hours="09:00-18:00", lat=lat, lon=lon, country=country, service_radius_km=radius,
        daily_capacity=10, authorisations=auths,
    )
    fields.update(extra)
    return OutletRecord(**fields)  # type: ignore[arg-type]


def synthetic_network(n: int, seed: int) -> tuple[list[OutletRecord], dict[int, int]]:
    """Clustered outlets with mixed, partly expired or future authorisations, and random loads."""
    rng = random.Random(seed)
    # Shopping malls: several outlets at one address tie on distance, so load and id decide between them.
    malls = {c: [(lat + rng.gauss(0, 0.1), lon + rng.gauss(0, 0.1)) for lat, lon in centres for _ in range(8)]
             for c, centres in CENTRES.items()}
    records, loads = [], {}
    for oid in range(1, n + 1):
        country = rng.choice(["CN", "CN", "IN", "MY"])
        lat, lon = rng.choice(CENTRES[country])
        spread = 0.25
        if rng.random() < 0.4:
            (lat, lon), spread = rng.choice(malls[country]), 0.0
        auths = []
        for _ in range(rng.randint(1, 4)):
            start = TODAY - timedelta(days=rng.randint(-20, 400))
            end = None if rng.random() < 0.6 else start + timedelta(days=rng.randint(0, 500))
            auths.append(AuthorisationRecord(rng.randint(1, 3), rng.choice(CATEGORIES), rng.choice(SERVICES),
                                             start, end))
        records.append(make_outlet(
            oid, lat + rng.gauss(0, spread), lon + rng.gauss(0, spread), country, rng.uniform(3, 40), tuple(auths),
            active=rng.random() < 0.9, is_mail_in_hub=rng.random() < 0.02, daily_capacity=rng.randint(1, 5),
        ))
        loads[oid] = rng.randint(0, 5)  # small capacities and loads: many equal rounded distances tie on load
    return records, loads


def test_haversine_scalar_and_vector_agree() -> None:
    assert haversine_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343.5, abs=0.5)
    many = haversine_km_many(51.5074, -0.1278, [48.8566, 51.5074], [2.3522, -0.1278])  # type: ignore[arg-type]
    assert many[0] == pytest.approx(haversine_km(51.5074, -0.1278, 48.8566, 2.3522), rel=1e-12)
    assert many[1] == 0.0


@pytest.mark.parametrize("threshold", [16, spatial_index.SCAN_THRESHOLD], ids=["balltree", "scan"])
def test_index_agrees_with_oracle(monkeypatch: pytest.MonkeyPatch, threshold: int) -> None:
    monkeypatch.setattr(spatial_index, "SCAN_THRESHOLD", threshold)
    records, loads = synthetic_network(3000, seed=11)
    index, oracle = RoutingIndex(records, loads), BruteForceOracle(records)
    rng = random.Random(5)
    queries = 10_000 if threshold == 16 else 2_000
    non_empty = 0
    for _ in range(queries):
        base = rng.choice(records)
        auth = rng.choice(base.authorisations)
        location = Location(base.lat + rng.gauss(0, 0.1), base.lon + rng.gauss(0, 0.1), base.country)
        k = rng.randint(1, 6)
        day = TODAY + timedelta(days=rng.randint(-200, 200))
        excluded = rng.sample(range(1, 3001), 50) + [base.outlet_id] if rng.random() < 0.3 else []
        got = index.query(auth.brand_id, auth.category, auth.service_type, location, k, excluded, day)
        want = oracle.query(loads, auth.brand_id, auth.category, auth.service_type, location, k, excluded, day)
        assert got == want
        non_empty += bool(want)
    assert non_empty > queries * 0.5  # the comparison must be about real results, not empty lists


def test_ranking_ties_break_on_load_then_id() -> None:
    records = [make_outlet(oid, 22.5, 114.0) for oid in (7, 3, 5)]
    index = RoutingIndex(records, {7: 1, 3: 4, 5: 1})
    ids = [c.outlet_id for c in index.query(1, "phone", "repair", Location(22.5, 114.0, "CN"), today=TODAY)]
    assert ids == [5, 7, 3]
    index.set_load(5, 9)
    index.add_load(3, -4)
    ids = [c.outlet_id for c in index.query(1, "phone", "repair", Location(22.5, 114.0, "CN"), today=TODAY)]
    assert ids == [3, 7, 5]


@pytest.mark.parametrize("threshold", [2, 1000], ids=["balltree", "scan"])
def test_distances_that_round_alike_tie_on_load(monkeypatch: pytest.MonkeyPatch, threshold: int) -> None:
    monkeypatch.setattr(spatial_index, "SCAN_THRESHOLD", threshold)
    km = 1 / 111.195  # degrees of latitude per km
    records = [make_outlet(1, 22.5 + 1.02 * km, 114.0), make_outlet(2, 22.5 + 1.04 * km, 114.0)]
    records += [make_outlet(oid, 22.5 + 5 * km, 114.0) for oid in range(3, 12)]
    index = RoutingIndex(records, {1: 5, 2: 0})
    best = index.query(1, "phone", "repair", Location(22.5, 114.0, "CN"), k=1, today=TODAY)
    assert [c.outlet_id for c in best] == [2]  # 1.02 km and 1.04 km both round to 1.0 km; 2 is less loaded
    assert best[0].distance_km == pytest.approx(1.04, abs=0.01)


DEFECTS = ["unauthorised_brand", "other_category", "expired", "not_yet_valid", "other_country",
           "out_of_radius", "inactive", "excluded"]


@settings(max_examples=300, deadline=None)
@given(
    defect=st.sampled_from(DEFECTS),
    lat=st.floats(-60, 60), lon=st.floats(-170, 170),
    radius=st.floats(1, 80), k=st.integers(1, 5), scan=st.booleans(),
)
def test_ineligible_outlet_is_never_returned(
    defect: str, lat: float, lon: float, radius: float, k: int, scan: bool
) -> None:
    bad_id = 99
    auth = AuthorisationRecord(1, "phone", "repair", TODAY - timedelta(days=10), None)
    changes: dict[str, object] = {}
    bad_lat = lat
    if defect == "unauthorised_brand":
        changes["authorisations"] = (auth._replace(brand_id=2),)
    elif defect == "other_category":
        changes["authorisations"] = (auth._replace(category="laptop"),)
    elif defect == "expired":
        changes["authorisations"] = (auth._replace(valid_to=TODAY - timedelta(days=1)),)
    elif defect == "not_yet_valid":
        changes["authorisations"] = (auth._replace(valid_from=TODAY + timedelta(days=1)),)
    elif defect == "other_country":
        changes["country"] = "IN"
    elif defect == "inactive":
        changes["active"] = False
    elif defect == "out_of_radius":
        bad_lat = lat + (radius + 0.5) / 111.0  # one degree of latitude is about 111 km
    bad = replace(make_outlet(bad_id, bad_lat, lon, radius=radius, auths=(auth,)), **changes)  # type: ignore
    # Good outlets further away, so that the bad one would rank first if it were eligible.
    good = [make_outlet(oid, lat + 0.02 * oid, lon, radius=500.0, auths=(auth,)) for oid in range(1, 40)]
    index = RoutingIndex([bad, *good])
    if not scan:
        spatial_index_threshold = spatial_index.SCAN_THRESHOLD
        spatial_index.SCAN_THRESHOLD = 4
    try:
        excluded = [bad_id] if defect == "excluded" else []
        result = index.query(1, "phone", "repair", Location(lat, lon, "CN"), k, excluded, TODAY)
    finally:
        if not scan:
            spatial_index.SCAN_THRESHOLD = spatial_index_threshold
    assert bad_id not in [c.outlet_id for c in result]
    assert len(result) == k


def test_upsert_and_remove_keep_results_fresh() -> None:
    here = Location(22.5, 114.0, "CN")
    index = RoutingIndex([make_outlet(1, 22.5, 114.0), make_outlet(2, 22.6, 114.0)])
    assert [c.outlet_id for c in index.query(1, "phone", "repair", here, today=TODAY)] == [1, 2]
    index.remove(1)
    assert [c.outlet_id for c in index.query(1, "phone", "repair", here, today=TODAY)] == [2]
    index.upsert(make_outlet(1, 23.5, 114.0))  # moved out of its 30 km radius
    assert [c.outlet_id for c in index.query(1, "phone", "repair", here, today=TODAY)] == [2]
    index.upsert(make_outlet(3, 22.5, 114.0, auths=(AuthorisationRecord(1, "tv", "installation", TODAY),)))
    assert index.query(1, "tv", "installation", here, today=TODAY)[0].outlet_id == 3
    assert index.query(1, "tv", "installation", here, today=TODAY - timedelta(days=1)) == []
    index.upsert(make_outlet(2, 22.6, 114.0, active=False))
    assert index.query(1, "phone", "repair", here, today=TODAY) == []
    assert brute_force_query([make_outlet(4, 22.5, 114.0)], {}, 1, "phone", "repair", here, today=TODAY)[0].code == "O4"


def test_nearest_mail_in_hub_is_in_the_same_country_and_ignores_radius() -> None:
    hub_cn = make_outlet(1, 31.2, 121.5, radius=5, is_mail_in_hub=True)
    hub_hk = make_outlet(2, 22.3, 114.2, country="HK", radius=5, is_mail_in_hub=True)
    near_plain = make_outlet(3, 22.5, 114.0)
    index = RoutingIndex([hub_cn, hub_hk, near_plain])
    shenzhen = Location(22.5, 114.0, "CN")
    assert index.nearest_mail_in_hub(1, "phone", shenzhen, TODAY).outlet_id == 1  # type: ignore[union-attr]
    index.remove(1)
    assert index.nearest_mail_in_hub(1, "phone", shenzhen, TODAY) is None  # a parcel does not cross a border
    hub = index.nearest_mail_in_hub(1, "phone", Location(22.3, 114.17, "HK"), TODAY)
    assert hub is not None and hub.outlet_id == 2 and hub.is_mail_in_hub
    assert index.nearest_mail_in_hub(2, "phone", shenzhen, TODAY) is None


def test_a_walk_in_outlet_beats_a_nearer_mail_in_hub() -> None:
    """Huairou: a hub 1.6 km away must not win over an authorised centre 2.3 km away."""
    hub = make_outlet(1, 40.316, 116.632, radius=50, is_mail_in_hub=True)
    centre = make_outlet(2, 40.330, 116.640, radius=30)
    here = Location(40.302, 116.630, "CN")
    index = RoutingIndex([hub, centre])
    [best] = index.query(1, "phone", "repair", here, 1, today=TODAY)
    assert best.outlet_id == 2 and not best.is_mail_in_hub
    assert [c.outlet_id for c in BruteForceOracle([hub, centre]).query({}, 1, "phone", "repair", here, 3,
                                                                       today=TODAY)] == [2]


async def _seed(session_factory) -> None:  # type: ignore[no-untyped-def]
    async with session_factory() as session, session.begin():
        session.add_all([
            Provider(id=1, code="P1", name_zh="服务商", name_en="Provider", country="CN"),
            Brand(id=1, code="acme", name_zh="艾克美", name_en="Acme", home_country="CN", aliases=[]),
        ])
        await session.flush()
        for oid, lat in ((1, 22.50), (2, 22.52), (3, 22.90)):
            session.add(Outlet(id=oid, provider_id=1, code=f"O{oid}", name_zh=f"网点{oid}", name_en=f"Outlet {oid}",
                               address="addr", country="CN", lat=lat, lon=114.0, service_radius_km=30.0,
                               daily_capacity=10))
        await session.flush()
        for oid in (1, 2, 3):
            session.add(Authorisation(outlet_id=oid, brand_id=1, category="phone", service_type="repair",
                                      valid_from=date(2020, 1, 1)))
        for n, status in enumerate(["accepted", "in_repair", "closed"]):
            session.add(Ticket(number=f"AS-20250601-AAAAA{n}", idempotency_key=f"k{n}", category="report_fault",
                               channel="test", status=status, assigned_outlet_id=1))


async def test_routing_service_loads_and_refreshes(session_factory) -> None:  # type: ignore[no-untyped-def]
    await _seed(session_factory)
    now = [0.0]
    service = RoutingService(session_factory, refresh_interval_s=5.0, clock=lambda: now[0], today=lambda: TODAY)
    here = Location(22.5, 114.0, "CN")
    result = await service.nearest(1, PHONE, REPAIR, here)
    assert [c.outlet_id for c in result] == [1, 2]  # outlet 3 is ~44 km away, beyond its 30 km radius
    assert result[0].load_ratio == pytest.approx(0.2)  # two open tickets of capacity 10; the closed one is not
    service.record_assignment(1, 1)
    assert (await service.nearest(1, PHONE, REPAIR, here))[0].load_ratio == pytest.approx(0.3)

    async with session_factory() as session, session.begin():
        session.add(Outlet(id=4, provider_id=1, code="O4", name_zh="网点4", name_en="Outlet 4", address="addr",
                           country="CN", lat=22.5, lon=114.0, service_radius_km=30.0, daily_capacity=10,
                           updated_at=datetime.now(timezone.utc)))
        await session.flush()
        session.add(Authorisation(outlet_id=4, brand_id=1, category="phone", service_type="repair",
                                  valid_from=date(2020, 1, 1)))
    assert not await service.refresh_if_stale()  # checked less than refresh_interval_s ago
    now[0] = 6.0
    ids = [c.outlet_id for c in await service.nearest(1, "phone", "repair", here)]  # type: ignore[arg-type]
    assert ids == [4, 1, 2]  # same distance as outlet 1 but no load
    now[0] = 12.0
    assert not await service.refresh_if_stale()  # nothing changed since
    assert await service.nearest_mail_in_hub(1, PHONE, here) is None


async def test_routing_service_keeps_serving_when_refresh_fails(
    session_factory, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    await _seed(session_factory)
    now = [0.0]
    service = RoutingService(session_factory, clock=lambda: now[0], today=lambda: TODAY)
    await service.load()

    async def broken(_factory: object) -> None:
        raise OperationalError("select", {}, Exception("database is locked"))

    monkeypatch.setattr(routing, "_outlet_signature", broken)
    now[0] = 10.0
    result = await service.nearest(1, PHONE, REPAIR, Location(22.5, 114.0, "CN"))
    assert [c.outlet_id for c in result] == [1, 2]
