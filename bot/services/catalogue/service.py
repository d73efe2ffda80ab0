"""Catalogue look-ups: brands and product models by code, name, alias or support handle; brands we do not service."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from bot.db.models import Brand, OtherBrand, ProductModel
from bot.db.session import SessionFactory
from bot.domain.errors import UnknownBrandError, UnknownModelError
from bot.nlu.lexicon.brand_mentions import HandleResolver, find_named
from bot.nlu.text.normalise import normalise


@dataclass(frozen=True)
class BrandInfo:
    """A brand as callers see it."""

    id: int
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class OtherBrandInfo:
    """A brand we know but do not service; `name_en` is the `unserved_brand` value."""

    id: int
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class _OtherBrands:
    names: dict[str, OtherBrandInfo]  # normalised name, alias or handle -> brand
    handles: HandleResolver[OtherBrandInfo]


def _normalise(text: str) -> str:
    return "".join(text.split()).casefold()


class CatalogueService:
    """Resolves what customers type ("华为", "huawei", "HUAWEI") to catalogue records."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self._sessions = session_factory
        self._brands: dict[str, BrandInfo] | None = None
        self._others: _OtherBrands | None = None

    async def _brand_table(self) -> dict[str, BrandInfo]:
        # Brands change rarely; cache the name → brand table per process.
        if self._brands is None:
            async with self._sessions() as session:
                rows = (await session.execute(select(Brand))).scalars().all()
            table: dict[str, BrandInfo] = {}
            for brand in rows:
                info = BrandInfo(brand.id, brand.code, brand.name_zh, brand.name_en)
                for name in (brand.code, brand.name_zh, brand.name_en, *(brand.aliases or []),
                             *(brand.support_handles or [])):
                    table.setdefault(_normalise(name), info)
            self._brands = table
        return self._brands

    def invalidate(self) -> None:
        """Forget cached brands (after the catalogue changed)."""
        self._brands = None
        self._others = None

    async def _other_brands(self) -> _OtherBrands:
        if self._others is None:
            async with self._sessions() as session:
                rows = (await session.execute(select(OtherBrand).order_by(OtherBrand.id))).scalars().all()
            names: dict[str, OtherBrandInfo] = {}
            ascii_names: list[tuple[str, OtherBrandInfo]] = []
            for row in rows:
                info = OtherBrandInfo(row.id, row.code, row.name_zh, row.name_en)
                for name in (row.name_zh, row.name_en, *(row.aliases or []), *(row.support_handles or [])):
                    names.setdefault(normalise(name).strip(), info)
                    if name.isascii():
                        ascii_names.append((name, info))
            self._others = _OtherBrands(names, HandleResolver(ascii_names))
        return self._others

    async def find_unserved_brand(self, text: str) -> OtherBrandInfo | None:
        """The brand we do not service that a free-text answer names ("it's a Bosch", "@XboxSupport"), or None.

        Names that are everyday words ("brother") count only in handles; compared brands ("建议买博世") not at all.
        """
        others = await self._other_brands()
        return find_named(normalise(text), others.names, others.handles) if text.strip() else None

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
