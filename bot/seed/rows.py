"""Row types of the seed network; each field name is a column of the table the row goes to."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple


class BrandRow(NamedTuple):
    """A row of `brands`."""

    id: int
    code: str
    name_zh: str
    name_en: str
    home_country: str
    aliases: list[str]
    support_handles: list[str]


class OtherBrandRow(NamedTuple):
    """A row of `other_brands`."""

    id: int
    code: str
    name_zh: str
    name_en: str
    aliases: list[str]
    support_handles: list[str]


class ModelRow(NamedTuple):
    """A row of `product_models`."""

    id: int
    brand_id: int
    category: str
    code: str
    name_zh: str
    name_en: str
    warranty_months: int
    main_parts_warranty_months: int


class PartRow(NamedTuple):
    """A row of `parts`."""

    id: int
    part_number: str
    brand_id: int
    category: str
    kind: str
    name_zh: str
    name_en: str
    price: Decimal
    currency: str


class CompatRow(NamedTuple):
    """A row of `part_compatibility`."""

    part_id: int
    model_id: int


class ProviderRow(NamedTuple):
    """A row of `providers`."""

    id: int
    code: str
    name_zh: str
    name_en: str
    country: str


class OutletRow(NamedTuple):
    """A row of `outlets`."""

    id: int
    provider_id: int
    code: str
    name_zh: str
    name_en: str
    address: str
    country: str
    adcode: str | None
    lat: float
    lon: float
    service_radius_km: float
    opening_hours: str
    phone: str | None
    daily_capacity: int
    acceptance_sla_minutes: int
    is_mail_in_hub: bool
    active: bool
    updated_at: datetime


class AuthorisationRow(NamedTuple):
    """A row of `authorisations`."""

    id: int
    outlet_id: int
    brand_id: int
    category: str
    service_type: str
    valid_from: date
    valid_to: date | None


class WarehouseRow(NamedTuple):
    """A row of `warehouses`."""

    id: int
    code: str
    name: str
    kind: str
    outlet_id: int | None
    country: str
    lat: float
    lon: float


class StockRow(NamedTuple):
    """A row of `stock`."""

    id: int
    warehouse_id: int
    part_id: int
    on_hand: int
    reserved: int
