"""Spare parts: catalogue look-up, availability near an outlet or customer, and stock reservations."""

from __future__ import annotations

import logging
from typing import Any, cast

from sqlalchemy import and_, exists, insert, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Part, PartReservation, ProductModel, Stock, part_compatibility
from bot.db.session import SessionFactory
from bot.domain.errors import (
    ConflictError,
    InsufficientStockError,
    NotFoundError,
    TicketNotFoundError,
    UnknownModelError,
    UnknownPartError,
    ValidationError,
)
from bot.geo.types import Location
from bot.services.parts.queries import FREE, PART_ID, PART_NUMBER, destination_of, stock_query
from bot.services.parts.ranking import rank_locations
from bot.services.parts.types import Availability, PartInfo, Reservation, StockLocation

log = logging.getLogger(__name__)

__all__ = ["Availability", "PartInfo", "PartsService", "Reservation", "StockLocation"]

#: Upper bound on `limit`: callers show a handful; more is a sign of a bug, not a need.
MAX_LOCATIONS = 100


def _to_reservation(row: Any, created: bool = False) -> Reservation:
    return Reservation(
        row.id, row.idempotency_key, row.ticket_id, row.part_id, row.warehouse_id, row.quantity, row.status, created
    )


class PartsService:
    """Parts use cases; every public method runs in its own session and transaction."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self._sessions = session_factory

    async def find_parts(
        self,
        brand_id: int | None = None,
        model_id: int | None = None,
        kind: str | None = None,
        text: str | None = None,
        limit: int = 50,
        category: str | None = None,
    ) -> list[PartInfo]:
        """Parts matching every given filter.

        The filters: a model's compatible parts, a product category (a phone's battery, never a laptop's), a kind, a
        part number or name text.
        """
        if brand_id is None and model_id is None and kind is None and not (text and text.strip()):
            raise ValidationError("give a brand, a model, a part kind or some text to search parts")
        # Columns, not entities: loading Part would also select-in every compatible model we do not need.
        columns = (Part.id, Part.part_number, Part.name_zh, Part.name_en, Part.kind, Part.category, Part.price)
        query = select(*columns, Part.currency).order_by(Part.kind, Part.part_number).limit(max(1, min(limit, 200)))
        if brand_id is not None:
            query = query.where(Part.brand_id == brand_id)
        if model_id is not None:
            query = query.where(
                exists().where(and_(part_compatibility.c.part_id == Part.id, part_compatibility.c.model_id == model_id))
            )
        if category is not None:
            query = query.where(Part.category == category)
        if kind is not None:
            query = query.where(Part.kind == kind.strip().lower())
        if text and text.strip():
            pattern = f"%{_escape_like(text.strip())}%"
            query = query.where(
                or_(*(column.ilike(pattern, escape="\\") for column in (Part.part_number, Part.name_en, Part.name_zh)))
            )
        async with self._sessions() as session, session.begin():
            parts = (await session.execute(query)).all()
            if not parts and model_id is not None:
                # An empty answer must say whether the model is unknown or merely has no matching part.
                if (await session.execute(select(ProductModel.id).where(ProductModel.id == model_id))).first() is None:
                    raise UnknownModelError(f"no product model with id {model_id}")
        return [PartInfo(**row._mapping) for row in parts]

    async def availability(
        self,
        part_id_or_number: int | str,
        near: Location | None = None,
        outlet_id: int | None = None,
        limit: int = 5,
    ) -> Availability:
        """Free stock of a part (an int is its id, a str its number) and the `limit` best locations.

        Locations are ranked for the outlet when given (its own shelf counts as 0 days), else for `near`;
        with neither, only the total is returned.
        """
        if not 0 <= limit <= MAX_LOCATIONS:
            raise ValidationError(f"limit must be between 0 and {MAX_LOCATIONS}")
        async with self._sessions() as session, session.begin():
            return await self._availability(session, part_id_or_number, near, outlet_id, limit, 1)

    async def reserve(
        self, part_id: int, warehouse_id: int, quantity: int, idempotency_key: str, ticket_id: int | None = None
    ) -> Reservation:
        """Hold `quantity` units in one warehouse; repeating the same key returns the first reservation."""
        if quantity <= 0:
            raise ValidationError("quantity must be positive")
        if not idempotency_key or len(idempotency_key) > 128:
            raise ValidationError("idempotency key must be 1..128 characters")
        existing = await self._by_key(idempotency_key)
        if existing is not None:
            return _check_replay(existing, part_id, warehouse_id, quantity)
        try:
            async with self._sessions() as session, session.begin():
                # One conditional UPDATE is the whole concurrency story: the database checks and increments
                # atomically, so concurrent callers can never reserve more than is on hand.
                result = await _write(
                    session,
                    update(Stock)
                    .where(
                        Stock.part_id == part_id,
                        Stock.warehouse_id == warehouse_id,
                        Stock.on_hand - Stock.reserved >= quantity,
                    )
                    .values(reserved=Stock.reserved + quantity)
                    .execution_options(synchronize_session=False),
                )
                if result.rowcount != 1:
                    replay = await self._explain_no_stock(session, part_id, warehouse_id, quantity, idempotency_key)
                    return _check_replay(replay, part_id, warehouse_id, quantity)
                inserted = await _write(
                    session,
                    insert(PartReservation.__table__).values(
                        idempotency_key=idempotency_key,
                        ticket_id=ticket_id,
                        part_id=part_id,
                        warehouse_id=warehouse_id,
                        quantity=quantity,
                        status="reserved",
                    ),
                )
                reservation_id = inserted.inserted_primary_key[0]
        except IntegrityError as exc:
            # A racing retry with the same key committed first; our stock increment was rolled back with it.
            existing = await self._by_key(idempotency_key)
            if existing is None:
                # The stock row matched, so part and warehouse exist: the ticket reference is what failed.
                if ticket_id is not None:
                    raise TicketNotFoundError(f"no ticket with id {ticket_id}") from exc
                raise
            log.info("parts.reserve.replayed_race reservation_id=%s", existing.id)
            return _check_replay(existing, part_id, warehouse_id, quantity)
        log.info(
            "parts.reserve.created reservation_id=%s part_id=%s warehouse_id=%s quantity=%s",
            reservation_id, part_id, warehouse_id, quantity,
        )
        return Reservation(
            reservation_id, idempotency_key, ticket_id, part_id, warehouse_id, quantity, "reserved", created=True
        )

    async def reserve_nearest(
        self,
        part_id: int,
        quantity: int,
        *,
        idempotency_key: str,
        near: Location | None = None,
        outlet_id: int | None = None,
        ticket_id: int | None = None,
        max_attempts: int = 10,
    ) -> Reservation:
        """Reserve at the soonest location that has `quantity` free, trying the next one when a race is lost."""
        if near is None and outlet_id is None:
            raise ValidationError("reserve_nearest needs a customer location or an outlet")
        if quantity <= 0:
            raise ValidationError("quantity must be positive")
        existing = await self._by_key(idempotency_key)
        if existing is not None:
            return _check_replay(existing, part_id, None, quantity)
        async with self._sessions() as session, session.begin():
            ranked = await self._availability(session, part_id, near, outlet_id, max_attempts, quantity)
        for location in ranked.locations:
            try:
                return await self.reserve(part_id, location.warehouse_id, quantity, idempotency_key, ticket_id)
            except InsufficientStockError:
                log.info("parts.reserve_nearest.lost_race part_id=%s warehouse_id=%s", part_id, location.warehouse_id)
        raise InsufficientStockError(f"no location has {quantity} unreserved unit(s) of part {part_id}")

    async def release(self, reservation_id: int) -> Reservation:
        """Give reserved units back to free stock; releasing twice is a no-op, releasing consumed parts is not."""
        return await self._finish(reservation_id, "released")

    async def consume(self, reservation_id: int) -> Reservation:
        """Take reserved units out of stock (fitted to a device); consuming twice is a no-op."""
        return await self._finish(reservation_id, "consumed")

    async def _finish(self, reservation_id: int, target: str) -> Reservation:
        async with self._sessions() as session, session.begin():
            # Flip the status only from "reserved": of two racing calls exactly one wins and moves the stock.
            flipped = await _write(
                session,
                update(PartReservation)
                .where(PartReservation.id == reservation_id, PartReservation.status == "reserved")
                .values(status=target)
                .execution_options(synchronize_session=False),
            )
            row = (
                await session.execute(select(PartReservation.__table__).where(PartReservation.id == reservation_id))
            ).one_or_none()
            if row is None:
                raise NotFoundError(f"no part reservation with id {reservation_id}")
            if flipped.rowcount != 1:
                if row.status == target:
                    return _to_reservation(row)
                raise ConflictError(f"reservation {reservation_id} is already {row.status}")
            values: dict[str, Any] = {"reserved": Stock.reserved - row.quantity}
            if target == "consumed":
                values["on_hand"] = Stock.on_hand - row.quantity
            await session.execute(
                update(Stock)
                .where(Stock.part_id == row.part_id, Stock.warehouse_id == row.warehouse_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        log.info("parts.reservation.%s reservation_id=%s", target, reservation_id)
        return _to_reservation(row)

    async def _by_key(self, idempotency_key: str) -> Reservation | None:
        async with self._sessions() as session, session.begin():
            row = (
                await session.execute(
                    select(PartReservation.__table__).where(PartReservation.idempotency_key == idempotency_key)
                )
            ).one_or_none()
        return None if row is None else _to_reservation(row)

    async def _explain_no_stock(
        self, session: AsyncSession, part_id: int, warehouse_id: int, quantity: int, idempotency_key: str
    ) -> Reservation:
        # The UPDATE matched nothing. A retry that raced us may have reserved the last units under our key:
        # that is a success for the caller, so look before blaming the stock.
        row = (
            await session.execute(
                select(PartReservation.__table__).where(PartReservation.idempotency_key == idempotency_key)
            )
        ).one_or_none()
        if row is not None:
            return _to_reservation(row)
        if (await session.execute(select(Part.id).where(Part.id == part_id))).first() is None:
            raise UnknownPartError(f"no part with id {part_id}")
        log.info("parts.reserve.insufficient part_id=%s warehouse_id=%s quantity=%s", part_id, warehouse_id, quantity)
        raise InsufficientStockError(f"fewer than {quantity} unreserved unit(s) in warehouse {warehouse_id}")

    async def _availability(
        self,
        session: AsyncSession,
        part_id_or_number: int | str,
        near: Location | None,
        outlet_id: int | None,
        limit: int,
        min_quantity: int,
    ) -> Availability:
        by_number = isinstance(part_id_or_number, str)
        key = part_id_or_number.strip() if isinstance(part_id_or_number, str) else part_id_or_number
        rows = (await session.execute(stock_query(by_number), {"part": key, "outlet": outlet_id})).all()
        if not rows:
            raise UnknownPartError(f"no part {part_id_or_number!r} in the catalogue")
        first = rows[0]
        destination = destination_of(first, near, outlet_id)
        stocked = [r for r in rows if r[0] is not None]  # the left join yields one all-NULL row when none
        total = sum(r[FREE] for r in stocked)
        locations = () if destination is None else rank_locations(stocked, destination, limit, min_quantity)
        return Availability(first[PART_ID], first[PART_NUMBER], total, locations)


async def _write(session: AsyncSession, statement: Any) -> CursorResult:
    # INSERT/UPDATE results are cursor results (rowcount, inserted_primary_key); the stubs only say Result.
    return cast(CursorResult, await session.execute(statement))


def _check_replay(existing: Reservation, part_id: int, warehouse_id: int | None, quantity: int) -> Reservation:
    # Reusing a key for a different request is a client bug; silently returning the old one would hide it.
    if existing.part_id != part_id or existing.quantity != quantity or (
        warehouse_id is not None and existing.warehouse_id != warehouse_id
    ):
        raise ConflictError("idempotency key already used for a different reservation")
    log.info("parts.reserve.replayed reservation_id=%s", existing.id)
    return existing


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
