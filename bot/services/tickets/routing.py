"""Routing: the nearest authorised outlets for a brand × category × service type, from an in-memory index."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Authorisation, Outlet, Ticket
from bot.db.session import SessionFactory
from bot.domain.catalogue import ProductCategory
from bot.domain.lifecycle import OPEN_STATUSES
from bot.domain.taxonomy import ServiceType
from bot.geo.spatial_index import AuthorisationRecord, OutletRecord, RoutingIndex
from bot.geo.types import Location, RouteCandidate

logger = logging.getLogger(__name__)

#: (max(outlets.updated_at), count(outlets), count(authorisations), max(authorisations.id)): changes when an
#: outlet is added, removed or edited through the ORM, or an authorisation is added or removed.
OutletSignature = tuple[Any, int, int, int]


async def load_outlet_records(
    session_factory: SessionFactory,
) -> tuple[list[OutletRecord], dict[int, int], OutletSignature]:
    """Every outlet with its authorisations, the open-ticket count per outlet, and the outlets' signature."""
    async with session_factory() as session:
        # Read the signature first: a change racing with the load then shows up as stale on the next check.
        signature = await _signature(session)
        outlet_rows = (
            await session.execute(
                select(
                    Outlet.id, Outlet.code, Outlet.name_zh, Outlet.name_en, Outlet.address, Outlet.phone,
                    Outlet.opening_hours, Outlet.lat, Outlet.lon, Outlet.country, Outlet.service_radius_km,
                    Outlet.daily_capacity, Outlet.active, Outlet.is_mail_in_hub, Outlet.updated_at,
                ).order_by(Outlet.id)
            )
        ).all()
        auth_rows = (
            await session.execute(
                select(
                    Authorisation.outlet_id, Authorisation.brand_id, Authorisation.category,
                    Authorisation.service_type, Authorisation.valid_from, Authorisation.valid_to,
                ).order_by(Authorisation.outlet_id, Authorisation.id)
            )
        ).all()
        load_rows = (
            await session.execute(
                select(Ticket.assigned_outlet_id, func.count(Ticket.id))
                .where(
                    Ticket.assigned_outlet_id.is_not(None),
                    Ticket.status.in_([status.value for status in OPEN_STATUSES]),
                )
                .group_by(Ticket.assigned_outlet_id)
            )
        ).all()
    auths: dict[int, list[AuthorisationRecord]] = {}
    for outlet_id, brand_id, category, service_type, valid_from, valid_to in auth_rows:
        auths.setdefault(outlet_id, []).append(
            AuthorisationRecord(brand_id, category, service_type, valid_from, valid_to)
        )
    records = [
        OutletRecord(
            outlet_id=row.id, code=row.code, name_zh=row.name_zh, name_en=row.name_en, address=row.address,
            phone=row.phone, opening_hours=row.opening_hours, lat=row.lat, lon=row.lon, country=row.country,
            service_radius_km=row.service_radius_km, daily_capacity=row.daily_capacity, active=row.active,
            is_mail_in_hub=row.is_mail_in_hub, authorisations=tuple(auths.get(row.id, ())),
        )
        for row in outlet_rows
    ]
    loads = {int(outlet_id): int(count) for outlet_id, count in load_rows}
    return records, loads, signature


async def _signature(session: AsyncSession) -> OutletSignature:
    latest, outlets = (await session.execute(select(func.max(Outlet.updated_at), func.count(Outlet.id)))).one()
    auths, last_auth = (
        await session.execute(select(func.count(Authorisation.id), func.max(Authorisation.id)))
    ).one()
    return _comparable(latest), int(outlets), int(auths), int(last_auth or 0)


async def _outlet_signature(session_factory: SessionFactory) -> OutletSignature:
    async with session_factory() as session:
        return await _signature(session)


def _comparable(value: Any) -> Any:
    # Drivers differ in what max(updated_at) comes back as (text or datetime): compare ISO strings.
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    return value


class RoutingService:
    """Finds outlets for a request; keeps an in-memory index that follows the outlets table."""

    def __init__(
        self,
        session_factory: SessionFactory,
        refresh_interval_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._session_factory = session_factory
        self._refresh_interval_s = refresh_interval_s
        self._clock = clock
        self._today = today
        self._index = RoutingIndex()
        self._signature: OutletSignature | None = None
        self._checked_at: float | None = None
        self._lock = asyncio.Lock()

    @property
    def index(self) -> RoutingIndex:
        """The live index (for diagnostics and benchmarks)."""
        return self._index

    async def load(self) -> None:
        """(Re)build the index from the database: outlets, authorisations and open-ticket counts."""
        started = time.perf_counter()
        records, loads, signature = await load_outlet_records(self._session_factory)
        index = RoutingIndex(records, loads)
        index.build_all()
        # Swap in one assignment so that concurrent queries see either the old index or the new one.
        self._index, self._signature, self._checked_at = index, signature, self._clock()
        logger.info(
            "routing.index_loaded outlets=%d seconds=%.3f", len(records), time.perf_counter() - started
        )

    async def refresh_if_stale(self) -> bool:
        """Reload when the outlets table changed, checking at most every `refresh_interval_s`; True if reloaded."""
        now = self._clock()
        if self._checked_at is not None and now - self._checked_at < self._refresh_interval_s:
            return False
        async with self._lock:
            if self._signature is None:
                await self.load()
                return True
            if self._checked_at is not None and self._clock() - self._checked_at < self._refresh_interval_s:
                return False  # another task checked while this one waited for the lock
            self._checked_at = self._clock()
            try:
                if await _outlet_signature(self._session_factory) == self._signature:
                    return False
                logger.info("routing.outlets_changed")
                await self.load()
            except SQLAlchemyError:
                # Routing on a slightly stale index beats failing the customer; retry after the interval.
                logger.warning("routing.refresh_failed", exc_info=True)
                return False
            return True

    async def nearest(
        self,
        brand_id: int,
        category: ProductCategory,
        service_type: ServiceType,
        location: Location,
        k: int = 3,
        exclude_outlet_ids: Iterable[int] = (),
    ) -> list[RouteCandidate]:
        """Up to `k` eligible outlets, best first (ranking: `bot.geo.spatial_index` module docstring)."""
        await self.refresh_if_stale()
        return self._index.query(
            brand_id, category, service_type, location, k=k, exclude_outlet_ids=exclude_outlet_ids,
            today=self._today(),
        )

    async def nearest_mail_in_hub(
        self, brand_id: int, category: ProductCategory, location: Location
    ) -> RouteCandidate | None:
        """The nearest mail-in hub that repairs brand × category, same country preferred; None if there is none."""
        await self.refresh_if_stale()
        return self._index.nearest_mail_in_hub(brand_id, category, location, today=self._today())

    def record_assignment(self, outlet_id: int, delta: int = 1) -> None:
        """Count a ticket assigned to (+1) or taken from (-1) an outlet until the next reload."""
        self._index.add_load(outlet_id, delta)
