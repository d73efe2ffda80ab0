"""The demo network (`make run`: 2,000 outlets, seed 7): every demo city has a walk-in or on-site outlet for each demo
brand and category, and every outlet's name, brands and authorisations agree."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import migrate
from bot.db.models import Authorisation, Brand, Outlet
from bot.db.session import create_sync_engine
from bot.domain.catalogue import INSTALLABLE
from bot.geo.geocoder import Geocoder
from bot.geo.haversine import haversine_km
from bot.seed import run_seed
from bot.seed.catalogue import Catalogue
from bot.seed.demo_cities import DEMO_BRANDS, DEMO_CITIES
from bot.seed.demo_network import MAX_SHARE, plan_demo_outlets
from bot.seed.locale_data import COUNTRIES
from bot.seed.network import generate_network
from bot.seed.places import Places

TODAY = date(2026, 11, 25)
INSTALLED = {c.value for c in INSTALLABLE}
#: How a brand's own centre is named in English: "Huawei Authorised Service Centre …", "Haier Authorised On-site …".
BRANDED_EN = re.compile(r"^(?P<brand>.+?) Authorised (?:Service Centre|On-site Service) ")


@dataclass
class Seeded:
    """The demo network as written to SQLite and read back."""

    outlets: list[Outlet]
    grants: dict[int, list[Authorisation]]  # by outlet id
    brands: dict[int, Brand]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """`make run`'s network: migrated and seeded exactly as `python -m bot seed --outlets 2000 --seed 7` does."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    migrate.upgrade(url)
    run_seed(url, outlets=2000, seed=7, today=TODAY)
    engine = create_sync_engine(url)
    with Session(engine) as session:
        outlets = list(session.execute(select(Outlet).order_by(Outlet.id)).scalars())
        grants: dict[int, list[Authorisation]] = defaultdict(list)
        for grant in session.execute(select(Authorisation).order_by(Authorisation.id)).scalars():
            grants[grant.outlet_id].append(grant)
        brands = {b.id: b for b in session.execute(select(Brand)).scalars()}
        session.expunge_all()
    engine.dispose()
    yield Seeded(outlets, dict(grants), brands)


def _current(grant: Authorisation) -> bool:
    return grant.valid_from <= TODAY and (grant.valid_to is None or TODAY <= grant.valid_to)


def test_every_demo_city_has_a_regular_outlet_for_each_demo_brand_and_category(
    demo: Seeded, catalogue: Catalogue
) -> None:
    ids = {b.code: b.id for b in catalogue.brands}
    for city in DEMO_CITIES:
        sold = catalogue.pairs_sold_in(city.country)
        here = [o for o in demo.outlets if o.country == city.country and o.active and not o.is_mail_in_hub
                and haversine_km(city.lat, city.lon, o.lat, o.lon) <= o.service_radius_km]
        for code in DEMO_BRANDS:
            categories = [category for brand_id, category in sold if brand_id == ids[code]]
            assert categories or (city.country == "US" and code in {"huawei", "xiaomi"}), (city.key, code)
            for category in categories:
                kinds = {"repair", "installation"} if category in INSTALLED else {"repair"}
                for kind in kinds:  # installed appliances: technicians who also install (on site)
                    assert any(
                        g.brand_id == ids[code] and g.category == category and g.service_type == kind and _current(g)
                        for o in here for g in demo.grants.get(o.id, [])
                    ), (city.key, code, category, kind)


def test_names_brands_and_authorisations_agree_over_the_whole_network(demo: Seeded) -> None:
    by_name_en = {b.name_en: b.id for b in demo.brands.values()}
    assert sum(bool(BRANDED_EN.match(o.name_en)) for o in demo.outlets) > 800  # most outlets are brand centres
    for outlet in demo.outlets:
        authorised = {g.brand_id for g in demo.grants.get(outlet.id, [])}
        named = BRANDED_EN.match(outlet.name_en)
        if named:  # a brand's centre: that brand's name in both languages, and only that brand's authorisations
            brand = demo.brands[by_name_en[named.group("brand")]]
            assert f"{brand.name_zh}授权" in outlet.name_zh and not outlet.is_mail_in_hub, outlet.code
            assert authorised == {brand.id}, (outlet.code, outlet.name_zh, authorised)
        for brand in demo.brands.values():  # no other outlet carries a brand it is not authorised for
            mentioned = brand.name_zh in outlet.name_zh or re.search(rf"\b{re.escape(brand.name_en)}\b", outlet.name_en)
            assert not mentioned or brand.id in authorised and named, (outlet.code, outlet.name_zh, brand.code)


