"""In-memory spatial index of outlets for routing, and the brute-force oracle it is tested against.

Ranking contract (shared by `RoutingIndex.query` and `brute_force_query`):
an outlet is *eligible* for (brand, category, service type, location, today, excluded ids) when it is active,
holds an authorisation for exactly that brand × category × service type with
`valid_from <= today <= valid_to` (`valid_to` None = open-ended), is in the location's country,
lies within its own `service_radius_km` of the location (haversine, Earth radius 6371.0088 km) and is not
excluded, and is not a mail-in hub (hubs take parcels: `nearest_mail_in_hub` reaches them, in the location's
country only, when no outlet near the customer is eligible). Eligible outlets are ordered by
`(round(distance_km, 1), load_ratio, outlet_id)`, where `load_ratio = open_tickets / daily_capacity`; at most `k`
are returned.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

import numpy as np
import numpy.typing as npt

from bot.geo.haversine import EARTH_RADIUS_KM, haversine_km_many, haversine_km_rad
from bot.geo.outlet_records import (
    AuthorisationRecord,
    OutletRecord,
    is_authorised,
    key_value,
    load_ratio,
    make_candidate,
)
from bot.geo.types import Location, RouteCandidate

__all__ = [
    "AuthorisationRecord",
    "BruteForceOracle",
    "OutletRecord",
    "RoutingIndex",
    "brute_force_query",
    "make_candidate",
]

#: Below this many rows a vectorised scan beats a k-d tree query (measured: see bench/routing_bench.py).
SCAN_THRESHOLD = 1000
_OPEN_END = date.max.toordinal()
_REPAIR = "repair"
_HUB = "*mail-in*"  # pseudo-country of the mail-in hub groups, which ignore countries and radii
GroupKey = tuple[str, int, str, str]


@dataclass
class _Group:
    """Column arrays of one group's rows (one row per outlet × matching authorisation)."""

    ids: npt.NDArray[np.int64]
    lat: npt.NDArray[np.float64]  # radians
    lon: npt.NDArray[np.float64]  # radians
    cos_lat: npt.NDArray[np.float64]
    radius: npt.NDArray[np.float64]
    valid_from: npt.NDArray[np.int64]  # date ordinals
    valid_to: npt.NDArray[np.int64]
    country: npt.NDArray[np.str_]
    max_radius: float
    unique_ids: bool  # one row per outlet (no outlet holds two authorisations for the same key)
    tree: object | None  # scipy cKDTree over unit vectors, or None for a scan


