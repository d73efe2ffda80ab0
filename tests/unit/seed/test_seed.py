"""The deterministic seed: catalogue, generated network invariants, and writing to SQLite/PostgreSQL."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import phonenumbers
import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bot.db.models import Authorisation, Base, Brand, OtherBrand, Outlet, Part, Provider, Stock, Ticket, Warehouse
from bot.db.session import create_sync_engine
from bot.domain.catalogue import INSTALLABLE
from bot.seed import SeedReport, run_seed
from bot.seed import rows as row_types
from bot.seed.catalogue import Catalogue, build_catalogue
from bot.seed.network import Chunk, Network, generate_network
from bot.seed.places import Places
from bot.seed.writer import SEEDED_TABLES, SeedRefusedError

TODAY = date(2025, 6, 1)
INSTALLABLE_VALUES = {c.value for c in INSTALLABLE}


def _collect(network: Network, size: int = 97) -> Chunk:
    everything = Chunk()
    for chunk in network.chunks(size):  # an odd chunk size exercises chunk boundaries
        everything.outlets += chunk.outlets
        everything.authorisations += chunk.authorisations
        everything.warehouses += chunk.warehouses
        everything.stock += chunk.stock
    return everything


@pytest.fixture(scope="module")
def network(catalogue: Catalogue, places: Places) -> Network:
    """A 1,500-outlet network."""
    return generate_network(catalogue, places, 1500, seed=11, today=TODAY)


@pytest.fixture(scope="module")
def rows(network: Network) -> Chunk:
    """Every outlet row of the network, with its dependants."""
    return _collect(network)


def _table_names() -> dict[str, type]:
    return {
        "brands": row_types.BrandRow, "other_brands": row_types.OtherBrandRow, "product_models": row_types.ModelRow,
        "parts": row_types.PartRow,
        "part_compatibility": row_types.CompatRow, "providers": row_types.ProviderRow,
        "outlets": row_types.OutletRow, "authorisations": row_types.AuthorisationRow,
        "warehouses": row_types.WarehouseRow, "stock": row_types.StockRow,
    }


def test_row_types_name_every_column_of_their_tables() -> None:
    for name, row_type in _table_names().items():
        assert set(row_type._fields) == set(Base.metadata.tables[name].c.keys()), name
    assert set(_table_names()) == set(SEEDED_TABLES)


def test_other_brands_are_consistent_with_the_served_ones(catalogue: Catalogue) -> None:
    served_codes = {b.code for b in catalogue.brands}
    others = catalogue.other_brands
    assert len(others) >= 50 and [o.id for o in others] == list(range(1, len(others) + 1))
    assert len({o.code for o in others}) == len(others) and not served_codes & {o.code for o in others}
    handles = [h.casefold() for b in (*catalogue.brands, *others) for h in b.support_handles]
    assert len(handles) == len(set(handles)) and not [h for h in handles if "@" in h]
    assert all(b.support_handles for b in catalogue.brands)


def test_catalogue_is_consistent(catalogue: Catalogue) -> None:
    assert len(catalogue.brands) >= 20
    numbers = [p.part_number for p in catalogue.parts]
    assert len(numbers) == len(set(numbers))
    brand_prefix = {b.id: catalogue.specs[b.id].prefix for b in catalogue.brands}
    assert all(p.part_number.startswith(brand_prefix[p.brand_id] + "-") for p in catalogue.parts)
    models = {m.id: m for m in catalogue.models}
    fits: dict[int, list[int]] = defaultdict(list)
    for link in catalogue.compatibility:
        fits[link.part_id].append(link.model_id)
    for part in catalogue.parts:
        assert fits[part.id], part.part_number
        assert all((models[m].brand_id, models[m].category) == (part.brand_id, part.category) for m in fits[part.id])
        assert part.price > 0 and len(part.name_zh) <= 120 and len(part.name_en) <= 120
    for spec_id, spec in catalogue.specs.items():
        for category in spec.categories:
            assert len([m for m in catalogue.models if (m.brand_id, m.category) == (spec_id, category.value)]) >= 2
    gree_ac = [m for m in catalogue.models if m.code == "KFR-35GW/NhZaB1W"]
    assert gree_ac and gree_ac[0].warranty_months == 72 and gree_ac[0].main_parts_warranty_months == 72
    assert build_catalogue() == catalogue


def test_same_seed_gives_identical_network_and_another_seed_does_not(
    catalogue: Catalogue, places: Places, network: Network, rows: Chunk
) -> None:
    again = generate_network(catalogue, places, 1500, seed=11, today=TODAY)
    assert again.providers == network.providers
    repeat = _collect(again, size=500)  # chunking must not change the rows
    assert repeat.outlets == rows.outlets and repeat.authorisations == rows.authorisations
    assert repeat.stock == rows.stock
    other = _collect(generate_network(catalogue, places, 1500, seed=12, today=TODAY))
    assert [o.lat for o in other.outlets] != [o.lat for o in rows.outlets]
    assert other.authorisations != rows.authorisations


def test_outlets_are_well_formed(rows: Chunk, network: Network) -> None:
    outlets = rows.outlets
    assert len(outlets) == 1500 and len({o.code for o in outlets}) == 1500
    assert [o.id for o in outlets] == list(range(1, 1501))
    china = [o for o in outlets if o.country == "CN"]
    assert 0.70 <= len(china) / len(outlets) <= 0.80
    for outlet in outlets:
        assert -90 <= outlet.lat <= 90 and -180 <= outlet.lon <= 180
        assert outlet.daily_capacity > 0 and outlet.acceptance_sla_minutes > 0
        assert 10 <= outlet.service_radius_km <= 80
        assert len(outlet.name_zh) <= 160 and len(outlet.name_en) <= 160 and len(outlet.address) <= 300
        assert outlet.phone and len(outlet.phone) <= 20
        assert phonenumbers.is_valid_number(phonenumbers.parse(outlet.phone)), outlet.phone
        if outlet.country == "CN":
            assert outlet.adcode and len(outlet.adcode) == 6 and outlet.adcode.isdigit()
            assert 18 <= outlet.lat <= 54 and 73 <= outlet.lon <= 135
        else:
            assert outlet.adcode is None
    provider_ids = {p.id for p in network.providers}
    assert {o.provider_id for o in outlets} <= provider_ids
    per_provider = Counter(o.provider_id for o in outlets)
    assert max(per_provider.values()) <= 30 + 5  # a chain may pick up a few outlets from other provinces


def test_authorisations_follow_the_rules(rows: Chunk, network: Network, catalogue: Catalogue) -> None:
    by_outlet: dict[int, list[row_types.AuthorisationRow]] = defaultdict(list)
    for auth in rows.authorisations:
        by_outlet[auth.outlet_id].append(auth)
        assert auth.valid_from < TODAY
        if auth.service_type == "installation":
            assert auth.category in INSTALLABLE_VALUES
        assert auth.service_type in {"repair", "installation"}
    keys = [(a.outlet_id, a.brand_id, a.category, a.service_type) for a in rows.authorisations]
    assert len(keys) == len(set(keys))
    for outlet in rows.outlets:
        auths = by_outlet[outlet.id]
        assert any(a.valid_to is None or a.valid_to > TODAY for a in auths), outlet.code
        pairs = {(a.brand_id, a.category) for a in auths}
        assert outlet.is_mail_in_hub or 2 <= len(pairs) <= 8
        sold = set(catalogue.pairs_sold_in(outlet.country))
        assert pairs <= sold, outlet.code
    assert any(a.valid_to is not None and a.valid_to < TODAY for a in rows.authorisations)
    assert any(a.valid_to is None for a in rows.authorisations)
    assert any(a.service_type == "installation" for a in rows.authorisations)


def test_every_province_and_country_has_one_mail_in_hub(rows: Chunk, network: Network, catalogue: Catalogue) -> None:
    places = network.places
    hubs = [o for o in rows.outlets if o.is_mail_in_hub]
    regions = Counter(o.adcode[:2] if o.country == "CN" and o.adcode else o.country for o in hubs)
    expected = {key.removeprefix("CN-") for key in places.regions}
    assert len(expected) == 31 + 26
    assert set(regions) == expected and all(n == 1 for n in regions.values())
    for hub in hubs:
        repairs = {(a.brand_id, a.category) for a in rows.authorisations
                   if a.outlet_id == hub.id and a.service_type == "repair" and a.valid_to is None}
        assert repairs == set(catalogue.pairs_sold_in(hub.country)) and hub.active


def test_warehouses_and_stock(rows: Chunk, network: Network, catalogue: Catalogue) -> None:
    regional = network.regional_warehouses
    assert {w.code for w in regional} == {f"WH-{key}" for key in network.places.regions}
    assert all(w.kind == "regional" and w.outlet_id is None for w in regional)
    assert [w.outlet_id for w in rows.warehouses] == [o.id for o in rows.outlets]
    all_ids = [w.id for w in regional + rows.warehouses]
    assert len(all_ids) == len(set(all_ids))
    part_pair = {p.id: (p.brand_id, p.category) for p in catalogue.parts}
    warehouse_outlet = {w.id: w.outlet_id for w in rows.warehouses}
    authorised: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for auth in rows.authorisations:
        authorised[auth.outlet_id].add((auth.brand_id, auth.category))
    per_warehouse = Counter(s.warehouse_id for s in rows.stock)
    assert all(1 <= n <= 12 for n in per_warehouse.values())
    assert 8 <= len(rows.stock) / len(rows.outlets) <= 12
    for item in rows.stock:
        assert 0 <= item.reserved <= item.on_hand <= 20
        assert part_pair[item.part_id] in authorised[warehouse_outlet[item.warehouse_id]]
    stock_keys = [(s.warehouse_id, s.part_id) for s in network.regional_stock + rows.stock]
    assert len(stock_keys) == len(set(stock_keys))
    cn_regional = next(w for w in regional if w.country == "CN")
    cn_parts = {s.part_id for s in network.regional_stock if s.warehouse_id == cn_regional.id}
    assert cn_parts == {p for pair in catalogue.pairs_sold_in("CN") for p in catalogue.parts_by_pair[pair]}


def test_too_few_outlets_for_one_hub_per_region_is_refused(catalogue: Catalogue, places: Places) -> None:
    with pytest.raises(ValueError, match="at least 57"):
        generate_network(catalogue, places, 56, seed=1, today=TODAY)


def _counts(url: str) -> dict[str, int]:
    engine = create_sync_engine(url)
    try:
        with engine.connect() as conn:
            return {n: conn.execute(select(func.count()).select_from(Base.metadata.tables[n])).scalar_one()
                    for n in SEEDED_TABLES}
    finally:
        engine.dispose()


def _report_counts(report: SeedReport) -> dict[str, int]:
    return {name: getattr(report, name) for name in SEEDED_TABLES}


def _assert_brand_lists_read_back(url: str) -> None:
    # JSON lists survive both write paths (executemany on SQLite, COPY on PostgreSQL).
    engine = create_sync_engine(url)
    with Session(engine) as session:
        sony = session.execute(select(Brand).where(Brand.code == "sony")).scalar_one()
        microsoft = session.execute(select(OtherBrand).where(OtherBrand.code == "microsoft")).scalar_one()
        assert sony.support_handles == ["AskPlayStation", "SonySupport", "SonyElectronics"]
        assert "PlayStation" in sony.aliases
        assert microsoft.name_zh == "微软" and "Xbox" in microsoft.aliases
        assert "XboxSupport" in microsoft.support_handles
    engine.dispose()


def test_seed_writes_what_it_reports_and_reads_back_through_the_orm(db_url: str) -> None:
    report = run_seed(db_url, 120, seed=5, today=TODAY)
    assert report.outlets == 120 and report.elapsed_seconds >= 0
    assert _counts(db_url) == _report_counts(report)
    assert report.other_brands >= 50
    _assert_brand_lists_read_back(db_url)
    engine = create_sync_engine(db_url)
    with Session(engine) as session:
        part = session.execute(select(Part).where(Part.part_number == "HW-PH-SCR-001")).scalar_one()
        assert [m.code for m in part.models][:1] == ["Mate 60 Pro"]
        auth = session.execute(select(Authorisation).limit(1)).scalar_one()
        assert isinstance(auth.valid_from, date)
        outlet = session.get(Outlet, 1)
        assert outlet is not None and outlet.provider.code.startswith("PRV-")
        assert session.execute(select(func.count()).select_from(Warehouse)).scalar_one() == 120 + 57
        bad = session.execute(select(func.count()).select_from(Stock).where(Stock.reserved > Stock.on_hand))
        assert bad.scalar_one() == 0
    engine.dispose()


def test_reseeding_is_refused_without_reset_and_reset_replaces_everything(db_url: str) -> None:
    first = run_seed(db_url, 80, seed=5, today=TODAY)
    with pytest.raises(SeedRefusedError):
        run_seed(db_url, 90, seed=6, today=TODAY)
    assert _counts(db_url) == _report_counts(first)
    second = run_seed(db_url, 90, seed=6, today=TODAY, reset=True)
    assert second.outlets == 90
    assert _counts(db_url) == _report_counts(second)


def test_reset_is_refused_while_tickets_reference_seeded_rows(db_url: str) -> None:
    run_seed(db_url, 60, seed=5, today=TODAY)
    engine = create_sync_engine(db_url)
    with engine.begin() as conn:
        conn.execute(insert(Ticket).values(number="T1", idempotency_key="k1", category="report_fault",
                                           channel="web", assigned_outlet_id=1))
    engine.dispose()
    with pytest.raises(SeedRefusedError, match="tickets"):
        run_seed(db_url, 60, seed=6, today=TODAY, reset=True)
    assert _counts(db_url)["outlets"] == 60


def test_a_failure_midway_leaves_nothing_written(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_chunks(self: Network, size: int = 5000):  # type: ignore[no-untyped-def]
        yield from original(self, 20)
        raise RuntimeError("disk full")

    original = Network.chunks
    monkeypatch.setattr(Network, "chunks", failing_chunks)
    with pytest.raises(RuntimeError, match="disk full"):
        run_seed(db_url, 100, seed=5, today=TODAY)
    assert set(_counts(db_url).values()) == {0}


@pytest.mark.postgres
def test_seed_on_postgresql(pg_db_url: str) -> None:
    report = run_seed(pg_db_url, 150, seed=5, today=TODAY)
    assert _counts(pg_db_url) == _report_counts(report)
    _assert_brand_lists_read_back(pg_db_url)
    engine = create_sync_engine(pg_db_url)
    with Session(engine) as session, session.begin():
        brand = session.execute(select(Part).limit(1)).scalar_one()
        assert brand.price > 0
        # Sequences were advanced past the explicit ids: a plain ORM insert gets a fresh id.
        provider = Provider(code="PRV-NEW", name_zh="新", name_en="New", country="CN")
        session.add(provider)
        session.flush()
        assert provider.id == report.providers + 1
    engine.dispose()
    with pytest.raises(SeedRefusedError):
        run_seed(pg_db_url, 150, seed=5, today=TODAY)
    again = run_seed(pg_db_url, 150, seed=5, today=TODAY, reset=True)
    assert _counts(pg_db_url) == _report_counts(again)
