"""Routing benchmark: index query latency against the brute-force oracle, on the same queries in the same run."""

from __future__ import annotations

import gc
import json
import random
import time
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import numpy as np

from bot.domain.catalogue import ProductCategory
from bot.domain.taxonomy import ServiceType
from bot.geo.spatial_index import AuthorisationRecord, BruteForceOracle, OutletRecord, RoutingIndex
from bot.geo.types import Location

#: The day every benchmark query is asked on, so that authorisation validity is reproducible.
BENCH_DAY = date(2025, 6, 1)

#: (country, weight, city centres as (lat, lon)) — outlets cluster around real cities, as real networks do.
_COUNTRIES: list[tuple[str, float, list[tuple[float, float]]]] = [
    ("CN", 0.50, [(22.54, 114.06), (31.23, 121.47), (39.90, 116.40), (30.57, 104.07), (23.13, 113.26),
                  (30.59, 114.31), (34.34, 108.94), (29.56, 106.55), (36.07, 120.38), (45.80, 126.53)]),
    ("IN", 0.20, [(18.52, 73.86), (19.08, 72.88), (28.61, 77.21), (12.97, 77.59), (13.08, 80.27)]),
    ("MY", 0.08, [(3.14, 101.69), (5.41, 100.33), (1.49, 103.74)]),
    ("GB", 0.08, [(51.51, -0.13), (53.48, -2.24), (55.95, -3.19)]),
    ("US", 0.08, [(40.71, -74.01), (34.05, -118.24), (41.88, -87.63), (29.76, -95.37)]),
    ("DE", 0.06, [(52.52, 13.40), (48.14, 11.58), (50.11, 8.68)]),
]


def synthetic_records(n: int = 100_000, seed: int = 1, brands: int = 12) -> tuple[list[OutletRecord], dict[int, int]]:
    """`n` synthetic outlets with authorisations, plus their open-ticket counts."""
    rng = random.Random(seed)
    categories = [c.value for c in ProductCategory]
    services = [s.value for s in ServiceType]
    weights = [w for _, w, _ in _COUNTRIES]
    records: list[OutletRecord] = []
    loads: dict[int, int] = {}
    for oid in range(1, n + 1):
        country, _, centres = rng.choices(_COUNTRIES, weights)[0]
        clat, clon = rng.choice(centres)
        auths = []
        for _ in range(rng.randint(1, 6)):
            start = BENCH_DAY - timedelta(days=rng.randint(-30, 900))  # a few start in the future
            end = None if rng.random() < 0.7 else start + timedelta(days=rng.randint(30, 1200))
            auths.append(
                AuthorisationRecord(rng.randint(1, brands), rng.choice(categories), rng.choice(services), start, end)
            )
        capacity = rng.randint(5, 40)
        records.append(
            OutletRecord(
                outlet_id=oid, code=f"O{oid:06d}", name_zh=f"网点{oid}", name_en=f"Outlet {oid}",
                address=f"{oid} Example Road", phone=None, opening_hours="09:00-18:00",
                lat=clat + rng.gauss(0, 0.4), lon=clon + rng.gauss(0, 0.4), country=country,
                service_radius_km=rng.uniform(5, 60), daily_capacity=capacity, active=rng.random() < 0.95,
                is_mail_in_hub=rng.random() < 0.01, authorisations=tuple(auths),
            )
        )
        loads[oid] = rng.randint(0, capacity)
    return records, loads


def _queries(records: list[OutletRecord], n_queries: int, seed: int) -> list[tuple[int, Any, Any, Location]]:
    rng = random.Random(seed)
    with_auth = [r for r in records if r.authorisations]
    queries = []
    for _ in range(n_queries):
        record = rng.choice(with_auth)
        auth = rng.choice(record.authorisations)
        location = Location(
            lat=max(-90.0, min(90.0, record.lat + rng.gauss(0, 0.1))),
            lon=max(-180.0, min(180.0, record.lon + rng.gauss(0, 0.1))),
            country=record.country,
        )
        queries.append((auth.brand_id, auth.category, auth.service_type, location))
    return queries


def run_routing_bench(
    records: list[OutletRecord], n_queries: int = 2000, seed: int = 1, loads: Mapping[int, int] | None = None
) -> dict[str, float]:
    """Latency percentiles (ms) of index and oracle on the same queries, and how often they agree."""
    if loads is None:
        # Random loads make the load tie-break matter, as it does in a busy network.
        rng = random.Random(seed)
        loads = {r.outlet_id: rng.randint(0, max(r.daily_capacity, 1)) for r in records}
    index = RoutingIndex(records, loads)
    index.build_all()
    oracle = BruteForceOracle(records)
    queries = _queries(records, n_queries, seed)
    for brand_id, category, service, location in queries[:50]:  # warm caches before timing
        index.query(brand_id, category, service, location, today=BENCH_DAY)
        oracle.query(loads, brand_id, category, service, location, today=BENCH_DAY)
    # Each router runs its own pass over the same queries, as it would in a process of its own: interleaving
    # them would make each evict the other's working set from the CPU caches.
    index_ms, oracle_ms, got_all = [], [], []
    for brand_id, category, service, location in queries:
        started = time.perf_counter()
        got = index.query(brand_id, category, service, location, k=3, today=BENCH_DAY)
        index_ms.append((time.perf_counter() - started) * 1000)
        got_all.append(got)
    agree = 0
    for (brand_id, category, service, location), got in zip(queries, got_all, strict=True):
        started = time.perf_counter()
        want = oracle.query(loads, brand_id, category, service, location, k=3, today=BENCH_DAY)
        oracle_ms.append((time.perf_counter() - started) * 1000)
        agree += got == want
    gc.unfreeze()
    return {
        "routing_p50_ms_100k": round(float(np.percentile(index_ms, 50)), 4),
        "routing_p99_ms_100k": round(float(np.percentile(index_ms, 99)), 4),
        "routing_bruteforce_p99_ms_100k": round(float(np.percentile(oracle_ms, 99)), 4),
        "routing_agreement": agree / max(len(queries), 1),
    }


if __name__ == "__main__":
    bench_records, _ = synthetic_records(100_000, seed=1)
    print(json.dumps(run_routing_bench(bench_records), indent=2))
