"""Value types shared by geocoding, routing and their callers."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.outlet_contact import OutletContact


@dataclass(frozen=True)
class Location:
    """A resolved place: coordinates plus the country (ISO 3166-1 alpha-2) that decides which outlets may serve it."""

    lat: float
    lon: float
    country: str
    adcode: str | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    label: str = ""
    #: False for a guess worth confirming with the customer: a small place named without its country ("goes" in
    #: "the screen goes black" is Goes, NL). Chinese addresses, coordinates and places with their country are sure.
    confident: bool = True


@dataclass(frozen=True)
class RouteCandidate(OutletContact):
    """An outlet eligible to serve a request, with its distance from the customer."""

    lat: float
    lon: float
    distance_km: float
    load_ratio: float
    is_mail_in_hub: bool = False
