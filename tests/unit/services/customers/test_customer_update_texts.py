"""The texts customers receive about their tickets: every kind in Chinese and English, times in local time."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.services.customers.update_texts import (
    MAX_NOTES_CHARS,
    UPDATE_KINDS,
    UpdateFacts,
    clean_notes,
    customer_language,
    update_text,
)
from bot.services.customers.update_time import local_time, zone_name

NUMBER = "AS-20261201-7KQ4MZ"
AT = datetime(2027, 1, 5, 1, 30, tzinfo=timezone.utc)  # 09:30 in Beijing
FACTS = UpdateFacts(
    NUMBER, "北京海淀授权服务中心", "Beijing Haidian Service Centre", AT, "更换了压缩机电容", "CN", 116.3
)

EXPECTED = {
    "accepted": (
        "您的服务单 AS-20261201-7KQ4MZ 已被 北京海淀授权服务中心 受理，对方将尽快与您联系。",
        "Your service order AS-20261201-7KQ4MZ has been accepted by Beijing Haidian Service Centre. "
        "They will contact you shortly.",
    ),
    "scheduled": (
        "您的服务单 AS-20261201-7KQ4MZ 已预约：北京海淀授权服务中心 将于 2027-01-05 09:30（北京时间）上门服务。",
        "Your service order AS-20261201-7KQ4MZ is booked: Beijing Haidian Service Centre will come on "
        "5 Jan 2027, 09:30 (Beijing time).",
    ),
    "rescheduled": (
        "您的服务单 AS-20261201-7KQ4MZ 预约时间已改为 2027-01-05 09:30（北京时间）。",
        "The appointment for your service order AS-20261201-7KQ4MZ has moved to 5 Jan 2027, 09:30 (Beijing time).",
    ),
    "in_repair": (
        "您的服务单 AS-20261201-7KQ4MZ 已开始维修。",
        "The repair for your service order AS-20261201-7KQ4MZ is under way.",
    ),
    "waiting_parts": (
        "您的服务单 AS-20261201-7KQ4MZ 正在等待配件，配件到达后将继续维修。",
        "Your service order AS-20261201-7KQ4MZ is waiting for a spare part; the repair continues as soon as it "
        "arrives.",
    ),
    "resolved": (
        "您的服务单 AS-20261201-7KQ4MZ 已由 北京海淀授权服务中心 处理完成。处理说明：更换了压缩机电容",
        "Your service order AS-20261201-7KQ4MZ has been completed by Beijing Haidian Service Centre. "
        "Notes: 更换了压缩机电容",
    ),
    "cancelled": (
        "您的服务单 AS-20261201-7KQ4MZ 已取消。如仍需服务，请随时给我们留言。",
        "Your service order AS-20261201-7KQ4MZ has been cancelled. If you still need help, just send us a message.",
    ),
    "unassigned": (
        "您的服务单 AS-20261201-7KQ4MZ 暂时没有其他授权网点可以接单，客服会在一个工作日内与您联系安排。",
        "We could not find another authorised outlet for your service order AS-20261201-7KQ4MZ yet. A service agent "
        "will contact you within one working day to arrange it.",
    ),
    "rerouted": (
        "您的服务单 AS-20261201-7KQ4MZ 已转交 北京海淀授权服务中心 处理。",
        "Your service order AS-20261201-7KQ4MZ has been passed to Beijing Haidian Service Centre, which will take "
        "care of it from now on.",
    ),
}


def test_every_update_kind_has_a_text_in_both_languages() -> None:
    assert set(EXPECTED) == UPDATE_KINDS


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_update_text_in_chinese_and_english(kind: str) -> None:
    zh, en = EXPECTED[kind]
    assert update_text(kind, "zh", FACTS) == zh
    assert update_text(kind, "en", FACTS) == en


@pytest.mark.parametrize("kind", ["created", "routed", "rejected", "closed", "note", "unknown"])
def test_internal_events_are_not_told(kind: str) -> None:
    assert update_text(kind, "zh", FACTS) is None


def test_language_of_updates() -> None:
    assert [customer_language(x) for x in ("en", "zh", "mixed", None, "fr")] == ["en", "zh", "zh", "zh", "zh"]


def test_missing_outlet_and_time_read_naturally() -> None:
    bare = UpdateFacts(NUMBER)
    assert update_text("accepted", "zh", bare) == f"您的服务单 {NUMBER} 已被 服务网点 受理，对方将尽快与您联系。"
    assert update_text("scheduled", "en", bare) == (
        f"Your service order {NUMBER} is booked: the service centre will come on the agreed time."
    )
    assert update_text("resolved", "zh", bare) == f"您的服务单 {NUMBER} 已由 服务网点 处理完成。"


def test_notes_are_trimmed_and_flattened() -> None:
    assert clean_notes("  换了\n\n电容\x07，\t测试正常  ") == "换了 电容 ， 测试正常"
    long = clean_notes("很" * 1000)
    assert long is not None and len(long) == MAX_NOTES_CHARS and long.endswith("…")
    assert clean_notes("   ") is None and clean_notes(None) is None


def test_appointments_are_shown_in_the_outlets_local_time() -> None:
    assert zone_name("CN", 87.6) == "Asia/Shanghai"  # Urumqi too: one clock for the mainland
    assert zone_name("US", -118.2) == "America/Los_Angeles" and zone_name("US", -74.0) == "America/New_York"
    assert zone_name("XX", 0.0) is None
    assert local_time(AT, "US", -118.2, "en") == "4 Jan 2027, 17:30 (local time)"
    assert local_time(AT, "GB", -0.1, "zh") == "2027-01-05 01:30（当地时间）"
    assert local_time(AT, None, None, "en") == "5 Jan 2027, 01:30 (UTC)"
    assert local_time(AT.replace(tzinfo=None), "CN", None, "zh") == "2027-01-05 09:30（北京时间）"  # naive = UTC
