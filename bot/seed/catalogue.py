"""The catalogue rows (brands, other brands, models, parts, compatibility) from our hand-written data."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from bot.domain.catalogue import CATEGORY_NAMES, ProductCategory
from bot.seed.catalogue_data import BRANDS, DEFAULT_WARRANTY, MODELS, WARRANTY_OVERRIDES, BrandSpec
from bot.seed.other_brands_data import OTHER_BRANDS
from bot.seed.parts_data import BRAND_PRICE_FACTOR, CATEGORY_ABBR, PART_KINDS
from bot.seed.rows import BrandRow, CompatRow, ModelRow, OtherBrandRow, PartRow

#: The catalogue does not depend on the network seed: part numbers stay stable across seeds.
CATALOGUE_SEED = 20240501
_NAME_MAX = 120

Pair = tuple[int, str]  # (brand id, category value)


@dataclass
class Catalogue:
    """Catalogue rows ready to insert, plus the look-ups the network generator needs."""

    brands: list[BrandRow] = field(default_factory=list)
    other_brands: list[OtherBrandRow] = field(default_factory=list)  # known, not serviced
    models: list[ModelRow] = field(default_factory=list)
    parts: list[PartRow] = field(default_factory=list)
    compatibility: list[CompatRow] = field(default_factory=list)
    specs: dict[int, BrandSpec] = field(default_factory=dict)
    parts_by_pair: dict[Pair, list[int]] = field(default_factory=dict)

    def pairs_sold_in(self, country: str) -> list[Pair]:
        """Every brand × category sold in a country, in a stable order."""
        return [
            (brand_id, category.value)
            for brand_id, spec in self.specs.items()
            if _sold_in(spec, country)
            for category in spec.categories
        ]


def _sold_in(spec: BrandSpec, country: str) -> bool:
    if spec.markets is not None and country not in spec.markets:
        return False
    return country not in spec.excluded


def _part_name(brand_zh: str, brand_en: str, category: ProductCategory, kind_zh: str, kind_en: str,
               model_codes: list[str] | None) -> tuple[str, str]:
    cat_zh, cat_en, _ = CATEGORY_NAMES[category]
    zh = f"{brand_zh}{cat_zh}{kind_zh}"
    en = f"{brand_en} {cat_en.lower()} {kind_en.lower()}"
    if model_codes:
        fits = "/".join(model_codes)
        if len(zh) + len(fits) + 2 > _NAME_MAX or len(en) + len(fits) + 3 > _NAME_MAX:
            fits = f"{model_codes[0]} etc."  # keep within the column; compatibility rows stay exact
        zh, en = f"{zh}（{fits}）", f"{en} ({fits})"
    return zh, en


def _price(base: int, factor: float, rng: np.random.Generator) -> Decimal:
    # Retail-style prices ending in 9 (e.g. 1199.00), as service price lists are written.
    raw = base * factor * float(rng.uniform(0.85, 1.25))
    return Decimal(max(9, int(round(raw / 10.0)) * 10 - 1)).quantize(Decimal("0.01"))


def build_catalogue() -> Catalogue:
    """Brands, other brands, models, parts and part-model compatibility; identical on every call."""
    rng = np.random.default_rng(CATALOGUE_SEED)
    cat = Catalogue()
    cat.other_brands = [
        OtherBrandRow(index, o.code, o.name_zh, o.name_en, list(o.aliases), list(o.handles))
        for index, o in enumerate(OTHER_BRANDS, start=1)
    ]
    model_ids: dict[tuple[str, ProductCategory], list[tuple[int, str]]] = {}
    for spec in BRANDS:
        brand_id = len(cat.brands) + 1
        cat.brands.append(BrandRow(brand_id, spec.code, spec.name_zh, spec.name_en, spec.home_country,
                                   list(spec.aliases), list(spec.handles)))
        cat.specs[brand_id] = spec
        for category in spec.categories:
            warranty, main_parts = WARRANTY_OVERRIDES.get((spec.code, category), DEFAULT_WARRANTY[category])
            cat_zh, cat_en, _ = CATEGORY_NAMES[category]
            ids = model_ids.setdefault((spec.code, category), [])
            for code in MODELS[(spec.code, category)]:
                model_id = len(cat.models) + 1
                cat.models.append(ModelRow(model_id, brand_id, category.value, code, f"{spec.name_zh} {code} {cat_zh}",
                                           f"{spec.name_en} {code} {cat_en.lower()}", warranty, main_parts))
                ids.append((model_id, code))
    for brand_id, spec in cat.specs.items():
        factor = BRAND_PRICE_FACTOR.get(spec.code, 1.0)
        for category in spec.categories:
            models = model_ids[(spec.code, category)]
            pair_parts = cat.parts_by_pair.setdefault((brand_id, category.value), [])
            for kind in PART_KINDS[category]:
                groups = [models] if kind.shared else _group(models, rng)
                for seq, group in enumerate(groups, start=1):
                    part_id = len(cat.parts) + 1
                    number = f"{spec.prefix}-{CATEGORY_ABBR[category]}-{kind.abbr}-{seq:03d}"
                    codes = None if kind.shared else [code for _, code in group]
                    zh, en = _part_name(spec.name_zh, spec.name_en, category, kind.name_zh, kind.name_en, codes)
                    cat.parts.append(PartRow(part_id, number, brand_id, category.value, kind.kind, zh, en,
                                             _price(kind.base_price, factor, rng), "CNY"))
                    cat.compatibility.extend(CompatRow(part_id, model_id) for model_id, _ in group)
                    pair_parts.append(part_id)
    return cat


def _group(models: list[tuple[int, str]], rng: np.random.Generator) -> list[list[tuple[int, str]]]:
    # Model-specific parts: consecutive models (one product line) share a part in groups of 1-3.
    groups: list[list[tuple[int, str]]] = []
    start = 0
    while start < len(models):
        size = int(rng.integers(1, 4))
        groups.append(models[start : start + size])
        start += size
    return groups
