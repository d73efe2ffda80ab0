"""Deterministic generation of the service network: providers, outlets, authorisations, warehouses, stock."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import numpy as np

from bot.domain.catalogue import INSTALLABLE, ProductCategory
from bot.domain.taxonomy import ServiceType
from bot.geo.haversine import haversine_km
from bot.seed.catalogue import Catalogue, Pair
from bot.seed.demo_network import JITTER_KM, MAX_SHARE, DemoOutlet, displaced, plan_demo_outlets
from bot.seed.draws import Draws
from bot.seed.locale_data import OPENING_HOURS
from bot.seed.naming import address, fill_phone, guaranteed_outlet_names, outlet_names, phone_pattern, provider_names
from bot.seed.places import Places
from bot.seed.rows import AuthorisationRow, OutletRow, ProviderRow, StockRow, WarehouseRow

#: Share of outlets in mainland China; the rest are overseas.
CHINA_SHARE = 0.75
#: The largest provider (a regional chain) runs this many outlets in its home province or country.
MAX_PROVIDER_OUTLETS = 30
#: Share of regular outlets that are one brand's authorised service centre (named for it, authorised for it only);
#: the others are independent multi-brand shops named for their provider.
BRANDED_SHARE = 0.6
#: A brand's centre repairs at most this many of the brand's categories.
MAX_OUTLET_PAIRS = 8
_INSTALLABLE = frozenset(c.value for c in INSTALLABLE)
_SEGMENTS = (  # (categories, share of outlets): phone/PC shops, appliance installers, enterprise IT
    (frozenset({"phone", "laptop", "desktop", "tablet"}), 0.5),
    (frozenset({"tv", "air_conditioner", "refrigerator", "washing_machine", "water_heater"}), 0.45),
    (frozenset({ProductCategory.SERVER.value}), 0.05),
)
_REPAIR, _INSTALL = ServiceType.REPAIR.value, ServiceType.INSTALLATION.value
_SLA_MINUTES = (30, 60, 60, 120, 120, 240)  # minutes to accept a job; most outlets promise 1-2 hours


@dataclass
class Chunk:
    """The rows of a run of consecutive outlets."""

    outlets: list[OutletRow] = field(default_factory=list)
    authorisations: list[AuthorisationRow] = field(default_factory=list)
    warehouses: list[WarehouseRow] = field(default_factory=list)
    stock: list[StockRow] = field(default_factory=list)


@dataclass
class Network:
    """A planned network: small tables in memory, outlets and their dependants generated in chunks."""

    catalogue: Catalogue
    places: Places
    seed: int
    today: date
    providers: list[ProviderRow]
    regional_warehouses: list[WarehouseRow]
    regional_stock: list[StockRow]
    outlet_place: np.ndarray
    outlet_provider: np.ndarray
    outlet_hub: np.ndarray
    outlet_demo: np.ndarray  # index into `demo` for a demo city's guaranteed outlet, else -1
    demo: list[DemoOutlet]
    provider_names: dict[int, tuple[str, str]]

    @property
    def outlet_count(self) -> int:
        """How many outlets the network has."""
        return len(self.outlet_place)

    def chunks(self, size: int = 5000) -> Iterator[Chunk]:
        """Outlets with their authorisations, warehouses and stock; the same rows on every call."""
        draws = Draws(np.random.default_rng([self.seed, 2]))  # own stream: re-iterating gives identical rows
        state = _Counters(auth=1, warehouse=len(self.regional_warehouses) + 1, stock=len(self.regional_stock) + 1)
        region_pairs = _region_pairs(self.catalogue, self.places)
        for start in range(0, self.outlet_count, size):
            yield _chunk(self, range(start, min(start + size, self.outlet_count)), draws, state, region_pairs)


@dataclass
class _Counters:
    auth: int
    warehouse: int
    stock: int


def _region_pairs(catalogue: Catalogue, places: Places) -> list[tuple[list[Pair], list[float]]]:
    out = []
    for key in places.regions:
        pairs = catalogue.pairs_sold_in("CN" if key.startswith("CN-") else key)
        out.append((pairs, [1.0 / catalogue.specs[b].share for b, _ in pairs]))  # inverse: sampling exponents
    return out


def _regular_outlets(places: Places, outlets: int) -> tuple[int, int]:
    """How many regular (non-hub) outlets go to China and overseas."""
    cn_regions = sum(1 for r in places.regions if r.startswith("CN-"))
    os_regions = len(places.regions) - cn_regions
    if outlets < len(places.regions):
        raise ValueError(f"need at least {len(places.regions)} outlets: one mail-in hub per province/country")
    overseas = min(max(round(outlets * (1 - CHINA_SHARE)), os_regions), outlets - cn_regions)
    return outlets - overseas - cn_regions, overseas - os_regions


def _allocate(places: Places, outlets: int, demo: list[DemoOutlet], rng: np.random.Generator
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Place index, hub flag and demo plan index per outlet, sorted by region.

    Each region's hub comes first, then its guaranteed outlets, then the randomly placed ones (less those the
    guaranteed outlets displace).
    """
    regions = np.asarray(places.region)
    weights = np.asarray(places.weight)
    chosen: list[np.ndarray] = []
    for region in range(len(places.regions)):  # hubs first, so that every region has one
        idx = np.flatnonzero(regions == region)
        chosen.append(rng.choice(idx, size=1, p=weights[idx] / weights[idx].sum()))
    drawn = []
    for china, count in zip((True, False), _regular_outlets(places, outlets), strict=True):
        idx = places.indices(china)
        drawn.append(rng.choice(idx, size=count, p=weights[idx] / weights[idx].sum()))
    scattered = np.concatenate(drawn)
    keep = np.ones(len(scattered), dtype=bool)
    keep[displaced(places, scattered, demo)] = False
    chosen += [np.array([d.place for d in demo], dtype=np.int64), scattered[keep]]
    place = np.concatenate(chosen)
    hubs = len(places.regions)
    kind = np.full(outlets, 2)
    kind[:hubs], kind[hubs : hubs + len(demo)] = 0, 1
    demo_index = np.full(outlets, -1, dtype=np.int64)
    demo_index[hubs : hubs + len(demo)] = np.arange(len(demo))
    order = np.lexsort((np.arange(outlets), kind, regions[place]))  # by region, hub, guaranteed, then draw order
    return place[order], kind[order] == 0, demo_index[order]


