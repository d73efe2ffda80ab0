"""Small factories for test data. Each inserts one row (plus what it needs) in the caller's session and flushes.

Codes are random so factories can be called any number of times in one database; every column can be
overridden by keyword. The caller owns the transaction: `async with session_factory() as s, s.begin(): ...`.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Brand,
    Customer,
    Device,
    Outlet,
    Part,
    ProductModel,
    Provider,
    Stock,
    Warehouse,
    part_compatibility,
)


def unique(prefix: str) -> str:
    """A short unique code such as `BR-1a2b3c4d`."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def _add(session: AsyncSession, row: Any) -> Any:
    session.add(row)
    await session.flush()
    return row


async def make_brand(session: AsyncSession, **overrides: Any) -> Brand:
    """A brand (defaults: Chinese home market)."""
    code = overrides.pop("code", unique("brand")).lower()
    values: dict[str, Any] = {"code": code, "name_zh": f"品牌{code}", "name_en": f"Brand {code}", "home_country": "CN"}
    return await _add(session, Brand(**{**values, **overrides}))


async def make_model(session: AsyncSession, brand: Brand | None = None, **overrides: Any) -> ProductModel:
    """A product model of `brand` (a new brand when omitted); default warranty 12 months."""
    brand = brand or await make_brand(session)
    code = overrides.pop("code", unique("M").upper())
    values: dict[str, Any] = {
        "brand_id": brand.id,
        "category": "phone",
        "code": code,
        "name_zh": f"型号{code}",
        "name_en": f"Model {code}",
        "warranty_months": 12,
        "main_parts_warranty_months": 12,
    }
    return await _add(session, ProductModel(**{**values, **overrides}))


async def make_part(
    session: AsyncSession,
    brand: Brand | None = None,
    models: tuple[ProductModel, ...] | list[ProductModel] = (),
    **overrides: Any,
) -> Part:
    """A part of `brand` (a new brand when omitted), compatible with `models`."""
    brand = brand or await make_brand(session)
    number = overrides.pop("part_number", unique("P").upper())
    values: dict[str, Any] = {
        "part_number": number,
        "brand_id": brand.id,
        "category": "phone",
        "kind": "screen",
        "name_zh": f"配件{number}",
        "name_en": f"Part {number}",
        "price": Decimal("199.00"),
        "currency": "CNY",
    }
    part = await _add(session, Part(**{**values, **overrides}))
    if models:
        # Core insert: going through `Part.models` would lazy-load the collection, which async sessions refuse.
        await session.execute(
            part_compatibility.insert(), [{"part_id": part.id, "model_id": model.id} for model in models]
        )
    return part


async def make_provider(session: AsyncSession, **overrides: Any) -> Provider:
    """A service provider company."""
    code = overrides.pop("code", unique("prov"))
    values: dict[str, Any] = {"code": code, "name_zh": f"服务商{code}", "name_en": f"Provider {code}", "country": "CN"}
    return await _add(session, Provider(**{**values, **overrides}))


async def make_outlet(
    session: AsyncSession, lat: float, lon: float, provider: Provider | None = None, **overrides: Any
) -> Outlet:
    """An active outlet at (lat, lon) run by `provider` (a new provider in the outlet's country when omitted)."""
    country = overrides.get("country", "CN")
    provider = provider or await make_provider(session, country=country)
    code = overrides.pop("code", unique("out"))
    values: dict[str, Any] = {
        "provider_id": provider.id,
        "code": code,
        "name_zh": f"网点{code}",
        "name_en": f"Outlet {code}",
        "address": f"{code} Road 1",
        "country": country,
        "lat": lat,
        "lon": lon,
    }
    return await _add(session, Outlet(**{**values, **overrides}))


async def make_provider_outlet(
    session: AsyncSession, lat: float, lon: float, **overrides: Any
) -> tuple[Provider, Outlet]:
    """A new provider with one outlet at (lat, lon); overrides go to the outlet."""
    provider = await make_provider(session, country=overrides.get("country", "CN"))
    return provider, await make_outlet(session, lat, lon, provider=provider, **overrides)


async def make_warehouse(
    session: AsyncSession, lat: float, lon: float, outlet: Outlet | None = None, **overrides: Any
) -> Warehouse:
    """A regional warehouse at (lat, lon), or the shelf of `outlet` (same coordinates and country) when given."""
    code = overrides.pop("code", unique("wh"))
    values: dict[str, Any] = {"code": code, "name": f"Warehouse {code}", "kind": "regional", "country": "CN"}
    if outlet is not None:
        values.update(kind="outlet", outlet_id=outlet.id, country=outlet.country, name=f"{outlet.name_en} shelf")
    values.update(lat=lat, lon=lon)
    return await _add(session, Warehouse(**{**values, **overrides}))


async def make_stock(
    session: AsyncSession, part: Part, warehouse: Warehouse, on_hand: int, reserved: int = 0
) -> Stock:
    """A stock row: `on_hand` units of `part` in `warehouse`, `reserved` of them held."""
    return await _add(session, Stock(part_id=part.id, warehouse_id=warehouse.id, on_hand=on_hand, reserved=reserved))


async def make_device(
    session: AsyncSession,
    model: ProductModel | None,
    purchase_date: date | None,
    purchase_country: str | None = "CN",
    **overrides: Any,
) -> Device:
    """A customer's device of `model`, with a new customer unless `customer_id` is given."""
    if "customer_id" not in overrides:
        customer = await _add(session, Customer(channel="test", channel_user_id=unique("user")))
        overrides["customer_id"] = customer.id
    values: dict[str, Any] = {
        "model_id": model.id if model is not None else None,
        "purchase_date": purchase_date,
        "purchase_country": purchase_country,
        "serial": unique("SN").upper(),
    }
    return await _add(session, Device(**{**values, **overrides}))
