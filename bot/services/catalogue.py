"""Catalogue look-ups: brands and product models by code, name or alias."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from bot.db.models import Brand, ProductModel
from bot.db.session import SessionFactory
from bot.domain.errors import UnknownBrandError, UnknownModelError


@dataclass(frozen=True)
class BrandInfo:
    """A brand as callers see it."""

    id: int
    code: str
    name_zh: str
    name_en: str


def _normalise(text: str) -> str:
    return "".join(text.split()).casefold()


class CatalogueService:
    """Resolves what customers type ("华为", "huawei", "HUAWEI") to catalogue records."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self._sessions = session_factory
        self._brands: dict[str, BrandInfo] | None = None

    async def _brand_table(self) -> dict[str, BrandInfo]:
        # Brands change rarely; cache the name → brand table per process.
        if self._brands is None:
            async with self._sessions() as session:
                rows = (await session.execute(select(Brand))).scalars().all()
            table: dict[str, BrandInfo] = {}
            for brand in rows:
                info = BrandInfo(brand.id, brand.code, brand.name_zh, brand.name_en)
                for name in (brand.code, brand.name_zh, brand.name_en, *(brand.aliases or [])):
                    table.setdefault(_normalise(name), info)
            self._brands = table
        return self._brands

    def invalidate(self) -> None:
        """Forget cached brands (after the catalogue changed)."""
        self._brands = None

    async def resolve_brand(self, text: str) -> BrandInfo:
        """The brand named by `text`, or `UnknownBrandError`."""
        key = _normalise(text)
        brand = (await self._brand_table()).get(key) if key else None
        if brand is None:
            raise UnknownBrandError(f"unknown brand: {text[:40]!r}")
        return brand

    async def resolve_model(self, brand_id: int, text: str) -> ProductModel:
        """The brand's product model whose code or name matches `text`, or `UnknownModelError`."""
        key = _normalise(text)
        async with self._sessions() as session:
            models = (
                (await session.execute(select(ProductModel).where(ProductModel.brand_id == brand_id)))
                .scalars()
                .all()
            )
        for model in models:
            if key in {_normalise(model.code), _normalise(model.name_en), _normalise(model.name_zh)}:
                return model
        raise UnknownModelError(f"unknown model for this brand: {text[:60]!r}")

    async def find_brand_in(self, text: str) -> BrandInfo | None:
        """The brand a free-text answer mentions ("是美的的" → Midea), longest name first, or None."""
        try:
            return await self.resolve_brand(text)
        except UnknownBrandError:
            pass
        folded, lowered = _normalise(text), text.casefold()
        table = await self._brand_table()
        for name in sorted(table, key=len, reverse=True):
            if len(name) < 2:
                continue
            if name.isascii():
                if re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", lowered):
                    return table[name]
            elif name in folded:
                return table[name]
        return None
