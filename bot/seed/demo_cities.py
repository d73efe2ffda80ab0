"""The demo cities and brands.

They are where `make run`'s network guarantees a walk-in or on-site outlet, and what the routing sweep
(`python -m bench.routing_sweep`) asks about.
"""

from __future__ import annotations

from typing import NamedTuple


class DemoCity(NamedTuple):
    """A city a newcomer is likely to try; coordinates are where the bot's geocoder puts the city's name."""

    key: str
    name_zh: str
    name_en: str
    country: str
    lat: float
    lon: float
    adcode: str | None  # what the geocoder returns for the city's name (a province code for the municipalities)
    reach_km: float  # how far from the centre the guaranteed outlets serve: the built-up area, roughly


#: About a dozen Chinese cities and eight overseas ones, each in a market the seed serves (`COUNTRIES`): Tokyo and
#: Toronto are not (no outlets, no hub in Japan or Canada), Mumbai and Dubai stand in for them.
DEMO_CITIES: tuple[DemoCity, ...] = (
    DemoCity("beijing", "北京", "Beijing", "CN", 39.9042, 116.4074, "110000", 30.0),
    DemoCity("shanghai", "上海", "Shanghai", "CN", 31.2304, 121.4737, "310000", 30.0),
    DemoCity("guangzhou", "广州", "Guangzhou", "CN", 23.1291, 113.2644, "440100", 25.0),
    DemoCity("shenzhen", "深圳", "Shenzhen", "CN", 22.5435, 114.0579, "440300", 30.0),
    DemoCity("chengdu", "成都", "Chengdu", "CN", 30.5729, 104.0668, "510100", 25.0),
    DemoCity("hangzhou", "杭州", "Hangzhou", "CN", 30.2469, 120.2098, "330100", 25.0),
    DemoCity("wuhan", "武汉", "Wuhan", "CN", 30.5932, 114.3055, "420100", 25.0),
    DemoCity("xian", "西安", "Xi'an", "CN", 34.3416, 108.9398, "610100", 20.0),
    DemoCity("nanjing", "南京", "Nanjing", "CN", 32.0596, 118.7967, "320100", 20.0),
    DemoCity("chongqing", "重庆", "Chongqing", "CN", 29.5628, 106.5516, "500000", 25.0),
    DemoCity("tianjin", "天津", "Tianjin", "CN", 39.0842, 117.2010, "120000", 25.0),
    DemoCity("urumqi", "乌鲁木齐", "Urumqi", "CN", 43.8256, 87.6168, "650100", 20.0),
    DemoCity("london", "伦敦", "London", "GB", 51.5085, -0.1257, None, 25.0),
    DemoCity("berlin", "柏林", "Berlin", "DE", 52.5244, 13.4105, None, 20.0),
    DemoCity("paris", "巴黎", "Paris", "FR", 48.8534, 2.3488, None, 20.0),
    DemoCity("new_york", "纽约", "New York", "US", 40.7143, -74.0060, None, 25.0),
    DemoCity("singapore", "新加坡", "Singapore", "SG", 1.2897, 103.8501, None, 20.0),
    DemoCity("sydney", "悉尼", "Sydney", "AU", -33.8678, 151.2073, None, 30.0),
    DemoCity("mumbai", "孟买", "Mumbai", "IN", 19.0728, 72.8826, None, 25.0),
    DemoCity("dubai", "迪拜", "Dubai", "AE", 25.0772, 55.3093, None, 25.0),
)

#: The ten brands with the most authorisations in the seed before the demo guarantee (`--outlets 2000 --seed 7`:
#: Xiaomi 1,867, Haier 1,302, Samsung 1,294, Midea 1,013, Huawei 985, Apple 946, Lenovo 720, LG 556, Hisense 550,
#: Gree 477). By outlets, Dell (317 outlets, 371 authorisations) would replace Gree (280, 477).
DEMO_BRANDS: tuple[str, ...] = (
    "xiaomi", "haier", "samsung", "midea", "huawei", "apple", "lenovo", "lg", "hisense", "gree",
)
