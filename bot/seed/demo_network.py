"""The demo guarantee: regular outlets for every demo brand's categories in every demo city.

In every demo city, each demo brand has regular (walk-in or on-site) outlets authorised for every category it sells
there, so that a newcomer's first ticket reaches a shop or a technician, not a parcel.

The guaranteed outlets come out of the requested outlet count: each takes the place of a randomly placed outlet on
the same side (China, overseas) outside the demo cities, which keep every outlet they drew. They are at most
`MAX_SHARE` of the regular outlets of each side: a small network gets a prefix of the plan, one copy in every city
first (city by city, brand by brand, in `DEMO_CITIES` and `DEMO_BRANDS` order), then any further copies (`COPIES`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from bot.domain.catalogue import INSTALLABLE
from bot.geo.haversine import haversine_km_many
from bot.seed.catalogue import Catalogue, Pair
from bot.seed.demo_cities import DEMO_BRANDS, DEMO_CITIES, DemoCity
from bot.seed.places import Places

#: Outlets per demo city × brand group, by country (default one). {"CN": 2} would double the Chinese cities' at the
#: cost of ~2 points of walk-in coverage elsewhere in China at 2,000 outlets (measured over seeds 7-9).
COPIES: dict[str, int] = {}
#: The guarantee takes at most this share of a side's regular (non-hub) outlets.
MAX_SHARE = 0.25
#: Guaranteed outlets sit in the city's urban districts (neighbourhoods overseas) within this distance of the centre.
CORE_KM = 12.0
#: Spread of a guaranteed outlet around its district's centre.
JITTER_KM = 1.5
_INSTALLED = frozenset(c.value for c in INSTALLABLE)


class DemoOutlet(NamedTuple):
    """One guaranteed outlet: a brand's centre in a demo city, authorised for `pairs` (all current)."""

    city: DemoCity
    brand_id: int
    pairs: tuple[Pair, ...]
    on_site: bool  # only installed appliances: its technicians come to the customer
    place: int  # index into `Places`: the district (neighbourhood) it is in


def brand_groups(catalogue: Catalogue, brand_id: int, country: str) -> list[tuple[Pair, ...]]:
    """The outlets one brand needs in a city.

    A walk-in centre for carried-in products and an on-site service for installed appliances when each has at least
    two categories, else one centre for everything it sells there.
    """
    pairs = [pair for pair in catalogue.pairs_sold_in(country) if pair[0] == brand_id]
    carried = tuple(pair for pair in pairs if pair[1] not in _INSTALLED)
    installed = tuple(pair for pair in pairs if pair[1] in _INSTALLED)
    if len(carried) >= 2 and len(installed) >= 2:
        return [carried, installed]
    return [tuple(pairs)] if pairs else []


def core_places(places: Places, city: DemoCity) -> list[int]:
    """The city's urban places within `CORE_KM` of its centre, nearest first; at least the nearest place."""
    idx = np.flatnonzero(np.asarray(places.country) == city.country)
    dist = haversine_km_many(city.lat, city.lon, np.asarray(places.lat)[idx], np.asarray(places.lon)[idx])
    order = np.lexsort((idx, dist))
    core = [int(idx[i]) for i in order if dist[i] <= CORE_KM and places.urban[int(idx[i])]]
    return core or [int(idx[order[0]])]


def plan_demo_outlets(catalogue: Catalogue, places: Places, budget_china: int, budget_overseas: int
                      ) -> list[DemoOutlet]:
    """The guaranteed outlets, at most `budget_china` in China and `budget_overseas` overseas; pure."""
    ids = {row.code: row.id for row in catalogue.brands}
    budget = {True: budget_china, False: budget_overseas}
    planned: list[DemoOutlet] = []
    used = {True: 0, False: 0}
    for copy in range(max(COPIES.values(), default=1)):
        for city in DEMO_CITIES:
            china = city.country == "CN"
            if copy >= COPIES.get(city.country, 1):
                continue
            core = core_places(places, city)
            step = len(core) // 2  # a second copy goes to another district than the first
            groups = [group for code in DEMO_BRANDS for group in brand_groups(catalogue, ids[code], city.country)]
            for g, pairs in enumerate(groups):
                if used[china] >= budget[china]:
                    break
                on_site = all(category in _INSTALLED for _, category in pairs)
                place = core[(g + copy * step) % len(core)]
                planned.append(DemoOutlet(city, pairs[0][0], pairs, on_site, place))
                used[china] += 1
    return planned


def displaced(places: Places, scattered: np.ndarray, demo: list[DemoOutlet]) -> np.ndarray:
    """Positions in `scattered` of the outlets the guaranteed ones replace.

    `scattered` holds randomly drawn place indices, in draw order. The replaced outlets are on the same side (China,
    overseas), never within a demo city's reach, so that the demo cities keep every outlet they drew (other brands'
    shops too); the earliest drawn, i.e. a uniform sample.
    """
    country = np.asarray(places.country)[scattered]
    lat, lon = np.asarray(places.lat)[scattered], np.asarray(places.lon)[scattered]
    spared = np.zeros(len(scattered), dtype=bool)
    for city in DEMO_CITIES:
        spared |= (country == city.country) & (haversine_km_many(city.lat, city.lon, lat, lon) <= city.reach_km)
    taken: list[np.ndarray] = []
    for china in (True, False):
        count = sum(1 for outlet in demo if (outlet.city.country == "CN") == china)
        candidates = np.flatnonzero(((country == "CN") == china) & ~spared)
        if len(candidates) < count:
            candidates = np.flatnonzero((country == "CN") == china)  # a tiny network: the demo cities are all
        taken.append(candidates[:count])
    return np.sort(np.concatenate(taken))
