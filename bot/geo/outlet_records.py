"""Outlet records as routing sees them (detached from the ORM), and the helpers index and oracle share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import NamedTuple

from bot.domain.outlet_contact import OutletContact
from bot.geo.types import RouteCandidate


class AuthorisationRecord(NamedTuple):
    """One authorisation of an outlet: brand × category × service type, valid over a date range."""

    brand_id: int
    category: str
    service_type: str
    valid_from: date
    valid_to: date | None = None


@dataclass(frozen=True)
class OutletRecord(OutletContact):
    """What routing needs to know about one outlet, detached from the ORM."""

    lat: float
    lon: float
    country: str
    service_radius_km: float
    daily_capacity: int
    active: bool = True
    is_mail_in_hub: bool = False
    authorisations: tuple[AuthorisationRecord, ...] = ()


def key_value(item: str | Enum) -> str:
    """The plain string of a category or service type given as a string or a str-Enum."""
    # str-Enums hash by member name, not value: normalise before using them as dict keys.
    return str(item.value) if isinstance(item, Enum) else str(item)


def is_authorised(record: OutletRecord, brand_id: int, category: str, service_type: str, today: date) -> bool:
    """Whether the outlet holds an authorisation for brand × category × service type valid on `today`."""
    return any(
        a[0] == brand_id and key_value(a[1]) == category and key_value(a[2]) == service_type
        and a[3] <= today and (a[4] is None or today <= a[4])
        for a in record.authorisations
    )


def make_candidate(record: OutletRecord, distance_km: float, load_ratio: float) -> RouteCandidate:
    """The `RouteCandidate` for an outlet record at a distance."""
    return RouteCandidate(
        outlet_id=record.outlet_id, code=record.code, name_zh=record.name_zh, name_en=record.name_en,
        address=record.address, phone=record.phone, opening_hours=record.opening_hours,
        lat=record.lat, lon=record.lon, distance_km=round(distance_km, 3), load_ratio=load_ratio,
        is_mail_in_hub=record.is_mail_in_hub,
    )


def load_ratio(record: OutletRecord, loads: Mapping[int, int]) -> float:
    """Open tickets per unit of daily capacity."""
    return loads.get(record.outlet_id, 0) / max(record.daily_capacity, 1)
