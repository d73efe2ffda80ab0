"""Pattern entities: phones, ticket numbers, IMEIs, serials, error codes and purchase dates; overlaps."""

from __future__ import annotations

from datetime import date

import pytest

from bot.nlu.extraction.patterns import (
    Span,
    extract_all,
    find_error_codes,
    find_imeis,
    find_phones,
    find_serials,
    find_ticket_numbers,
    fold,
    luhn_ok,
    match_text,
    resolve_overlaps,
)
from bot.nlu.extraction.purchase_dates import find_purchase_dates, resolve_date

TODAY = date(2025, 6, 15)
VALID_IMEI = "356938035643809"  # passes Luhn
INVALID_IMEI = "356938035643808"  # last digit changed: fails Luhn


def _pairs(spans: list[Span], text: str) -> list[tuple[str, str, str]]:
    """(entity, value, the original text under the span) for every span."""
    return [(s.entity, s.value, text[s.start : s.end]) for s in spans]


# --- phones ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value", "surface"),
    [
        ("我的手机13812345678", "+8613812345678", "13812345678"),
        ("电话 138 1234 5678 谢谢", "+8613812345678", "138 1234 5678"),
        ("call 138-1234-5678", "+8613812345678", "138-1234-5678"),
        ("+86 138 1234 5678", "+8613812345678", "+86 138 1234 5678"),
        ("座机010-12345678", "+861012345678", "010-12345678"),
        ("深圳0755-12345678", "+8675512345678", "0755-12345678"),
        ("call me on +44 20 7946 0958 please", "+442079460958", "+44 20 7946 0958"),
        ("my number is +91 98765 43210", "+919876543210", "+91 98765 43210"),
        ("１３８１２３４５６７８", "+8613812345678", "１３８１２３４５６７８"),  # full-width digits
    ],
)
def test_phones(text: str, value: str, surface: str) -> None:
    assert _pairs(find_phones(text), text) == [("phone", value, surface)]


@pytest.mark.parametrize(
    "text",
    [
        "price 3999",
        "这台空调3999元",
        f"IMEI {VALID_IMEI}",  # an IMEI is not a phone
        f"串号 {INVALID_IMEI}",  # nor is any 15-digit number
        "订单号13812345678",  # an order number that looks like a mobile
        "¥13812345678",
        "2025-03-05",
        "05/03/2025",
        "0755-1234567",  # Shenzhen numbers have 8 digits: phonenumbers rejects it
        "12345678901",  # not a mobile prefix
    ],
)
def test_not_phones(text: str) -> None:
    assert find_phones(text) == []


# --- ticket numbers -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("工单AS-20250305-ABCDEF进度如何", "AS-20250305-ABCDEF"),
        ("ticket as20250305abcdef?", "as20250305abcdef"),
        ("my ticket is AS 2025 0305 ABC DEF", "AS 2025 0305 ABC DEF"),
        ("ＡＳ－２０２５０３０５－ＡＢＣＤＥＦ", "ＡＳ－２０２５０３０５－ＡＢＣＤＥＦ"),
    ],
)
def test_ticket_numbers(text: str, surface: str) -> None:
    assert _pairs(find_ticket_numbers(text), text) == [("ticket_number", "AS-20250305-ABCDEF", surface)]


@pytest.mark.parametrize("text", ["AS-20250305-ABCDE0", "AS-2025030-ABCDEF", "BAS-20250305-ABCDEFG", "ASUS laptop"])
def test_not_ticket_numbers(text: str) -> None:
    assert find_ticket_numbers(text) == []


# --- IMEIs and serials ----------------------------------------------------------------------------------------------
def test_luhn() -> None:
    assert luhn_ok(VALID_IMEI)
    assert not luhn_ok(INVALID_IMEI)


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        (f"IMEI: {VALID_IMEI}", VALID_IMEI),
        (f"串号{VALID_IMEI}，屏幕碎了", VALID_IMEI),
        ("IMEI 35-693803-564380-9", "35-693803-564380-9"),
    ],
)
def test_imeis(text: str, surface: str) -> None:
    assert _pairs(find_imeis(text), text) == [("imei", VALID_IMEI, surface)]


@pytest.mark.parametrize(
    "text",
    [f"IMEI {INVALID_IMEI}", f"订单号{VALID_IMEI}", "3569380356438091", "35693803564380"],
)
def test_not_imeis(text: str) -> None:
    assert find_imeis(text) == []


