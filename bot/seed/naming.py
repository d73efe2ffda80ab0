"""Names, addresses and phone numbers for generated providers and outlets (all invented)."""

from __future__ import annotations

from bot.seed.draws import Draws
from bot.seed.locale_data import (
    CITY_AREA_CODES,
    COUNTRIES,
    PROVINCES,
    ROADS_ZH,
    SEVEN_DIGIT_AREAS,
    STREETS_EN,
    TRADE_WORDS,
    TRADE_WORDS_EN,
    TRADES,
)
from bot.seed.places import Places


def phone_pattern(places: Places, place: int) -> str:
    """The number pattern for an outlet at a place: N is a digit 2-8, # any digit."""
    country = places.country[place]
    if country != "CN":
        return COUNTRIES[country].phone
    adcode = places.adcode[place] or ""
    area = CITY_AREA_CODES.get(adcode[:4]) or PROVINCES[adcode[:2]][1]
    return f"+86 {area} " + ("N## ####" if area in SEVEN_DIGIT_AREAS else "N### ####")


def fill_phone(pattern: str, draws: Draws) -> str:
    """A fake but well-formed number following a pattern."""
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(draws.integers(0, 10)))
        elif ch == "N":
            out.append(str(draws.integers(2, 9)))
        else:
            out.append(ch)
    return "".join(out)


def provider_names(places: Places, region: int, draws: Draws) -> tuple[str, str]:
    """(zh, en) name of an invented service company based in a region."""
    region_zh, region_en = places.region_names[region]
    word_zh, word_py = draws.pick(TRADE_WORDS)
    trade_zh, trade_en = draws.pick(TRADES)
    if places.regions[region].startswith("CN-"):
        short = region_zh.removesuffix("省").removesuffix("市")
        for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区"):
            short = short.removesuffix(suffix)
        return f"{short}{word_zh}{trade_zh}有限公司", f"{region_en} {word_py} {trade_en} Co., Ltd."
    word_en = draws.pick(TRADE_WORDS_EN)
    return f"{region_zh}{word_zh}{trade_zh}公司", f"{word_en} {trade_en} Ltd. ({region_en})"


def outlet_names(places: Places, place: int, brand: tuple[str, str] | None, provider: tuple[str, str],
                 hub: bool) -> tuple[str, str]:
    """(zh, en) outlet name: brand-authorised centre, a provider's branch, or a mail-in hub."""
    label_zh, label_en = places.label_zh[place], places.label_en[place]
    if hub:
        region_zh, region_en = places.region_names[places.region[place]]
        return f"{region_zh}售后寄修中心（{label_zh}）", f"{region_en} Mail-in Repair Hub ({label_en})"
    if brand is not None:
        return f"{label_zh}{brand[0]}授权服务中心", f"{brand[1]} Authorised Service Centre {label_en}"
    return f"{provider[0]}（{label_zh}店）", f"{provider[1]} – {label_en} branch"


def guaranteed_outlet_names(places: Places, place: int, brand: tuple[str, str], city: tuple[str, str],
                            on_site: bool) -> tuple[str, str]:
    """(zh, en) name of a demo city's guaranteed brand outlet.

    For example "华为授权服务中心（朝阳店）", "Huawei Authorised Service Centre Islington"; one that only serves
    installed appliances is an on-site service.
    """
    china = places.country[place] == "CN"
    area_zh = places.area_zh[place] if china else city[0]
    area_en = city[1] if china else places.label_en[place]  # no offline romanisation of district names
    if on_site:
        return f"{brand[0]}授权上门服务中心（{area_zh}）", f"{brand[1]} Authorised On-site Service {area_en}"
    return f"{brand[0]}授权服务中心（{area_zh}店）", f"{brand[1]} Authorised Service Centre {area_en}"


def address(places: Places, place: int, draws: Draws) -> str:
    """A street address at a place: Chinese form in China, Western form elsewhere."""
    number = draws.integers(1, 900)
    if places.country[place] == "CN":
        road = draws.pick(ROADS_ZH)
        return f"{places.address_zh[place]}{road}{number}号"
    street = draws.pick(STREETS_EN)
    return f"{number} {street}, {places.address_zh[place]}"