def _providers(places: Places, place: np.ndarray, rng: np.random.Generator
               ) -> tuple[list[ProviderRow], np.ndarray, dict[int, tuple[str, str]]]:
    draws = Draws(rng, block=4096)
    regions = np.asarray(places.region)[place]
    provider = np.zeros(len(place), dtype=np.int64)
    rows: list[ProviderRow] = []
    by_region: dict[int, list[int]] = {}
    start = 0
    while start < len(place):
        region = int(regions[start])
        size = min(MAX_PROVIDER_OUTLETS, 1 + int(rng.geometric(0.13)))  # mostly small firms, a few chains
        stop = start + size
        while stop > len(place) or regions[stop - 1] != region:
            stop -= 1
        provider_id = len(rows) + 1
        name_zh, name_en = provider_names(places, region, draws)
        key = places.regions[region]
        country = "CN" if key.startswith("CN-") else key
        rows.append(ProviderRow(provider_id, f"PRV-{key}-{provider_id:06d}", name_zh, name_en, country))
        by_region.setdefault(region, []).append(provider_id)
        provider[start:stop] = provider_id
        start = stop
    # A few Chinese outlets belong to a chain based in another province.
    cn_providers = [p for r, ps in by_region.items() if places.regions[r].startswith("CN-") for p in ps]
    movers = np.flatnonzero((rng.random(len(place)) < 0.03) & (np.asarray(places.country)[place] == "CN"))
    provider[movers] = rng.choice(cn_providers, size=len(movers))
    return rows, provider, {r.id: (r.name_zh, r.name_en) for r in rows}


