"""No oversell and no double reservation under real concurrency, on a real PostgreSQL database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.db.models import PartReservation, Stock
from bot.db.session import create_async_db_engine, make_session_factory
from bot.domain.errors import InsufficientStockError
from bot.services.parts.service import PartsService, Reservation
from tests.factories import make_part, make_stock, make_warehouse

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pg_sessions(pg_db_url: str) -> AsyncIterator:  # type: ignore[type-arg]
    # Pool large enough that all 50 callers really hold their own connection at once.
    engine = create_async_db_engine(pg_db_url, pool_size=50, max_overflow=10)
    yield make_session_factory(engine)
    await engine.dispose()


async def _stocked_part(sessions, on_hand: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    async with sessions() as s, s.begin():
        part = await make_part(s)
        warehouse = await make_warehouse(s, 31.23, 121.47)
        await make_stock(s, part, warehouse, on_hand=on_hand)
        return part.id, warehouse.id


async def test_fifty_concurrent_reservations_of_ten_units(pg_sessions) -> None:  # type: ignore[no-untyped-def]
    part_id, warehouse_id = await _stocked_part(pg_sessions, on_hand=10)
    # One service (and so one session) per caller, as separate action-server requests would have.
    services = [PartsService(pg_sessions) for _ in range(50)]
    results = await asyncio.gather(
        *(svc.reserve(part_id, warehouse_id, 1, f"req-{i}") for i, svc in enumerate(services)),
        return_exceptions=True,
    )
    reserved = [r for r in results if isinstance(r, Reservation)]
    refused = [r for r in results if isinstance(r, InsufficientStockError)]
    assert len(reserved) == 10 and len(refused) == 40, [r for r in results if isinstance(r, Exception)][:3]
    assert len({r.id for r in reserved}) == 10
    async with pg_sessions() as s:
        stock = (await s.execute(select(Stock.on_hand, Stock.reserved).where(Stock.part_id == part_id))).one()
        rows = (await s.execute(select(func.count()).select_from(PartReservation))).scalar_one()
    assert (stock.on_hand, stock.reserved) == (10, 10)
    assert rows == 10


async def test_racing_retries_with_one_key_reserve_once(pg_sessions) -> None:  # type: ignore[no-untyped-def]
    part_id, warehouse_id = await _stocked_part(pg_sessions, on_hand=10)
    results = await asyncio.gather(
        *(PartsService(pg_sessions).reserve(part_id, warehouse_id, 2, "same-key") for _ in range(20))
    )
    assert len({r.id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    async with pg_sessions() as s:
        reserved = (await s.execute(select(Stock.reserved).where(Stock.part_id == part_id))).scalar_one()
    assert reserved == 2


async def test_concurrent_release_moves_stock_once(pg_sessions) -> None:  # type: ignore[no-untyped-def]
    part_id, warehouse_id = await _stocked_part(pg_sessions, on_hand=5)
    reservation = await PartsService(pg_sessions).reserve(part_id, warehouse_id, 3, "to-release")
    await asyncio.gather(*(PartsService(pg_sessions).release(reservation.id) for _ in range(10)))
    async with pg_sessions() as s:
        reserved = (await s.execute(select(Stock.reserved).where(Stock.part_id == part_id))).scalar_one()
    assert reserved == 0
