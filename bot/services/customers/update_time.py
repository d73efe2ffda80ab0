"""Appointment times as a customer reads them: in the outlet's local time, which is where the visit happens.

Appointments are stored in UTC (the provider API converts them). The local zone comes from the outlet's country,
and for the few countries of our network that span several zones, from the outlet's longitude.
"""

from __future__ import annotations

import functools
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CHINA_ZONE = "Asia/Shanghai"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # not locale's %b

#: One zone per country (mainland China keeps one clock, 北京时间, from Kashgar to Harbin).
_SINGLE_ZONE = {
    "CN": CHINA_ZONE, "HK": "Asia/Hong_Kong", "MO": "Asia/Macau", "TW": "Asia/Taipei", "IN": "Asia/Kolkata",
    "MY": "Asia/Kuala_Lumpur", "TH": "Asia/Bangkok", "VN": "Asia/Ho_Chi_Minh", "PH": "Asia/Manila",
    "PK": "Asia/Karachi", "AE": "Asia/Dubai", "SA": "Asia/Riyadh", "EG": "Africa/Cairo", "NG": "Africa/Lagos",
    "KE": "Africa/Nairobi", "TR": "Europe/Istanbul", "GB": "Europe/London", "DE": "Europe/Berlin",
    "FR": "Europe/Paris", "ES": "Europe/Madrid", "IT": "Europe/Rome", "NL": "Europe/Amsterdam",
    "PL": "Europe/Warsaw", "SG": "Asia/Singapore", "JP": "Asia/Tokyo", "KR": "Asia/Seoul",
}
#: Countries spanning several zones: (westernmost longitude of the band, zone), east to west; first match wins.
_BY_LONGITUDE: dict[str, tuple[tuple[float, str], ...]] = {
    "US": ((-87.5, "America/New_York"), (-101.0, "America/Chicago"), (-114.5, "America/Denver"),
           (-180.0, "America/Los_Angeles")),
    "RU": ((127.5, "Asia/Vladivostok"), (97.5, "Asia/Irkutsk"), (67.5, "Asia/Yekaterinburg"),
           (-180.0, "Europe/Moscow")),
    "BR": ((-52.5, "America/Sao_Paulo"), (-180.0, "America/Manaus")),
    "AU": ((141.0, "Australia/Sydney"), (129.0, "Australia/Adelaide"), (-180.0, "Australia/Perth")),
    "MX": ((-106.0, "America/Mexico_City"), (-180.0, "America/Tijuana")),
    "ID": ((127.5, "Asia/Jayapura"), (115.0, "Asia/Makassar"), (-180.0, "Asia/Jakarta")),
}


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # no tz database on this machine: UTC, and the label says so
        return timezone.utc


def zone_name(country: str | None, lon: float | None) -> str | None:
    """The IANA zone of a place (None when unknown: times are then shown in UTC)."""
    code = (country or "").upper()
    if code in _SINGLE_ZONE:
        return _SINGLE_ZONE[code]
    for west, name in _BY_LONGITUDE.get(code, ()):
        if lon is not None and lon >= west:
            return name
    return None


def local_time(moment: datetime, country: str | None, lon: float | None, language: str) -> str:
    """`2027-01-05 09:30（北京时间）` / `5 Jan 2027, 09:30 (local time)`; UTC when the place's zone is unknown."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    name = zone_name(country, lon)
    zone = _zone(name) if name else timezone.utc
    local = moment.astimezone(zone)
    if zone is timezone.utc:
        label = ("UTC", "UTC")
    elif name == CHINA_ZONE:
        label = ("Beijing time", "北京时间")
    else:
        label = ("local time", "当地时间")
    if language == "en":
        return f"{local.day} {_MONTHS[local.month - 1]} {local:%Y, %H:%M} ({label[0]})"
    return f"{local:%Y-%m-%d %H:%M}（{label[1]}）"