def test_the_guaranteed_outlets_come_out_of_the_requested_count(demo: Seeded) -> None:
    assert len(demo.outlets) == 2000 and sum(o.is_mail_in_hub for o in demo.outlets) == 31 + 26
    assert 0.74 <= sum(o.country == "CN" for o in demo.outlets) / 2000 <= 0.76
    # "小米授权服务中心（东城店）": a randomly placed brand centre is "深圳南山小米授权服务中心", a shop "…（南山店）".
    guaranteed = [o for o in demo.outlets if "（" in o.name_zh and "授权" in o.name_zh]
    china = [o for o in guaranteed if o.country == "CN"]
    # 12 Chinese cities × 12 outlets (Xiaomi and Samsung: a walk-in centre and an on-site service), 7 overseas
    # cities × 12 and New York × 9 (no Huawei, no Xiaomi in the US).
    assert (len(china), len(guaranteed) - len(china)) == (12 * 12, 7 * 12 + 9)
    for outlet in guaranteed:
        grants = demo.grants[outlet.id]
        assert outlet.active and all(g.valid_to is None for g in grants) and 10 <= outlet.service_radius_km <= 80
        if "上门" in outlet.name_zh:  # an on-site service: installed appliances only
            assert {g.category for g in grants} <= INSTALLED


def test_a_small_network_gets_a_prefix_of_the_plan_within_its_share(catalogue: Catalogue, places: Places) -> None:
    network = generate_network(catalogue, places, 300, seed=7, today=TODAY)
    assert network.outlet_count == 300 and int((network.outlet_demo >= 0).sum()) == len(network.demo)
    china = [d for d in network.demo if d.city.country == "CN"]
    assert 0 < len(china) <= MAX_SHARE * (225 - 31) and len(network.demo) - len(china) <= MAX_SHARE * (75 - 26)
    assert [d.city.key for d in china][:12] == ["beijing"] * 12  # one copy in each city first, in order
    assert plan_demo_outlets(catalogue, places, 48, 12) == network.demo  # pure: the same plan every time


def test_demo_cities_are_served_markets_where_the_geocoder_puts_their_names() -> None:
    geocoder = Geocoder()
    assert len({c.key for c in DEMO_CITIES}) == len(DEMO_CITIES)
    assert sum(c.country == "CN" for c in DEMO_CITIES) == 12 and len(DEMO_CITIES) == 20
    for city in DEMO_CITIES:
        assert city.country == "CN" or city.country in COUNTRIES, city.key
        found = geocoder.geocode(city.name_zh if city.country == "CN" else city.name_en)
        assert found.country == city.country, city.key
        assert haversine_km(found.lat, found.lon, city.lat, city.lon) < 1.0, city.key


def test_demo_network_is_deterministic(catalogue: Catalogue, places: Places) -> None:
    first = generate_network(catalogue, places, 2000, seed=7, today=TODAY)
    again = generate_network(catalogue, places, 2000, seed=7, today=TODAY)
    assert first.demo == again.demo and (first.outlet_demo == again.outlet_demo).all()
    assert [c.outlets for c in first.chunks()] == [c.outlets for c in again.chunks()]


def test_a_second_copy_goes_to_another_district(
    catalogue: Catalogue, places: Places, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.seed.demo_network.COPIES", {"CN": 2})
    plan = plan_demo_outlets(catalogue, places, 1000, 1000)
    assert sum(d.city.country == "CN" for d in plan) == 12 * 12 * 2 and len(plan) - 12 * 12 * 2 == 7 * 12 + 9
    beijing = [d for d in plan if d.city.key == "beijing"]
    for first, second in zip(beijing[:12], beijing[12:], strict=True):
        assert (first.brand_id, first.pairs) == (second.brand_id, second.pairs) and first.place != second.place