def test_a_15_digit_number_failing_luhn_is_nothing() -> None:
    assert extract_all(f"号码是{INVALID_IMEI}", TODAY) == []


@pytest.mark.parametrize(
    ("text", "value", "surface"),
    [
        ("序列号：C02XL0ABCDEF", "C02XL0ABCDEF", "C02XL0ABCDEF"),
        ("序列號 c02xl0abcdef", "C02XL0ABCDEF", "c02xl0abcdef"),
        ("SN: 4KQ7H2B9", "4KQ7H2B9", "4KQ7H2B9"),
        ("S/N 4kq7h2b9 on the box", "4KQ7H2B9", "4kq7h2b9"),
        ("the serial number is ABC12345", "ABC12345", "ABC12345"),
    ],
)
def test_serials(text: str, value: str, surface: str) -> None:
    assert _pairs(find_serials(text), text) == [("serial", value, surface)]


@pytest.mark.parametrize("text", ["what is the serial number please", "SN: ABC12", "snow 123456", "序列号在哪里看"])
def test_not_serials(text: str) -> None:
    assert find_serials(text) == []


# --- error codes ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value", "surface"),
    [
        ("空调显示E4", "E4", "E4"),
        ("E1报错怎么办", "E1", "E1"),
        ("洗衣机F3了", "F3", "F3"),
        ("error code F21", "F21", "F21"),
        ("the display shows H6", "H6", "H6"),
        ("P5 flashing", "P5", "P5"),
        ("洗碗机E-21", "E21", "E-21"),
        ("code 4C on my washer", "4C", "4C"),
        ("热水器显示OE", "OE", "OE"),
        ("故障码EC", "EC", "EC"),
        ("顯示E4", "E4", "E4"),  # traditional cue
        ("错误码 e01", "E01", "e01"),  # lowercase after an explicit cue
        ("空调显示Ｅ４", "E4", "Ｅ４"),  # full-width
    ],
)
def test_error_codes(text: str, value: str, surface: str) -> None:
    assert _pairs(find_error_codes(text), text) == [("error_code", value, surface)]


@pytest.mark.parametrize(
    "text",
    [
        "X1 Carbon won't boot",
        "i7 laptop overheating",
        "华为P50屏幕碎了",  # a phone model, not a code
        "ThinkPad E14 Gen 2",
        "Galaxy C12",
        "P40 Pro",
        "the QR code",
        "error code to follow",
        "显示OK",
        "显示4K",
        "e4 and f3",  # lowercase without a cue
        "KFR-35GW",
        "H265 video",
        "version 1.2",
    ],
)
def test_not_error_codes(text: str) -> None:
    assert find_error_codes(text) == []


# --- purchase dates -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-05买的", "2025-03-05"),
        ("2025/3/5", "2025-03-05"),
        ("2025.3.5", "2025-03-05"),
        ("2025年3月5日购买", "2025-03-05"),
        ("二〇二五年三月五日", "2025-03-05"),
        ("3月5号买的", "2025-03-05"),
        ("12月5日买的", "2024-12-05"),  # no year: the latest 5 December not after today
        ("去年12月买的", "2024-12-01"),
        ("2025年3月", "2025-03-01"),
        ("bought March 5 2025", "2025-03-05"),
        ("bought Mar 5th, 2025", "2025-03-05"),
        ("on 5 March 2025", "2025-03-05"),
        ("in March 2025", "2025-03-01"),
        ("05/03/2025", "2025-03-05"),  # ambiguous: day first
        ("13/03/2025", "2025-03-13"),  # the first part cannot be a month
        ("03/13/2025", "2025-03-13"),  # the second part cannot be a month
        ("昨天买的", "2025-06-14"),
        ("前天", "2025-06-13"),
        ("上周", "2025-06-08"),
        ("上个月", "2025-05-15"),
        ("上個月買的", "2025-05-15"),  # traditional
        ("去年", "2024-06-15"),
        ("三天前", "2025-06-12"),
        ("两个月前", "2025-04-15"),
        ("半年前", "2024-12-15"),
        ("yesterday", "2025-06-14"),
        ("last week", "2025-06-08"),
        ("last month", "2025-05-15"),
        ("2 weeks ago", "2025-06-01"),
        ("a year ago", "2024-06-15"),
        ("a couple of days ago", "2025-06-13"),
        ("买了3个月就坏了", "2025-03-15"),  # a duration since the purchase
        ("買了半年", "2024-12-15"),  # traditional
        ("had it for 3 months", "2025-03-15"),
        ("the fridge is 2 months old", "2025-04-15"),
        ("2019年买的", "2019-01-01"),  # a year alone
        ("2019年底买的", "2019-12-01"),
        ("bought in 2019", "2019-01-01"),
        ("去年双十一买的", "2024-11-11"),  # a shopping festival
        ("618买的", "2024-06-18"),  # this year's is still to come
        ("双十一买的", "2024-11-11"),  # the latest one not after today
    ],
)
def test_purchase_dates(text: str, expected: str) -> None:
    spans = find_purchase_dates(text, TODAY)
    assert [s.value for s in spans] == [expected]
    assert resolve_date(text, TODAY) == date.fromisoformat(expected)


