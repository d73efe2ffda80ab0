"""Result types of the parts service: plain frozen dataclasses that adapters can serialise as they like."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class PartInfo:
    """A catalogue part as callers see it."""

    id: int
    part_number: str
    name_zh: str
    name_en: str
    kind: str
    category: str
    price: Decimal
    currency: str


@dataclass(frozen=True)
class StockLocation:
    """A warehouse or outlet shelf holding unreserved units of a part, seen from the destination."""

    warehouse_id: int
    warehouse_code: str
    warehouse_name: str
    kind: str  # "regional" | "outlet"
    outlet_id: int | None
    country: str
    available: int
    distance_km: float
    eta_days: int


@dataclass(frozen=True)
class Availability:
    """Unreserved stock of one part: the total, and the best locations (soonest first) for the destination."""

    part_id: int
    part_number: str
    total_available: int
    locations: tuple[StockLocation, ...]


@dataclass(frozen=True)
class Reservation:
    """Units of a part held for a ticket; `created` is False when an earlier call with the same key made it."""

    id: int
    idempotency_key: str
    ticket_id: int | None
    part_id: int
    warehouse_id: int
    quantity: int
    status: str  # "reserved" | "released" | "consumed"
    created: bool = False


@dataclass(frozen=True)
class Destination:
    """Where a part has to go: an outlet (so its own shelf counts as "here") or a customer's location."""

    lat: float
    lon: float
    country: str
    outlet_id: int | None = None
