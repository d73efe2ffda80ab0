"""Latency of `PartsService.availability` with 1,000,000 stock rows (5,000 parts × 200 warehouses).

Run: `python -m bench.parts_bench [--db-url URL] [--queries N]`; prints JSON. Without a URL the data go to a
temporary SQLite file that is deleted afterwards. A URL must point at an empty scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select, text

from bot.db.models import Base, Brand, Outlet, Part, Provider, Stock, Warehouse
from bot.db.session import create_async_db_engine, create_sync_engine, is_sqlite, make_session_factory
from bot.geo.types import Location
from bot.services.parts.service import PartsService

N_PARTS = 5_000
N_WAREHOUSES = 200
N_OUTLET_SHELVES = 40
N_ABROAD = 10
WARMUP = 50
SEED = 7
# Mainland China's rough bounding box: queries and warehouses are spread over it like real customers.
CN_LAT, CN_LON = (20.0, 45.0), (100.0, 122.0)


def _load(db_url: str, rng: random.Random) -> dict[str, float]:
    engine = create_sync_engine(db_url)
    Base.metadata.create_all(engine)
    started = time.perf_counter()
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(Stock)).scalar_one():
            raise ValueError("the benchmark database must be empty: it loads its own million stock rows")
        conn.execute(insert(Brand), [{"id": 1, "code": "bench", "name_zh": "基准", "name_en": "Bench",
                                      "home_country": "CN", "aliases": []}])
        conn.execute(insert(Provider), [{"id": 1, "code": "bench", "name_zh": "基准", "name_en": "Bench",
                                         "country": "CN"}])
        outlets, warehouses = [], []
        for w in range(1, N_WAREHOUSES + 1):
            abroad = w > N_WAREHOUSES - N_ABROAD
            lat = rng.uniform(35.0, 55.0) if abroad else rng.uniform(*CN_LAT)
            lon = rng.uniform(5.0, 30.0) if abroad else rng.uniform(*CN_LON)
            shelf = w <= N_OUTLET_SHELVES
            if shelf:
                outlets.append({"id": w, "provider_id": 1, "code": f"O{w}", "name_zh": f"网点{w}",
                                "name_en": f"Outlet {w}", "address": f"Road {w}", "country": "CN",
                                "lat": lat, "lon": lon})
            warehouses.append({"id": w, "code": f"W{w}", "name": f"Warehouse {w}",
                               "kind": "outlet" if shelf else "regional", "outlet_id": w if shelf else None,
                               "country": "DE" if abroad else "CN", "lat": lat, "lon": lon})
        conn.execute(insert(Outlet), outlets)
        conn.execute(insert(Warehouse), warehouses)
        conn.execute(insert(Part), [
            {"id": p, "part_number": f"BP{p:06d}", "brand_id": 1, "category": "phone", "kind": "screen",
             "name_zh": f"配件{p}", "name_en": f"Part {p}", "price": Decimal("100.00"), "currency": "CNY"}
            for p in range(1, N_PARTS + 1)
        ])
        # numpy draws the million quantities at once; a third of the rows are out of stock or fully held.
        gen = np.random.default_rng(SEED)
        on_hand = gen.integers(0, 20, size=N_PARTS * N_WAREHOUSES)
        reserved = np.minimum(on_hand, gen.integers(0, 4, size=on_hand.size))
        stock = Stock.__table__.insert()
        for start in range(0, N_PARTS, 250):
            chunk = [
                {"part_id": p, "warehouse_id": w, "on_hand": int(on_hand[i]), "reserved": int(reserved[i])}
                for p in range(start + 1, start + 251)
                for w in range(1, N_WAREHOUSES + 1)
                for i in ((p - 1) * N_WAREHOUSES + w - 1,)
            ]
            conn.execute(stock, chunk)
    with engine.begin() as conn:
        # Fresh statistics so the planner uses the (part_id, warehouse_id) index as production would.
        conn.execute(text("ANALYZE"))
        rows = conn.execute(select(func.count()).select_from(Stock)).scalar_one()
    engine.dispose()
    return {"stock_rows": float(rows), "load_s": round(time.perf_counter() - started, 2)}


def _percentiles(samples: list[float], prefix: str) -> dict[str, float]:
    arr = np.array(samples) * 1000.0
    return {f"{prefix}_p50_ms_1m": round(float(np.percentile(arr, 50)), 3),
            f"{prefix}_p99_ms_1m": round(float(np.percentile(arr, 99)), 3)}


async def _measure(db_url: str, n_queries: int, rng: random.Random) -> dict[str, float]:
    engine = create_async_db_engine(db_url)  # the service's own engine settings (a pool on SQLite too)
    try:
        service = PartsService(make_session_factory(engine))

        def near() -> Location:
            return Location(lat=rng.uniform(*CN_LAT), lon=rng.uniform(*CN_LON), country="CN")

        for _ in range(WARMUP):
            await service.availability(rng.randint(1, N_PARTS), near=near())
        near_samples, outlet_samples = [], []
        for _ in range(n_queries):
            part_id, point = rng.randint(1, N_PARTS), near()
            started = time.perf_counter()
            result = await service.availability(part_id, near=point)
            near_samples.append(time.perf_counter() - started)
            assert result.locations, "every part is stocked somewhere"
        for _ in range(n_queries):
            part_id, outlet_id = rng.randint(1, N_PARTS), rng.randint(1, N_OUTLET_SHELVES)
            started = time.perf_counter()
            await service.availability(part_id, outlet_id=outlet_id)
            outlet_samples.append(time.perf_counter() - started)
        return {**_percentiles(near_samples, "parts"), **_percentiles(outlet_samples, "parts_outlet")}
    finally:
        await engine.dispose()


def run_parts_bench(db_url: str | None = None, n_queries: int = 1000) -> dict[str, float]:
    """Load 1M stock rows (temporary SQLite unless `db_url`), then time `availability`; keys end in `_ms_1m`."""
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="parts-bench-") as tmp:
        url = db_url or f"sqlite:///{Path(tmp) / 'parts.db'}"
        loaded = _load(url, rng)
        measured = asyncio.run(_measure(url, n_queries, rng))
    return {**measured, **loaded, "queries": float(n_queries), "sqlite": float(is_sqlite(url))}


def main(argv: list[str] | None = None) -> None:
    """Command-line entry: run the benchmark and print its numbers as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db-url", default=None, help="an empty scratch database (default: temporary SQLite)")
    parser.add_argument("--queries", type=int, default=1000)
    args: Any = parser.parse_args(argv)
    print(json.dumps(run_parts_bench(args.db_url, args.queries), indent=2))


if __name__ == "__main__":
    main()