def _unit_vectors(lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Points on the unit sphere for latitudes/longitudes in radians."""
    cos_lat = np.cos(lat)
    return np.column_stack([cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)])


def _chord_to_km(chord: float) -> float:
    """Great-circle distance in km for a chord length on the unit sphere."""
    return 2.0 * math.asin(min(1.0, chord / 2.0)) * EARTH_RADIUS_KM


def _build_group(rows: list[tuple[OutletRecord, AuthorisationRecord]], with_tree: bool) -> _Group:
    lat = np.radians(np.array([r.lat for r, _ in rows], dtype=np.float64))
    lon = np.radians(np.array([r.lon for r, _ in rows], dtype=np.float64))
    radius = np.array([r.service_radius_km for r, _ in rows], dtype=np.float64)
    tree = None
    if with_tree and len(rows) > SCAN_THRESHOLD:
        from scipy.spatial import cKDTree

        # k-NN on unit vectors: chord length is monotonic in great-circle distance, and scipy's cKDTree
        # answers a query in ~17 µs where sklearn's haversine BallTree takes ~90 µs (mostly input checks).
        tree = cKDTree(_unit_vectors(lat, lon))
    return _Group(
        ids=np.array([r.outlet_id for r, _ in rows], dtype=np.int64), lat=lat, lon=lon, cos_lat=np.cos(lat),
        radius=radius,
        valid_from=np.array([a.valid_from.toordinal() for _, a in rows], dtype=np.int64),
        valid_to=np.array([a.valid_to.toordinal() if a.valid_to else _OPEN_END for _, a in rows], dtype=np.int64),
        country=np.array([r.country for r, _ in rows], dtype="<U8"),
        max_radius=float(radius.max()) if len(rows) else 0.0,
        unique_ids=len({r.outlet_id for r, _ in rows}) == len(rows), tree=tree,
    )


class RoutingIndex:
    """Outlets grouped by (country, brand, category, service type), one k-d tree per group, rebuilt lazily."""

    def __init__(self, records: Iterable[OutletRecord] = (), loads: Mapping[int, int] | None = None) -> None:
        self._records: dict[int, OutletRecord] = {}
        self._members: dict[GroupKey, set[int]] = {}
        self._groups: dict[GroupKey, _Group] = {}
        self._loads: dict[int, int] = dict(loads or {})
        for record in records:
            self.upsert(record)

    def __len__(self) -> int:
        return len(self._records)

    @staticmethod
    def _keys(record: OutletRecord) -> set[GroupKey]:
        if not record.active:
            return set()
        keys: set[GroupKey] = set()
        for auth in record.authorisations:
            category, service_type = key_value(auth.category), key_value(auth.service_type)
            if record.is_mail_in_hub:
                if service_type == _REPAIR:
                    keys.add((_HUB, auth.brand_id, category, _REPAIR))
            else:
                keys.add((record.country, auth.brand_id, category, service_type))
        return keys

    def upsert(self, record: OutletRecord) -> None:
        """Add or replace an outlet; the groups it leaves or joins are rebuilt on their next query."""
        self.remove(record.outlet_id)
        self._records[record.outlet_id] = record
        for key in self._keys(record):
            self._members.setdefault(key, set()).add(record.outlet_id)
            self._groups.pop(key, None)

    def remove(self, outlet_id: int) -> None:
        """Forget an outlet (no-op when unknown)."""
        old = self._records.pop(outlet_id, None)
        if old is None:
            return
        for key in self._keys(old):
            members = self._members.get(key)
            if members is not None:
                members.discard(outlet_id)
                if not members:
                    del self._members[key]
            self._groups.pop(key, None)

    def set_load(self, outlet_id: int, open_tickets: int) -> None:
        """Set an outlet's number of open tickets."""
        self._loads[outlet_id] = max(0, open_tickets)

    def add_load(self, outlet_id: int, delta: int) -> None:
        """Change an outlet's number of open tickets by `delta` (never below zero)."""
        self._loads[outlet_id] = max(0, self._loads.get(outlet_id, 0) + delta)

    def load_of(self, outlet_id: int) -> int:
        """An outlet's current number of open tickets."""
        return self._loads.get(outlet_id, 0)

    def build_all(self) -> None:
        """Build every stale group now, so that the first queries after a bulk load are not the slow ones."""
        for key in list(self._members):
            self._group(key)

    def _group(self, key: GroupKey) -> _Group | None:
        group = self._groups.get(key)
        if group is None:
            members = self._members.get(key)
            if not members:
                return None
            _, brand_id, category, service_type = key
            rows = [
                (self._records[oid], auth)
                for oid in sorted(members)
                for auth in self._records[oid].authorisations
                if auth.brand_id == brand_id and key_value(auth.category) == category
                and key_value(auth.service_type) == service_type
            ]
            group = self._groups[key] = _build_group(rows, with_tree=key[0] != _HUB)
        return group

    def query(
        self, brand_id: int, category: str | Enum, service_type: str | Enum, location: Location, k: int = 3,
        exclude_outlet_ids: Iterable[int] = (), today: date | None = None,
    ) -> list[RouteCandidate]:
        """The best `k` eligible outlets for the location, ranked as the module docstring says."""
        group = self._group((location.country, brand_id, key_value(category), key_value(service_type)))
        if group is None or k <= 0:
            return []
        day = (today or date.today()).toordinal()
        excluded = set(exclude_outlet_ids)
        lat, lon = math.radians(location.lat), math.radians(location.lon)
        n = len(group.ids)
        if group.tree is None:
            dist = haversine_km_rad(lat, lon, group.lat, group.lon, group.cos_lat)
            ranked = self._rank(group, np.arange(n), dist, day, excluded, k)
            return self._candidates(ranked[:k])
        want = min(n, max(8 * k, 32))
        cos_lat = math.cos(lat)
        point = (cos_lat * math.cos(lon), cos_lat * math.sin(lon), math.sin(lat))
        while True:
            chords, found = group.tree.query(point, k=want)  # type: ignore[attr-defined]
            rows = np.atleast_1d(found)
            dist = haversine_km_rad(lat, lon, group.lat[rows], group.lon[rows], group.cos_lat[rows])
            ranked = self._rank(group, rows, dist, day, excluded, k)
            # Every row not yet seen is at least `reach` away (less a margin for floating-point rounding).
            reach = _chord_to_km(float(np.atleast_1d(chords)[-1])) - 1e-6
            if want >= n or reach > group.max_radius:
                break
            if len(ranked) >= k and reach > ranked[k - 1][0][0] + 0.05 + 1e-6:
                break  # unseen rows round to a larger distance than the k-th: they cannot enter the top k
            want = min(n, want * 2)
        return self._candidates(ranked[:k])

    def _rank(
        self, group: _Group, rows: npt.NDArray[np.int64], dist: npt.NDArray[np.float64], day: int,
        excluded: set[int], k: int,
    ) -> list[tuple[tuple[float, float, int], float]]:
        ok = np.flatnonzero(
            (dist <= group.radius[rows]) & (group.valid_from[rows] <= day) & (day <= group.valid_to[rows])
        )
        if excluded and len(ok):
            ok = ok[~np.isin(group.ids[rows[ok]], list(excluded))]
        if group.unique_ids and len(ok) > 2 * k:
            # Only rows within 0.11 km of the k-th nearest can share its rounded distance or beat it; with one
            # row per outlet and exclusions gone, the k nearest rows are k distinct eligible outlets.
            kth = np.partition(dist[ok], k - 1)[k - 1]
            ok = ok[dist[ok] <= kth + 0.11]
        ranked: list[tuple[tuple[float, float, int], float]] = []
        seen: set[int] = set()
        for pos in ok.tolist():
            oid = int(group.ids[rows[pos]])
            if oid in seen:
                continue
            seen.add(oid)
            d = float(dist[pos])
            ranked.append(((round(d, 1), load_ratio(self._records[oid], self._loads), oid), d))
        ranked.sort()
        return ranked

    def _candidates(self, ranked: list[tuple[tuple[float, float, int], float]]) -> list[RouteCandidate]:
        return [make_candidate(self._records[key[2]], d, key[1]) for key, d in ranked]

    def nearest_mail_in_hub(
        self, brand_id: int, category: str | Enum, location: Location, today: date | None = None
    ) -> RouteCandidate | None:
        """The nearest active mail-in hub in the location's country authorised to repair brand × category.

        A parcel does not cross a border: none there is None, and a person takes over.
        """
        group = self._group((_HUB, brand_id, key_value(category), _REPAIR))
        if group is None:
            return None
        day = (today or date.today()).toordinal()
        lat, lon = math.radians(location.lat), math.radians(location.lon)
        dist = haversine_km_rad(lat, lon, group.lat, group.lon, group.cos_lat)
        same_country = group.country == location.country
        ok = np.flatnonzero((group.valid_from <= day) & (day <= group.valid_to) & same_country)
        if not len(ok):
            return None
        best = min(ok.tolist(), key=lambda i: (dist[i], group.ids[i]))
        record = self._records[int(group.ids[best])]
        return make_candidate(record, float(dist[best]), load_ratio(record, self._loads))


class BruteForceOracle:
    """The reference router: a vectorised haversine scan over every outlet, eligibility checked per record."""

    def __init__(self, records: Sequence[OutletRecord]) -> None:
        self.records = list(records)
        self.lat = np.array([r.lat for r in self.records], dtype=np.float64)
        self.lon = np.array([r.lon for r in self.records], dtype=np.float64)
        self.radius = np.array([r.service_radius_km for r in self.records], dtype=np.float64)
        self.active = np.array([r.active for r in self.records], dtype=bool)
        self.country = np.array([r.country for r in self.records], dtype="<U8")
        self.hub = np.array([r.is_mail_in_hub for r in self.records], dtype=bool)

    def query(
        self, loads: Mapping[int, int], brand_id: int, category: str | Enum, service_type: str | Enum,
        location: Location, k: int = 3, exclude_outlet_ids: Iterable[int] = (), today: date | None = None,
    ) -> list[RouteCandidate]:
        """The best `k` eligible outlets, ranked per the module docstring."""
        day = today or date.today()
        cat, service = key_value(category), key_value(service_type)
        excluded = set(exclude_outlet_ids)
        dist = haversine_km_many(location.lat, location.lon, self.lat, self.lon)
        near = self.active & ~self.hub & (self.country == location.country) & (dist <= self.radius)
        ranked = []
        for i in np.flatnonzero(near).tolist():
            record = self.records[i]
            if record.outlet_id in excluded or not is_authorised(record, brand_id, cat, service, day):
                continue
            d = float(dist[i])
            ranked.append(((round(d, 1), load_ratio(record, loads), record.outlet_id), d, record))
        ranked.sort(key=lambda item: item[0])
        return [make_candidate(record, d, key[1]) for key, d, record in ranked[:k]]


def brute_force_query(
    records: Sequence[OutletRecord], loads: Mapping[int, int], brand_id: int, category: str | Enum,
    service_type: str | Enum, location: Location, k: int = 3, exclude_outlet_ids: Iterable[int] = (),
    today: date | None = None,
) -> list[RouteCandidate]:
    """One-shot oracle query (builds the arrays each call; use `BruteForceOracle` for many queries)."""
    return BruteForceOracle(records).query(
        loads, brand_id, category, service_type, location, k, exclude_outlet_ids, today
    )
