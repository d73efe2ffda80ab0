"""Finding an outlet the way operators name it on the command line: by id or by code."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Outlet
from bot.domain.errors import NotFoundError, ValidationError


async def outlet_by_ref(session: AsyncSession, ref: str) -> Outlet:
    """The outlet whose id (tried first: codes may be digits too) or code is `ref`."""
    ref = ref.strip()
    if not ref:
        raise ValidationError("give an outlet id or code")
    outlet = None
    if ref.isascii() and ref.isdigit() and len(ref) <= 9:
        outlet = await session.get(Outlet, int(ref))
    if outlet is None:
        outlet = (await session.execute(select(Outlet).where(Outlet.code == ref))).scalar_one_or_none()
    if outlet is None:
        raise NotFoundError(f"no outlet with id or code {ref[:40]!r}")
    return outlet
