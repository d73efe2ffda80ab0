"""Outlet details for replies and views (the routing index answers "which", this answers "who and where")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.db.models import Outlet
from bot.db.session import SessionFactory
from bot.domain.errors import NotFoundError
from bot.domain.outlet_contact import OutletContact


@dataclass(frozen=True)
class OutletView(OutletContact):
    """An outlet as customers see it."""

    country: str
    is_mail_in_hub: bool
    lat: float
    lon: float


class OutletDirectory:
    """Looks outlets up by id."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self._sessions = session_factory

    async def get(self, outlet_id: int) -> OutletView:
        """The outlet, or `NotFoundError`."""
        async with self._sessions() as session:
            outlet = (await session.execute(select(Outlet).where(Outlet.id == outlet_id))).scalar_one_or_none()
        if outlet is None:
            raise NotFoundError(f"no outlet {outlet_id}")
        return OutletView(
            outlet.id, outlet.code, outlet.name_zh, outlet.name_en, outlet.address, outlet.phone,
            outlet.opening_hours, outlet.country, outlet.is_mail_in_hub, outlet.lat, outlet.lon,
        )