@pytest.mark.parametrize("text", ["买了3个空调", "2025年买的", "in 2025", "用了三个插座"])
def test_quantities_and_the_current_year_alone_are_no_purchase_date(text: str) -> None:
    assert find_purchase_dates(text, TODAY) == []


def test_month_first_when_configured() -> None:
    assert resolve_date("05/03/2025", TODAY, day_first=False) == date(2025, 5, 3)


def test_relative_month_clamps_to_month_end() -> None:
    assert resolve_date("last month", date(2025, 3, 31)) == date(2025, 2, 28)


@pytest.mark.parametrize(
    "text",
    [
        "2025-02-30",  # no such day
        "2025年2月30日",
        "31/04/2025",
        "2026-01-01",  # future
        "2025年7月1日",  # future
        "1970-01-01",  # before any plausible purchase
        "version 1.2.10",
        "用了3个月",  # a duration, not a date
        "how are you today",
    ],
)
def test_not_purchase_dates(text: str) -> None:
    assert find_purchase_dates(text, TODAY) == []
    assert resolve_date(text, TODAY) is None


def test_resolve_date_takes_the_first_date() -> None:
    assert resolve_date("2025年3月5日买的，昨天坏了", TODAY) == date(2025, 3, 5)


# --- everything together --------------------------------------------------------------------------------------------
def test_extract_all_offsets_slice_the_original_text() -> None:
    text = "工单ＡＳ-20250305-ABCDEF：空調顯示E4，电话138 1234 5678，IMEI 356938035643809，2025年3月5日買的"

    spans = extract_all(text, TODAY)

    assert _pairs(spans, text) == [
        ("ticket_number", "AS-20250305-ABCDEF", "ＡＳ-20250305-ABCDEF"),
        ("error_code", "E4", "E4"),
        ("phone", "+8613812345678", "138 1234 5678"),
        ("imei", VALID_IMEI, VALID_IMEI),
        ("purchase_date", "2025-03-05", "2025年3月5日"),
    ]


def test_extract_all_on_empty_text() -> None:
    assert extract_all("", TODAY) == []


def test_serial_cue_before_an_imei_gives_the_imei() -> None:
    text = f"序列号 {VALID_IMEI}"
    assert _pairs(extract_all(text, TODAY), text) == [("imei", VALID_IMEI, VALID_IMEI)]


def test_overlaps_prefer_priority_then_length() -> None:
    spans = [
        Span("purchase_date", "2025-03-05", 0, 10),
        Span("phone", "+8613812345678", 2, 12),
        Span("error_code", "E1", 20, 22),
        Span("error_code", "E12", 20, 23),
        Span("ticket_number", "AS-20250305-ABCDEF", 30, 48),
        Span("imei", VALID_IMEI, 35, 50),
    ]
    assert resolve_overlaps(spans) == [spans[1], spans[3], spans[4]]


def test_fold_keeps_length_and_simplifies_cue_characters() -> None:
    text = "空調冒煙ＡＢＣ１２３　İ"
    assert len(fold(text)) == len(text)
    assert fold(text) == "空调冒烟abc123 İ"


def test_match_text_ignores_a_normalised_text_of_another_length() -> None:
    assert match_text("ABC", normalised="abcd") == "abc"
    assert match_text("ABC", normalised="xyz") == "xyz"
