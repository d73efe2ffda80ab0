"""PartsService on a throwaway SQLite: catalogue search, availability ranking, reservations."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pytest
from sqlalchemy import func, select

from bot.db.models import PartReservation, Stock
from bot.domain.errors import (
    ConflictError,
    InsufficientStockError,
    NotFoundError,
    TicketNotFoundError,
    UnknownModelError,
    UnknownPartError,
    ValidationError,
)
from bot.domain.parts_eta import eta_days, eta_days_many
from bot.geo.types import Location
from bot.services.parts.service import PartsService
from tests.factories import make_brand, make_model, make_outlet, make_part, make_stock, make_warehouse

SHANGHAI = (31.2304, 121.4737)
SUZHOU = (31.2989, 120.5853)  # ~85 km from Shanghai
NANJING = (32.0603, 118.7969)  # ~270 km
BEIJING = (39.9042, 116.4074)  # ~1070 km
URUMQI = (43.8256, 87.6168)  # ~3270 km
SEOUL = (37.5665, 126.9780)  # ~870 km, abroad


@dataclass
class World:
    """Ids of the test data: one brand, two models, three parts, warehouses around Shanghai."""

    model_id: int
    other_model_id: int
    screen_id: int
    battery_id: int
    unstocked_id: int
    outlet_id: int
    wh: dict[str, int]


@pytest.fixture
async def world(session_factory) -> World:  # type: ignore[no-untyped-def]
    async with session_factory() as s, s.begin():
        brand = await make_brand(s)
        model = await make_model(s, brand, code="X1")
        other = await make_model(s, brand, code="X2")
        screen = await make_part(s, brand, [model], part_number="SCR-X1", kind="screen", name_en="X1 OLED screen",
                                 name_zh="X1 屏幕总成", price=Decimal("899.00"))
        battery = await make_part(s, brand, [model, other], part_number="BAT-X", kind="battery",
                                  name_en="Battery 5000mAh", name_zh="电池")
        unstocked = await make_part(s, brand, [other], part_number="CAM-X2", kind="camera")
        outlet = await make_outlet(s, *SHANGHAI)
        wh = {
            "shelf": await make_warehouse(s, *SHANGHAI, outlet=outlet),
            "suzhou": await make_warehouse(s, *SUZHOU),
            "nanjing": await make_warehouse(s, *NANJING),
            "beijing": await make_warehouse(s, *BEIJING),
            "urumqi": await make_warehouse(s, *URUMQI),
            "seoul": await make_warehouse(s, *SEOUL, country="KR"),
        }
        for name, qty in {"suzhou": 1, "nanjing": 4, "beijing": 9, "urumqi": 20, "seoul": 50}.items():
            await make_stock(s, screen, wh[name], on_hand=qty)
        await make_stock(s, screen, wh["shelf"], on_hand=3, reserved=3)  # all held: must not be offered
        await make_stock(s, battery, wh["shelf"], on_hand=2)
        await make_stock(s, battery, wh["beijing"], on_hand=5, reserved=1)
        return World(model.id, other.id, screen.id, battery.id, unstocked.id, outlet.id,
                     {name: w.id for name, w in wh.items()})


async def stock_of(session_factory, part_id: int, warehouse_id: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    async with session_factory() as s:
        row = (await s.execute(select(Stock.on_hand, Stock.reserved).where(
            Stock.part_id == part_id, Stock.warehouse_id == warehouse_id))).one()
        return row.on_hand, row.reserved


async def reservation_count(session_factory) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as s:
        return (await s.execute(select(func.count()).select_from(PartReservation))).scalar_one()


@pytest.mark.parametrize(
    ("distance", "same", "cross", "days"),
    [(0.0, True, False, 0), (0.0, False, False, 1), (49.9, False, False, 1), (50.0, False, False, 2),
     (499.0, False, False, 2), (500.0, False, False, 3), (1499.9, False, False, 3), (1500.0, False, False, 5),
     (8000.0, False, False, 5), (30.0, False, True, 8), (3000.0, False, True, 12)],
)
def test_eta_days_bands(distance: float, same: bool, cross: bool, days: int) -> None:
    assert eta_days(distance, same_warehouse=same, cross_border=cross) == days


def test_eta_rejects_negative_or_nan_distance() -> None:
    with pytest.raises(ValidationError):
        eta_days(-1.0)
    with pytest.raises(ValidationError):
        eta_days(float("nan"))
    with pytest.raises(ValidationError):
        eta_days_many(np.array([1.0, float("nan")]), np.zeros(2, bool), np.zeros(2, bool))


def test_vectorised_eta_matches_the_scalar_rule() -> None:
    rng = np.random.default_rng(3)
    edges = np.array([0.0, 49.999, 50.0, 50.001, 499.9, 500.0, 1499.99, 1500.0, 20_000.0])
    distances = np.concatenate([edges, rng.uniform(0, 5000, 500)])
    same = rng.random(distances.size) < 0.2
    cross = rng.random(distances.size) < 0.3
    expected = [eta_days(float(d), same_warehouse=bool(s), cross_border=bool(c))
                for d, s, c in zip(distances, same, cross, strict=True)]
    assert eta_days_many(distances, same, cross).tolist() == expected


async def test_find_parts_for_a_model_and_kind(session_factory, world: World) -> None:  # type: ignore[no-untyped-def]
    service = PartsService(session_factory)
    needed = await service.find_parts(model_id=world.model_id)
    assert [p.part_number for p in needed] == ["BAT-X", "SCR-X1"]  # ordered by kind, then number
    screens = await service.find_parts(model_id=world.model_id, kind="Screen")
    assert [(p.part_number, p.price, p.currency, p.name_zh) for p in screens] == [
        ("SCR-X1", Decimal("899.00"), "CNY", "X1 屏幕总成")
    ]
    assert await service.find_parts(model_id=world.other_model_id, kind="screen") == []


async def test_find_parts_by_text(session_factory, world: World) -> None:  # type: ignore[no-untyped-def]
    service = PartsService(session_factory)
    assert [p.id for p in await service.find_parts(text="oled")] == [world.screen_id]
    assert [p.id for p in await service.find_parts(text="屏幕")] == [world.screen_id]
    assert [p.id for p in await service.find_parts(text="cam-x2")] == [world.unstocked_id]
    assert await service.find_parts(text="100%") == []  # LIKE wildcards are literal


async def test_find_parts_errors(session_factory, world: World) -> None:  # type: ignore[no-untyped-def]
    service = PartsService(session_factory)
    with pytest.raises(UnknownModelError):
        await service.find_parts(model_id=999_999)
    with pytest.raises(ValidationError):
        await service.find_parts(text="  ")


async def test_availability_ranks_soonest_then_nearest(session_factory, world: World) -> None:  # type: ignore[no-untyped-def]
    result = await PartsService(session_factory).availability(world.screen_id, outlet_id=world.outlet_id, limit=10)
    assert result.part_number == "SCR-X1"
    assert result.total_available == 1 + 4 + 9 + 20 + 50  # the fully reserved shelf adds nothing
    ids = [loc.warehouse_id for loc in result.locations]
    assert ids == [world.wh[n] for n in ("suzhou", "nanjing", "beijing", "urumqi", "seoul")]
    assert [loc.eta_days for loc in result.locations] == [2, 2, 3, 5, 10]
    assert [loc.available for loc in result.locations] == [1, 4, 9, 20, 50]
    assert result.locations[0].distance_km == pytest.approx(84.5, abs=2)
    assert result.locations[2].distance_km == pytest.approx(1067, abs=10)
    assert result.locations[4].country == "KR" and result.locations[4].kind == "regional"
    top3 = await PartsService(session_factory).availability("SCR-X1", outlet_id=world.outlet_id, limit=3)
    assert [loc.warehouse_id for loc in top3.locations] == ids[:3]  # partial sort keeps the same order
    assert top3.total_available == result.total_available  # the limit cuts the list, not the total


async def test_availability_outlet_shelf_first_and_limit(session_factory, world: World) -> None:  # type: ignore[no-untyped-def]
    service = PartsService(session_factory)
    result = await service.availability("BAT-X", outlet_id=world.outlet_id, limit=1)
    assert result.total_available == 2 + 4
    (first,) = result.locations
    assert (first.warehouse_id, first.kind, first.outlet_id, first.eta_days) == (
        world.wh["shelf"], "outlet", world.outlet_id, 0
    )


async def test_availability_near_customer_and_no_destination(session_factory, world: World) -> None:  # type: ignore[no-untyped-def]
    service = PartsService(session_factory)
    beijing = Location(lat=39.95, lon=116.35, country="CN")
    near = await service.availability(world.battery_id, near=beijing)
    assert [loc.warehouse_id for loc in near.locations] == [world.wh["beijing"], world.wh["shelf"]]
    assert [loc.eta_days for loc in near.locations] == [1, 3]  # the shelf is not "here" for a customer
    nowhere = await service.availability(world.battery_id)
    assert nowhere.total_available == 6 and nowhere.locations == ()


async def test_availability_unknown_part_and_unstocked_part(session_factory, world: World) -> None:  # type: ignore[no-untyped-def]
    service = PartsService(session_factory)
    with pytest.raises(UnknownPartError):
        await service.availability(999_999)
    with pytest.raises(UnknownPartError):
        await service.availability("NO-SUCH-PART")
    with pytest.raises(NotFoundError):
        await service.availability(world.screen_id, outlet_id=999_999)
    empty = await service.availability("CAM-X2", outlet_id=world.outlet_id)
    assert (empty.part_id, empty.total_available, empty.locations) == (world.unstocked_id, 0, ())


async def test_reserve_release_consume(session_factory, world: World) -> None:  # type: ignore[no-untyped-def]
    service = PartsService(session_factory)
    nanjing = world.wh["nanjing"]
    first = await service.reserve(world.screen_id, nanjing, 2, "key-1", ticket_id=None)
    assert (first.status, first.quantity, first.created) == ("reserved", 2, True)
    assert await stock_of(session_factory, world.screen_id, nanjing) == (4, 2)

    released = await service.release(first.id)
    assert released.status == "released"
    assert await stock_of(session_factory, world.screen_id, nanjing) == (4, 0)
    assert (await service.release(first.id)).status == "released"  # idempotent
    assert await stock_of(session_factory, world.screen_id, nanjing) == (4, 0)
    with pytest.raises(ConflictError):
        await service.consume(first.id)

    second = await service.reserve(world.screen_id, nanjing, 3, "key-2")
    consumed = await service.consume(second.id)
    assert consumed.status == "consumed"
    assert await stock_of(session_factory, world.screen_id, nanjing) == (1, 0)
    assert (await service.consume(second.id)).status == "consumed"  # idempotent
    assert await stock_of(session_factory, world.screen_id, nanjing) == (1, 0)
    with pytest.raises(ConflictError):
        await service.release(second.id)
    with pytest.raises(NotFoundError):
        await service.release(999_999)


async def test_reserve_same_key_returns_the_first_reservation(session_factory, world: World) -> None:  # type: ignore[no-untyped-def]
    service = PartsService(session_factory)
    beijing = world.wh["beijing"]
    first = await service.reserve(world.screen_id, beijing, 2, "retry-me")
    again = await service.reserve(world.screen_id, beijing, 2, "retry-me")
    assert again.id == first.id and again.created is False
    assert await stock_of(session_factory, world.screen_id, beijing) == (9, 2)
    assert await reservation_count(session_factory) == 1
    with pytest.raises(ConflictError):  # same key, different request
        await service.reserve(world.screen_id, beijing, 3, "retry-me")


async def test_reserve_insufficient_stock_writes_nothing(session_factory, world: World) -> None:  # type: ignore[no-untyped-def]
    service = PartsService(session_factory)
    with pytest.raises(InsufficientStockError):
        await service.reserve(world.screen_id, world.wh["suzhou"], 2, "too-many")
    with pytest.raises(InsufficientStockError):  # everything on the shelf is already held
        await service.reserve(world.screen_id, world.wh["shelf"], 1, "held")
    with pytest.raises(InsufficientStockError):  # no stock row at all
        await service.reserve(world.unstocked_id, world.wh["suzhou"], 1, "none")
    with pytest.raises(UnknownPartError):
        await service.reserve(999_999, world.wh["suzhou"], 1, "ghost")
    with pytest.raises(ValidationError):
        await service.reserve(world.screen_id, world.wh["suzhou"], 0, "zero")
    assert await stock_of(session_factory, world.screen_id, world.wh["suzhou"]) == (1, 0)
    assert await stock_of(session_factory, world.screen_id, world.wh["shelf"]) == (3, 3)
    assert await reservation_count(session_factory) == 0


async def test_reserve_rolls_back_stock_when_the_reservation_insert_fails(session_factory, world: World) -> None:  # type: ignore[no-untyped-def]
    service = PartsService(session_factory)
    with pytest.raises(TicketNotFoundError):  # the unknown ticket violates a foreign key
        await service.reserve(world.screen_id, world.wh["nanjing"], 1, "bad-ticket", ticket_id=424242)
    assert await stock_of(session_factory, world.screen_id, world.wh["nanjing"]) == (4, 0)
    assert await reservation_count(session_factory) == 0


async def test_reserve_nearest_skips_locations_that_lack_the_quantity(session_factory, world: World) -> None:  # type: ignore[no-untyped-def]
    service = PartsService(session_factory)
    got = await service.reserve_nearest(world.screen_id, 5, outlet_id=world.outlet_id, idempotency_key="n-1")
    assert got.warehouse_id == world.wh["beijing"]  # Suzhou has 1, Nanjing 4: Beijing is the first with 5
    again = await service.reserve_nearest(world.screen_id, 5, outlet_id=world.outlet_id, idempotency_key="n-1")
    assert again.id == got.id
    assert await stock_of(session_factory, world.screen_id, world.wh["beijing"]) == (9, 5)
    with pytest.raises(InsufficientStockError):
        await service.reserve_nearest(world.screen_id, 51, outlet_id=world.outlet_id, idempotency_key="n-2")
    with pytest.raises(ValidationError):
        await service.reserve_nearest(world.screen_id, 1, idempotency_key="n-3")
