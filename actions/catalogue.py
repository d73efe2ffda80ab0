"""Catalogue look-ups shared by the ticket, parts and service-centre actions."""

from __future__ import annotations

from actions.runtime import Services, within_budget
from bot.domain.errors import NotFoundError


async def brand_names(svc: Services, code: str | None, language: str) -> tuple[int | None, str]:
    """A brand code's id and display name."""
    if not code:
        return None, ""
    try:
        brand = await within_budget(svc.catalogue.resolve_brand(code))
    except NotFoundError:
        return None, code
    return brand.id, brand.name_en if language == "en" else brand.name_zh
