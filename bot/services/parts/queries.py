"""The availability query of the parts service: one statement, one round trip. Never commits."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.sql import Select

from bot.db.models import Outlet, Part, Stock, Warehouse
from bot.domain.errors import NotFoundError
from bot.geo.types import Location
from bot.services.parts.ranking import ROW_FIELDS
from bot.services.parts.types import Destination

#: Positions in a `stock_query` row: ROW_FIELDS first (what ranking reads), then these.
FREE = len(ROW_FIELDS) - 1
PART_ID, PART_NUMBER, _OUTLET_LAT, _OUTLET_LON, _OUTLET_COUNTRY = range(len(ROW_FIELDS), len(ROW_FIELDS) + 5)


def destination_of(row: Any, near: Location | None, outlet_id: int | None) -> Destination | None:
    """Where the part must go, from a `stock_query` row; `NotFoundError` for an unknown outlet."""
    # Parts go to the outlet that will fit them, so the outlet wins over the customer's own location.
    if outlet_id is not None:
        if row[_OUTLET_LAT] is None:
            raise NotFoundError(f"no outlet with id {outlet_id}")
        return Destination(row[_OUTLET_LAT], row[_OUTLET_LON], row[_OUTLET_COUNTRY], outlet_id)
    if near is not None:
        return Destination(near.lat, near.lon, near.country, None)
    return None


@functools.lru_cache(maxsize=2)
def stock_query(by_number: bool) -> Select:
    """The availability statement; binds `part` (id, or number when `by_number`) and `outlet` (id or None)."""
    # Built once: constructing the statement costs more than running it. Core table columns, not ORM
    # attributes, so rows skip the ORM loading machinery. One round trip (each costs a thread hop with
    # aiosqlite): the part (so an unknown part is told apart from an out-of-stock one) left-joined to its
    # stock rows with free units, plus the outlet's coordinates (NULL when no or an unknown outlet).
    # The (part_id, warehouse_id) unique index serves the join, so only this part's rows are read.
    parts, stock, wh, outlets = Part.__table__, Stock.__table__, Warehouse.__table__, Outlet.__table__
    outlet = [
        select(column).where(outlets.c.id == bindparam("outlet")).scalar_subquery().label(f"outlet_{column.name}")
        for column in (outlets.c.lat, outlets.c.lon, outlets.c.country)
    ]
    free = stock.c.on_hand - stock.c.reserved
    columns = (wh.c.id, wh.c.code, wh.c.name, wh.c.kind, wh.c.outlet_id, wh.c.country, wh.c.lat, wh.c.lon)
    return (
        select(*columns, free.label("free"), parts.c.id.label("part_id"), parts.c.part_number, *outlet)
        .select_from(
            parts.outerjoin(stock, and_(stock.c.part_id == parts.c.id, free > 0)).outerjoin(
                wh, wh.c.id == stock.c.warehouse_id
            )
        )
        .where((parts.c.part_number if by_number else parts.c.id) == bindparam("part"))
    )
