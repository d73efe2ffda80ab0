"""Purchase dates in free text, resolved against today (rules in `bot.nlu.extraction.patterns`' module docstring).

The date part of the pattern entities: explicit, relative and partial dates, durations since the purchase, a year
alone and shopping festivals, in Chinese and English. Pure functions; `bot.nlu.extraction.patterns.extract_all` merges
these spans with the other pattern entities.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import date, timedelta

from bot.nlu.extraction.patterns import MIN_PURCHASE_YEAR, PURCHASE_DATE, Span, match_text, resolve_overlaps

# --- purchase dates ------------------------------------------------------------------------------------------------
_CN_NUM = r"\d{1,2}|[一二两三四五六七八九十]{1,3}"
_CN_DIGITS = {
    char: value
    for value, chars in enumerate(("零〇", "一", "二两", "三", "四", "五", "六", "七", "八", "九"))
    for char in chars
}
_EN_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "couple of": 2,
}  # fmt: skip
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MON = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?"
)
_YEAR_TAIL = r"(?:\s*,?\s*(?P<y>\d{4}))?(?!\d)"
_DATES = {
    "ymd": re.compile(r"(?<![\d./\-])(?P<y>\d{4})(?P<s>[/.\-])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})(?![\d./\-])"),
    "dmy_digits": re.compile(
        r"(?<![\d./\-])(?P<a>\d{1,2})(?P<s>[/.\-])(?P<b>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})(?![\d./\-])"
    ),
    "cn": re.compile(
        rf"(?<!\d)(?:(?:(?P<y>\d{{4}}|\d{{2}}|[零〇一二三四五六七八九]{{2,4}})\s*年|(?P<ry>去年|今年|前年))\s*)?"
        rf"(?<!\d)(?P<m>{_CN_NUM})\s*月份?(?:\s*(?P<d>{_CN_NUM})\s*[日号])?"
    ),
    "en_md": re.compile(rf"\b{_MON}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\d){_YEAR_TAIL}"),
    "en_dm": re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}{_YEAR_TAIL}"),
    "en_my": re.compile(rf"\b{_MON}\s*,?\s*(?P<y>\d{{4}})(?!\d)"),
    "cn_relative": re.compile(
        r"大前天|前天|昨天|昨日|上上个?(?:周|星期|礼拜)|上个?(?:周|星期|礼拜)|上上个月|上个?月|前年|去年"
    ),
    "cn_ago": re.compile(
        r"(?<!\d)(?P<n>\d{1,3}|[一二两三四五六七八九十]{1,3}|半)\s*个?\s*(?P<u>天|日|周|星期|礼拜|月|年)\s*(?:之前|以前|前)"
    ),
    "cn_festival": re.compile(
        r"(?:(?P<ry>去年|今年|前年)|(?P<y>\d{4})\s*年)?\s*(?P<f>双十一|双11|双十二|双12|618|六一八)"
    ),
    "cn_duration": re.compile(
        r"(?:买|购买|购入|入手)(?:了|来)?\s*(?:才|快|不到|将近|差不多|大概|约|有)?\s*"
        r"(?P<n>\d{1,3}|[一二两三四五六七八九十]{1,3}|半)\s*个?\s*(?P<u>天|周|星期|礼拜|月|年)(?!\s*(?:之前|以前|前))"
    ),
    "cn_year": re.compile(
        r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*年\s*(?P<end>底|末)?(?!\s*(?:\d|[零〇一二三四五六七八九十]+\s*月))"
    ),
    "en_duration": re.compile(
        r"\b(?:(?:had|owned)\s+(?:it|this|them|the\s+\w+|my\s+\w+)\s+(?:for\s+)?"
        r"(?:about\s+|almost\s+|nearly\s+|only\s+|just\s+|over\s+)?|(?=\S+\s+(?:day|week|month|year)s?\s+old\b))"
        r"(?P<n>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:a\s+)?couple\s+of)"
        r"\s+(?P<u>day|week|month|year)s?(?:\s+old)?\b"
    ),
    "en_year": re.compile(r"\b(?:in|since|from|back\s+in|bought\s+in|purchased\s+in)\s+(?:early\s+|late\s+)?"
                          r"(?P<y>(?:19|20)\d{2})\b(?![/\-.]\d)"),
    "en_relative": re.compile(
        r"\b(?:(?P<yd>the\s+day\s+before\s+yesterday|yesterday)|last\s+(?P<lu>week|month|year)|"
        r"(?P<n>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:a\s+)?couple\s+of)"
        r"\s+(?P<u>day|week|month|year)s?\s+ago)\b"
    ),
}
_CN_RELATIVE = {
    "大前天": (3, "day"), "前天": (2, "day"), "昨天": (1, "day"), "昨日": (1, "day"), "上上个月": (2, "month"),
    "上个月": (1, "month"), "上月": (1, "month"), "前年": (2, "year"), "去年": (1, "year"),
}  # fmt: skip
_CN_UNITS = {"天": "day", "日": "day", "周": "week", "星期": "week", "礼拜": "week", "月": "month", "年": "year"}


def _number(word: str) -> int | None:
    if re.fullmatch(r"[0-9]+", word):
        return int(word)
    spaced = re.sub(r"\s+", " ", word)
    if spaced in _EN_NUMBERS:
        return _EN_NUMBERS[spaced]
    if "十" in word:
        tens, _, ones = word.partition("十")
        if len(tens) > 1 or len(ones) > 1 or (tens and tens not in _CN_DIGITS) or (ones and ones not in _CN_DIGITS):
            return None
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    if word and all(char in _CN_DIGITS for char in word):  # 二〇二五, 五
        return int("".join(str(_CN_DIGITS[char]) for char in word))
    return None


def _minus(today: date, amount: int, unit: str) -> date:
    if unit == "day":
        return today - timedelta(days=amount)
    if unit == "week":
        return today - timedelta(weeks=amount)
    months = today.year * 12 + today.month - 1 - (amount * 12 if unit == "year" else amount)
    year, month = divmod(months, 12)
    return date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


def _day(today: date, year: int | None, month: int | None, day: int | None) -> date | None:
    """A calendar day not after `today`; a missing year is the latest one that keeps the day in the past."""
    if month is None or not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    if year is not None and year < 100:
        year += 2000
    try:
        result = date(year or today.year, month, day or 1)
        if year is None and result > today:
            result = date(today.year - 1, month, day or 1)
    except ValueError:
        return None
    return result if MIN_PURCHASE_YEAR <= result.year and result <= today else None


def _resolve(kind: str, match: re.Match[str], today: date, day_first: bool) -> date | None:
    group = match.groupdict()
    if kind == "ymd":
        return _day(today, int(group["y"]), int(group["m"]), int(group["d"]))
    if kind == "dmy_digits":
        a, b = int(group["a"]), int(group["b"])
        if len(group["y"]) == 2 and group["s"] != "/":  # "1.2.10" is a version, not a date
            return None
        day, month = (a, b) if a > 12 or (day_first and b <= 12) else (b, a)
        return _day(today, int(group["y"]), month, day)
    if kind == "cn":
        cn_year = _number(group["y"]) if group["y"] else None
        if group["ry"]:
            cn_year = today.year - {"今年": 0, "去年": 1, "前年": 2}[group["ry"]]
        return _day(today, cn_year, _number(group["m"]), _number(group["d"]) if group["d"] else None)
    if kind in ("en_md", "en_dm", "en_my"):
        en_day = int(group["d"]) if group.get("d") else None
        return _day(today, int(group["y"]) if group["y"] else None, _MONTHS.index(group["mon"][:3]) + 1, en_day)
    if kind == "cn_relative":
        word = match.group()
        if word in _CN_RELATIVE:
            return _minus(today, *_CN_RELATIVE[word])
        return _minus(today, 2 if word.startswith("上上") else 1, "week")
    if kind == "cn_ago":
        unit = _CN_UNITS[group["u"]]
        if group["n"] == "半":  # 半个月 = 15 days, 半年 = 6 months
            return {"month": today - timedelta(days=15), "year": _minus(today, 6, "month")}.get(unit)
        amount = _number(group["n"])
        return _minus(today, amount, unit) if amount else None
    if kind == "cn_festival":
        festivals = {"双十一": (11, 11), "双11": (11, 11), "双十二": (12, 12), "双12": (12, 12)}
        month, day = festivals.get(group["f"], (6, 18))
        year = int(group["y"]) if group["y"] else None
        if group["ry"]:
            year = today.year - {"今年": 0, "去年": 1, "前年": 2}[group["ry"]]
        return _day(today, year, month, day)
    if kind in ("cn_duration", "en_duration"):
        amount_text = group["n"]
        if amount_text == "半":
            return {"month": today - timedelta(days=15), "year": _minus(today, 6, "month")}.get(_CN_UNITS[group["u"]])
        unit = _CN_UNITS.get(group["u"], group["u"])
        amount = _number(amount_text)
        return _minus(today, amount, unit) if amount else None
    if kind in ("cn_year", "en_year"):
        if int(group["y"]) == today.year:
            return None  # "bought this year" says too little for a warranty: the form asks for the date
        return _day(today, int(group["y"]), 12 if group.get("end") else 1, 1)
    if group["yd"]:
        return today - timedelta(days=2 if group["yd"].startswith("the") else 1)
    if group["lu"]:
        return _minus(today, 1, group["lu"])
    amount = _number(group["n"])
    return _minus(today, amount, group["u"]) if amount else None


def date_spans(text: str, today: date, normalised: str | None, day_first: bool) -> Iterator[Span]:
    """Purchase-date spans for the dates the patterns find in `text` and resolve against `today`; overlaps left in."""
    t = match_text(text, normalised)
    for kind, pattern in _DATES.items():
        for match in pattern.finditer(t):
            resolved = _resolve(kind, match, today, day_first)
            if resolved is not None:
                yield Span(PURCHASE_DATE, resolved.isoformat(), match.start(), match.end())


def find_purchase_dates(text: str, today: date, normalised: str | None = None, day_first: bool = True) -> list[Span]:
    """Explicit and relative dates resolved against `today` to ISO `YYYY-MM-DD` (rules in the module docstring)."""
    return resolve_overlaps(date_spans(text, today, normalised, day_first))


def resolve_date(text: str, today: date, day_first: bool = True) -> date | None:
    """The first valid, non-future date expressed in `text`, or None."""
    spans = find_purchase_dates(text, today, day_first=day_first)
    return date.fromisoformat(spans[0].value) if spans else None


EARLIEST_PURCHASE = date(1990, 1, 1)


def purchase_day(text: str, today: date) -> date | None:
    """The purchase date an answer or a slot gives (ISO, or any form `resolve_date` reads), if it is plausible.

    Plausible: not in the future and not before `EARLIEST_PURCHASE`.
    """
    try:
        day: date | None = date.fromisoformat(text[:10])
    except ValueError:
        day = resolve_date(text, today)
    return day if day is not None and EARLIEST_PURCHASE <= day <= today else None
