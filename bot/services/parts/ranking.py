"""Ranking of stock locations for a destination: distance, ETA, soonest first. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from bot.domain.parts_eta import eta_days_many
from bot.geo.haversine import haversine_km_many
from bot.services.parts.types import Destination, StockLocation

#: The columns, in order, of each row `rank_locations` receives.
ROW_FIELDS = ("warehouse_id", "code", "name", "kind", "outlet_id", "country", "lat", "lon", "free")
_WID, _CODE, _NAME, _KIND, _OUTLET, _COUNTRY, _LAT, _LON, _FREE = range(len(ROW_FIELDS))


def rank_locations(
    rows: Sequence[Sequence[Any]], dest: Destination, limit: int, min_quantity: int = 1
) -> tuple[StockLocation, ...]:
    """The `limit` best of `rows` (tuples of ROW_FIELDS) for `dest`: soonest ETA first, then nearest."""
    # Soonest first, then nearest: a warehouse 30 km away across a border (8 days) loses to a domestic one
    # 600 km away (3 days), and the outlet's own shelf (0 days) always comes first.
    rows = [r for r in rows if r[_FREE] >= min_quantity]
    if not rows or limit <= 0:
        return ()
    # Column arrays and vectorised maths: a popular part sits in hundreds of warehouses, ranked per request.
    columns = list(zip(*rows, strict=True))
    distances = haversine_km_many(
        dest.lat, dest.lon, np.array(columns[_LAT], dtype=float), np.array(columns[_LON], dtype=float)
    )
    same = np.array([o is not None and o == dest.outlet_id for o in columns[_OUTLET]], dtype=bool)
    abroad = np.array([c != dest.country for c in columns[_COUNTRY]], dtype=bool)
    etas = eta_days_many(distances, same, abroad)
    if limit < len(rows):
        # Only the best `limit` need sorting; the key packs (eta, distance) since distances stay < 20,040 km.
        key = etas * 100_000.0 + distances
        best = np.argpartition(key, limit - 1)[:limit]
        order = best[np.argsort(key[best], kind="stable")]
    else:
        order = np.lexsort((distances, etas))
    return tuple(
        StockLocation(
            warehouse_id=rows[i][_WID],
            warehouse_code=rows[i][_CODE],
            warehouse_name=rows[i][_NAME],
            kind=rows[i][_KIND],
            outlet_id=rows[i][_OUTLET],
            country=rows[i][_COUNTRY],
            available=int(rows[i][_FREE]),
            distance_km=round(float(distances[i]), 2),
            eta_days=int(etas[i]),
        )
        for i in order.tolist()
    )