def generate_network(catalogue: Catalogue, places: Places, outlets: int, seed: int, today: date) -> Network:
    """Plan a network of `outlets` outlets; pure: the same inputs give the same rows."""
    rng = np.random.default_rng([seed, 1])
    china, overseas = _regular_outlets(places, outlets)
    demo = plan_demo_outlets(catalogue, places, int(MAX_SHARE * china), int(MAX_SHARE * overseas))
    place, hub, demo_index = _allocate(places, outlets, demo, rng)
    providers, provider, names = _providers(places, place, rng)
    warehouses: list[WarehouseRow] = []
    stock: list[StockRow] = []
    for region, key in enumerate(places.regions):
        lat, lon = places.region_coords[region]
        country = "CN" if key.startswith("CN-") else key
        name_zh, name_en = places.region_names[region]
        name = f"{name_zh}区域备件仓" if country == "CN" else f"{name_en} regional parts warehouse"
        warehouse_id = len(warehouses) + 1
        warehouses.append(WarehouseRow(warehouse_id, f"WH-{key}", name, "regional", None, country, lat, lon))
        for pair in catalogue.pairs_sold_in(country):
            for part_id in catalogue.parts_by_pair[pair]:
                stock.append(StockRow(len(stock) + 1, warehouse_id, part_id, int(rng.integers(20, 501)), 0))
    return Network(catalogue, places, seed, today, providers, warehouses, stock, place, provider, hub, demo_index,
                   demo, names)


def _authorise(net: Network, pairs: list[Pair], outlet_id: int, draws: Draws,
               state: _Counters, hub: bool, guaranteed: bool) -> list[AuthorisationRow]:
    """Hubs repair everything, open-ended; a guaranteed outlet repairs (and installs) all its pairs, open-ended."""
    today = net.today
    rows: list[AuthorisationRow] = []
    for n, (brand_id, category) in enumerate(pairs):
        age = draws.integers(60, 3650)
        valid_from = today - timedelta(days=age)
        roll = draws.random()
        valid_to: date | None = None
        if n > 0 and not hub and not guaranteed:  # the first stays current: every outlet can serve something
            if roll < 0.08:
                valid_to = today - timedelta(days=draws.integers(1, min(365, age)))
            elif roll < 0.23:
                valid_to = today + timedelta(days=draws.integers(30, 731))
        kinds = [_REPAIR]
        if category in _INSTALLABLE and guaranteed:
            kinds = [_REPAIR, _INSTALL]  # installed appliances: the technicians repair and install on site
        elif category in _INSTALLABLE and not hub:
            split = draws.random()
            kinds = [_REPAIR, _INSTALL] if split < 0.55 else [_INSTALL] if split < 0.75 else [_REPAIR]
        for kind in kinds:
            rows.append(AuthorisationRow(state.auth, outlet_id, brand_id, category, kind, valid_from, valid_to))
            state.auth += 1
    return rows


def _segment(roll: float) -> frozenset[str]:
    for categories, share in _SEGMENTS:
        if roll < share:
            return categories
        roll -= share
    return _SEGMENTS[-1][0]


def _pick_pairs(pairs: list[Pair], exponents: list[float], categories: frozenset[str], draws: Draws) -> list[Pair]:
    pool = [i for i, (_, category) in enumerate(pairs) if category in categories]
    if len(pool) < 2:
        pool = list(range(len(pairs)))
    k = min(draws.integers(2, 9), len(pool))
    # Weighted sampling without replacement (Efraimidis-Spirakis): keys u^(1/share), largest first.
    keyed = sorted(((draws.random() ** exponents[i], i) for i in pool), reverse=True)
    return [pairs[i] for _, i in keyed[:k]]


def _brand_pairs(pairs: list[Pair], brand_id: int, categories: frozenset[str]) -> list[Pair] | None:
    """What a brand's own centre repairs, or None when that is fewer than two (the outlet stays a multi-brand shop).

    A centre repairs the brand's categories in the outlet's segment, else all it sells in the region.
    """
    own = [pair for pair in pairs if pair[0] == brand_id]
    for candidate in ([pair for pair in own if pair[1] in categories], own):
        if len(candidate) >= 2:
            return candidate[:MAX_OUTLET_PAIRS]
    return None


