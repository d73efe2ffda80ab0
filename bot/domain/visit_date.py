"""Preferred visit dates as customers say them: 明天, 周六, 下周一, 12月3日, tomorrow, Saturday, 2026-12-03."""

from __future__ import annotations

import re
from datetime import date, timedelta

#: How far ahead a visit can be booked.
MAX_DAYS_AHEAD = 60

_RELATIVE = {"今天": 0, "今日": 0, "today": 0, "明天": 1, "明日": 1, "tomorrow": 1, "后天": 2, "後天": 2,
             "大后天": 3, "大後天": 3, "day after tomorrow": 2}
_WEEKDAYS_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_WEEKDAYS_EN = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_ISO = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_MONTH_DAY_ZH = re.compile(r"(\d{1,2})月(\d{1,2})[日号號]?")
_DAY_ZH = re.compile(r"(?<!\d)(\d{1,2})[号號]")
_WEEKDAY_ZH = re.compile(r"(下下|下)?(?:周|星期|礼拜|禮拜)([一二三四五六日天末])")
_WEEKDAY_EN = re.compile(r"\b(next\s+)?(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b")
_DAY_MONTH_EN = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+(\d{1,2})(?:st|nd|rd|th)?\b"
)
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_occurrence(today: date, month: int, day: int) -> date | None:
    this_year = _safe(today.year, month, day)
    if this_year is not None and this_year >= today:
        return this_year
    return _safe(today.year + 1, month, day)


def parse_visit_date(text: str, today: date) -> date | None:
    """The day `text` names, on or after `today`; None when it names no day (range checks: `valid_visit_date`)."""
    folded = text.strip().lower()
    if not folded or len(folded) > 200:
        return None
    for word, offset in sorted(_RELATIVE.items(), key=lambda pair: -len(pair[0])):
        if word in folded:
            return today + timedelta(days=offset)
    if m := _ISO.search(folded):
        return _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _MONTH_DAY_ZH.search(folded):
        return _next_occurrence(today, int(m.group(1)), int(m.group(2)))
    if m := _DAY_MONTH_EN.search(folded):
        day, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return _next_occurrence(today, _MONTHS.index(month[:3]) + 1, int(day))
    if m := _WEEKDAY_ZH.search(folded):
        return _weekday(today, _WEEKDAYS_ZH[m.group(2)], {None: 0, "下": 1, "下下": 2}[m.group(1)])
    if m := _WEEKDAY_EN.search(folded):
        return _weekday(today, _WEEKDAYS_EN[m.group(2)], 1 if m.group(1) else 0)
    if m := _DAY_ZH.search(folded):
        day = int(m.group(1))
        candidate = _safe(today.year, today.month, day)
        if candidate is not None and candidate >= today:
            return candidate
        month = today.month % 12 + 1
        return _safe(today.year + (today.month == 12), month, day)
    return None


def _weekday(today: date, weekday: int, weeks_ahead: int) -> date:
    """The coming `weekday` (today counts), or the one in a later week ("下周一": the Monday of next week)."""
    if weeks_ahead == 0:
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)
    return monday + timedelta(days=weekday)


def valid_visit_date(day: date | None, today: date) -> bool:
    """Whether a technician can be booked for `day`."""
    return day is not None and today <= day <= today + timedelta(days=MAX_DAYS_AHEAD)
