"""Offline geocoding: Chinese addresses, Latin place names, coordinates, and what gets refused."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.errors import InvalidCoordinatesError, UnknownLocationError
from bot.geo.geocoder import Geocoder
from bot.geo.haversine import haversine_km


@pytest.fixture(scope="module")
def geocoder() -> Iterator[Geocoder]:
    """One warmed-up geocoder for the module: building its tables takes a few seconds."""
    instance = Geocoder()
    instance.warm_up()
    yield instance


def test_construction_loads_nothing() -> None:
    instance = Geocoder()
    assert instance._tables is None and instance._converter is None


@pytest.mark.parametrize(
    ("text", "adcode", "province", "city", "district"),
    [
        ("广东省深圳市南山区科技园", "440305", "广东省", "深圳市", "南山区"),
        ("廣東省深圳市南山區", "440305", "广东省", "深圳市", "南山区"),
        ("深圳南山区粤海街道", "440305", "广东省", "深圳市", "南山区"),
        ("北京市朝阳区建国路88号", "110105", "北京市", "北京市", "朝阳区"),
        ("上海", "310000", "上海市", None, None),
        ("我住在浙江省杭州市西湖区", "330106", "浙江省", "杭州市", "西湖区"),
    ],
)
def test_chinese_addresses(
    geocoder: Geocoder, text: str, adcode: str, province: str, city: str | None, district: str | None
) -> None:
    location = geocoder.geocode(text)
    assert (location.country, location.adcode) == ("CN", adcode)
    assert (location.province, location.city, location.district) == (province, city, district)


def test_chinese_district_coordinates(geocoder: Geocoder) -> None:
    location = geocoder.geocode("广东省深圳市南山区科技园")
    assert haversine_km(location.lat, location.lon, 22.533, 113.930) < 5


def test_city_level_address_uses_city_coordinates(geocoder: Geocoder) -> None:
    location = geocoder.geocode("广东省深圳市")
    assert location.adcode == "440300" and location.district is None
    assert haversine_km(location.lat, location.lon, 22.54, 114.06) < 20


@pytest.mark.parametrize(
    ("text", "hint", "country", "near"),
    [
        ("Pune", None, "IN", (18.52, 73.86)),
        ("pune, india", None, "IN", (18.52, 73.86)),
        ("PUNE", None, "IN", (18.52, 73.86)),
        ("Poona", None, "IN", (18.52, 73.86)),
        ("Kuala Lumpur", None, "MY", (3.14, 101.69)),
        ("London UK", None, "GB", (51.51, -0.13)),
        ("London", None, "GB", (51.51, -0.13)),
        ("London, Canada", None, "CA", (42.98, -81.23)),
        ("London", "CA", "CA", (42.98, -81.23)),
        ("I live in Delhi", None, "IN", (28.65, 77.23)),
        ("Sao Paulo", None, "BR", (-23.55, -46.63)),
        ("Singapore", None, "SG", (1.29, 103.85)),
        ("我在Pune", None, "IN", (18.52, 73.86)),
        ("我在伦敦", None, "GB", (51.51, -0.13)),
        ("台北市大安区", None, "TW", (25.05, 121.53)),
    ],
)
def test_place_names(
    geocoder: Geocoder, text: str, hint: str | None, country: str, near: tuple[float, float]
) -> None:
    location = geocoder.geocode(text, country_hint=hint)
    assert location.country == country
    assert haversine_km(location.lat, location.lon, *near) < 15


def test_lat_lon_text_passes_through(geocoder: Geocoder) -> None:
    location = geocoder.geocode("22.54, 113.93")
    assert (location.lat, location.lon, location.country) == (22.54, 113.93, "CN")
    assert location.adcode == "440305"


@pytest.mark.parametrize("text", ["", "   ", "asdkjhasd qwpoeiru", "我的手机坏了", "12345", "in", "x" * 301])
def test_unresolvable_text_is_refused(geocoder: Geocoder, text: str) -> None:
    with pytest.raises(UnknownLocationError):
        geocoder.geocode(text)


def test_out_of_range_pair_text_is_refused(geocoder: Geocoder) -> None:
    with pytest.raises(InvalidCoordinatesError):
        geocoder.geocode("95.0, 10.0")


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(91, 0), (-90.5, 0), (0, 180.01), (0, -181), (math.nan, 0), (0, math.inf), ("12", 3), (None, 3), (True, 3)],
)
def test_invalid_coordinates(geocoder: Geocoder, lat: object, lon: object) -> None:
    with pytest.raises(InvalidCoordinatesError):
        geocoder.from_coordinates(lat, lon)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lat", "lon", "country"),
    [(51.5, -0.12, "GB"), (18.5, 73.8, "IN"), (3.15, 101.7, "MY"), (22.3, 114.17, "HK"), (48.86, 2.35, "FR")],
)
def test_reverse_country(geocoder: Geocoder, lat: float, lon: float, country: str) -> None:
    location = geocoder.from_coordinates(lat, lon)
    assert (location.lat, location.lon, location.country) == (lat, lon, country)
    assert location.adcode is None


def test_reverse_china_fills_division(geocoder: Geocoder) -> None:
    location = geocoder.from_coordinates(39.92, 116.44)
    assert location.country == "CN"
    assert location.adcode is not None and location.adcode.startswith("11")
    assert location.province == "北京市" and location.district is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=320))
def test_any_text_resolves_or_raises_typed_error(geocoder: Geocoder, text: str) -> None:
    try:
        location = geocoder.geocode(text)
    except (UnknownLocationError, InvalidCoordinatesError):
        return
    assert -90 <= location.lat <= 90 and -180 <= location.lon <= 180
    assert len(location.country) == 2