def _outlet(net: Network, i: int, draws: Draws, brand_id: int | None, demo: DemoOutlet | None,
            jitter: tuple[float, float]) -> OutletRow:
    """An outlet's row; `brand_id` names it a brand's centre (None: named for its provider, or a hub)."""
    places = net.places
    place, hub = int(net.outlet_place[i]), bool(net.outlet_hub[i])
    outlet_id, provider_id = i + 1, int(net.outlet_provider[i])
    urban, country = places.urban[place], places.country[place]
    if demo is None:
        sigma_km = (2.0 if urban else 6.0) if country == "CN" else (3.0 if urban else 6.0)
    else:
        sigma_km = JITTER_KM
    lat = max(-89.9, min(89.9, places.lat[place] + jitter[0] * sigma_km / 111.0))
    lon = places.lon[place] + jitter[1] * sigma_km / (111.0 * max(0.1, math.cos(math.radians(lat))))
    spec = net.catalogue.specs[brand_id] if brand_id is not None else None
    brand = (spec.name_zh, spec.name_en) if spec is not None else None
    if demo is not None and brand is not None:
        city = demo.city
        name_zh, name_en = guaranteed_outlet_names(places, place, brand, (city.name_zh, city.name_en), demo.on_site)
        # The city's whole built-up area around its centre, whichever district the outlet is in.
        radius = min(80.0, max(10.0, haversine_km(city.lat, city.lon, lat, lon) + city.reach_km))
    else:
        name_zh, name_en = outlet_names(places, place, brand, net.provider_names[provider_id], hub)
        radius = draws.uniform(10, 30) if urban else draws.uniform(30, 80)
    capacity = draws.integers(200, 501) if hub else draws.integers(20, 81) if urban else draws.integers(5, 31)
    hours_roll, hours = draws.random(), OPENING_HOURS[-1][0]
    for option, weight in OPENING_HOURS:
        if hours_roll < weight:
            hours = option
            break
        hours_roll -= weight
    return OutletRow(
        outlet_id, provider_id, f"OUT-{country}-{outlet_id:07d}", name_zh, name_en,
        address(places, place, draws), country, places.adcode[place],
        round(lat, 6), round((lon + 180.0) % 360.0 - 180.0, 6), round(radius, 1), hours,
        fill_phone(phone_pattern(places, place), draws), capacity, draws.pick(_SLA_MINUTES), hub,
        hub or demo is not None or draws.random() < 0.97, datetime.combine(net.today, time(0, 0), tzinfo=timezone.utc),
    )


def _chunk(net: Network, span: range, draws: Draws, state: _Counters,
           region_pairs: list[tuple[list[Pair], list[float]]]) -> Chunk:
    places, catalogue, out = net.places, net.catalogue, Chunk()
    for i in span:
        pairs, exponents = region_pairs[places.region[int(net.outlet_place[i])]]
        hub, demo_index = bool(net.outlet_hub[i]), int(net.outlet_demo[i])
        demo = net.demo[demo_index] if demo_index >= 0 else None
        brand_id: int | None = None
        if hub:
            chosen = pairs
        elif demo is not None:
            chosen, brand_id = list(demo.pairs), demo.brand_id
        else:
            categories = _segment(draws.random())
            chosen = _pick_pairs(pairs, exponents, categories, draws)
            # A brand's centre carries its name and only its authorisations; a shop repairs several brands.
            own = _brand_pairs(pairs, chosen[0][0], categories) if draws.random() < BRANDED_SHARE else None
            if own is not None:
                chosen, brand_id = own, chosen[0][0]
        outlet = _outlet(net, i, draws, brand_id, demo, draws.normal_pair())
        out.outlets.append(outlet)
        out.authorisations.extend(_authorise(net, chosen, outlet.id, draws, state, hub, demo is not None))
        warehouse_id = state.warehouse
        state.warehouse += 1
        out.warehouses.append(WarehouseRow(warehouse_id, f"WH-OUT-{outlet.id:07d}", f"{outlet.name_zh} 备件库",
                                           "outlet", outlet.id, outlet.country, outlet.lat, outlet.lon))
        pool = sorted({part for pair in chosen for part in catalogue.parts_by_pair[pair]})
        for part_id in draws.sample(pool, draws.integers(8, 13)):
            out.stock.append(StockRow(state.stock, warehouse_id, part_id, draws.integers(0, 21), 0))
            state.stock += 1
    return out
