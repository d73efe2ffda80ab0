"""Pattern entities in customer text: ticket numbers, IMEIs, serials, phones, error codes and purchase dates.

Every `find_*` function returns `Span`s whose offsets index the text it was given. Matching runs on a
length-preserving *match form* of that text (`match_text`): the TextNormaliser's output when there is one, then
`fold` (full-width to half-width, lowercase, the traditional characters of our cue words to simplified), so
"１３８…", "錯誤碼" and "ERROR CODE" match like their plain forms while offsets stay valid.

Overlaps (`resolve_overlaps`): ticket_number > imei > serial > phone > error_code > purchase_date; among spans of
the same rank the longer wins, then the earlier.

Error codes (`find_error_codes`), precision over recall:

* the typical shape, E/F/H/P/C/L/U + 1-3 digits (E1, F21, E-21), counts when typed uppercase, not right after a
  brand / product / model word ("华为P50", "ThinkPad E14") nor before a model suffix ("E14 Gen 2", "P40 Pro"), and
  for P/C/L/U (which also name phone series) with one digit only;
* any other shape (EC, OE, 4C, E01), a lowercase code or a longer P/C/L/U code needs a cue word right before
  (故障码, 错误码, 报错, 显示, 提示, 跳, error, code) or right after (E1报错); odd shapes must also be typed
  uppercase, unless they hold a digit and follow an explicit cue (故障码, 错误码, error code, fault code);
* "X1", "i7" and other letters never count without a cue; H264/H265 and words such as OK, 4K, 5G, QR never.

Purchase dates (`resolve_date`):

* year first (2025-03-05, 2025/3/5, 2025.3.5, 2025年3月5日) is unambiguous;
* day/month/year digits (05/03/2025): when one part is above 12 it decides; otherwise day first (`day_first`,
  default True): the order of British, Hong Kong, Singaporean, Indian and Australian writers. Chinese writers put
  the year first, so the script does not change the rule; a US deployment sets `day_first=False`;
* no year (3月5日, March 5): the latest such day not after `today`;
* no day (2025年3月, 去年12月, March 2025, 3月): the first of that month;
* relative (昨天, 上周, 上个月, 三天前, 半年前, yesterday, last week, 2 weeks ago): `today` minus that period;
  去年 / last year is `today` minus a year, 前年 two years;
* durations since the purchase (买了3个月, had it for 3 months, 2 months old): `today` minus that period; how long
  it has been *used* (用了3个月) is not a purchase date;
* a year alone (2019年买的, in 2019): 1 January of that year, 年底 1 December; the current year alone: None;
* shopping festivals (双十一, 去年618): that day of the year named, else the latest one not after `today`;
* impossible days (2025-02-30), future days and years before 1980 give None (and no entity).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from bot.domain.errors import InvalidPhoneError
from bot.domain.phone import normalise_phone
from bot.domain.ticket_number import normalise_ticket_number

TICKET_NUMBER, IMEI, SERIAL, PHONE = "ticket_number", "imei", "serial", "phone"
ERROR_CODE, PURCHASE_DATE = "error_code", "purchase_date"
#: Which entity wins an overlap, first first.
PRIORITY = (TICKET_NUMBER, IMEI, SERIAL, PHONE, ERROR_CODE, PURCHASE_DATE)
MIN_PURCHASE_YEAR = 1980


class Span(NamedTuple):
    """One pattern entity: its type, canonical value and [start, end) offsets in the original text."""

    entity: str
    value: str
    start: int
    end: int


# Pairs "traditional simplified" for the characters of this package's cue words and lexicons only: a fallback for
# when the TextNormaliser has not run; its full conversion comes first when it has.
_TRADITIONAL = {
    ord(pair[0]): pair[1]
    for pair in (
        "煙烟 燒烧 著着 電电 觸触 氣气 脹胀 聞闻 見见 發发 現现 沒没 無无 從从 來来 過过 會会 點点 麼么 進进 線线 "
        "關关 開开 頭头 體体 師师 訴诉 評评 騙骗 賠赔 協协 費费 記记 詐诈 壞坏 號号 錯错 誤误 碼码 報报 顯显 週周 "
        "個个 禮礼 單单 訂订 機机 運运 貨货 遞递 兩两 幾几 後后 時时 間间 為为 這这 說说 問问 題题 鋰锂 寶宝 聯联 "
        "買买 購购 華华 榮荣 爾尔 碩硕 腦脑 錶表 筆笔 價价 額额 塊块 蓋盖 擊击 霧雾 膠胶 洩泄 爐炉 熱热 處处 類类 "
        "賣卖 還还 嗎吗 們们 燈灯 網网 據据 曬晒 灣湾 調调 視视 風风 —- –- ￥¥"
    ).split()
}


def fold(text: str) -> str:
    """Length-preserving match form: full-width ASCII to half-width, lowercase, cue characters to simplified."""
    chars = []
    for char in text:
        code = ord(char)
        if 0xFF01 <= code <= 0xFF5E:
            char = chr(code - 0xFEE0)
        elif code == 0x3000:
            char = " "
        lower = char.lower()
        chars.append(lower if len(lower) == 1 else char)  # "İ".lower() is two characters: keep offsets
    return "".join(chars).translate(_TRADITIONAL)


@lru_cache(maxsize=1)
def _project_normaliser() -> Callable[[str], str] | None:
    try:
        from bot.nlu.text.normalise import normalise
    except ModuleNotFoundError as exc:  # the TextNormaliser is optional: fold() alone covers our cue words
        if exc.name != "bot.nlu.text.normalise":
            raise
        return None
    return normalise


def match_text(text: str, normalised: str | None = None) -> str:
    """The form patterns match on: `normalised` (else `normalise(text)` when available), folded; same length."""
    if normalised is None or len(normalised) != len(text):
        normalise = _project_normaliser()
        normalised = normalise(text) if normalise is not None else text
        if len(normalised) != len(text):
            normalised = text
    return fold(normalised)


def resolve_overlaps(spans: Iterable[Span]) -> list[Span]:
    """Drop spans overlapping a better one (see `PRIORITY`; then longer, then earlier); sorted by offset."""
    rank = {entity: index for index, entity in enumerate(PRIORITY)}
    ordered = sorted(spans, key=lambda s: (rank.get(s.entity, len(PRIORITY)), s.start - s.end, s.start))
    kept: list[Span] = []  # non-overlapping, so sorted by start and by end alike
    for span in ordered:
        index = bisect.bisect_right(kept, span.start, key=lambda s: s.start)
        clear_before = index == 0 or kept[index - 1].end <= span.start
        clear_after = index == len(kept) or span.end <= kept[index].start
        if clear_before and clear_after:
            kept.insert(index, span)
    return kept


# --- ticket numbers -------------------------------------------------------------------------------------------
_SEP = r"[\s\-_]{0,3}"
_TICKET = re.compile(
    rf"(?<![a-z0-9])as{_SEP}\d{{4}}{_SEP}\d\d{_SEP}\d\d{_SEP}[a-z0-9]{{3}}{_SEP}[a-z0-9]{{3}}(?![a-z0-9])"
)


def find_ticket_numbers(text: str, normalised: str | None = None) -> list[Span]:
    """Our ticket numbers, however typed (case, spaces, dashes); value in canonical `AS-YYYYMMDD-XXXXXX` form."""
    spans = []
    for match in _TICKET.finditer(match_text(text, normalised)):
        value = normalise_ticket_number(match.group())
        if value is not None:
            spans.append(Span(TICKET_NUMBER, value, match.start(), match.end()))
    return spans


# --- numbers that are not phones or IMEIs: order / tracking / invoice numbers, prices -------------------------------
_NUMBER_LABEL = r"\s*(?:号码?|no\.?|number|num|#|id)?\s*(?:是|为|:|is)?\s*$"
_ORDER_BEFORE = re.compile(
    rf"(?:订单|单号|运单|快递|物流|发票|价格|金额|(?<![a-z])(?:order|tracking|invoice|price)){_NUMBER_LABEL}"
)
_DEVICE_ID_BEFORE = re.compile(rf"(?:序列号|型号|(?<![a-z])(?:imei|serial|s/?n|model)){_NUMBER_LABEL}")
_PRICE_AFTER = re.compile(r"\s*(?:元|块|rmb|yuan|usd|dollars?)")
_CURRENCY_BEFORE = re.compile(r"[¥$€£]\s*$")


def _is_other_number(t: str, start: int, end: int, device_ids: bool = False) -> bool:
    """Whether the number at t[start:end] is labelled as an order / tracking number or price (or a device id)."""
    before = t[max(0, start - 16) : start]
    return bool(
        _ORDER_BEFORE.search(before)
        or (device_ids and _DEVICE_ID_BEFORE.search(before))
        or _CURRENCY_BEFORE.search(before)
        or _PRICE_AFTER.match(t, end)
    )


# --- IMEIs and serials -------------------------------------------------------------------------------------------
_IMEI = re.compile(r"(?<!\d)\d\d[\s\-]?\d{6}[\s\-]?\d{6}[\s\-]?\d(?!\d)")
_SERIAL = re.compile(
    r"(?:序列号|机身码|(?<![a-z])s/?n(?![a-z])|(?<![a-z])serial(?:\s*(?:number|no\.?|num|#))?)"
    r"\s*(?:[:#=]|is\b|是|为)?\s*((?=[a-z]*\d)[a-z0-9]{6,20})(?![a-z0-9])"
)


def luhn_ok(digits: str) -> bool:
    """Whether a digit string passes the Luhn check (as IMEIs do)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def find_imeis(text: str, normalised: str | None = None) -> list[Span]:
    """15-digit numbers (optionally grouped 2-6-6-1) that pass the Luhn check; value = the digits."""
    t = match_text(text, normalised)
    spans = []
    for match in _IMEI.finditer(t):
        digits = re.sub(r"\D", "", match.group())
        if luhn_ok(digits) and not _is_other_number(t, match.start(), match.end()):
            spans.append(Span(IMEI, digits, match.start(), match.end()))
    return spans


def find_serials(text: str, normalised: str | None = None) -> list[Span]:
    """An alphanumeric token of 6-20 characters with a digit after 序列号 / SN / S/N / serial (number); uppercased."""
    return [
        Span(SERIAL, match.group(1).upper(), match.start(1), match.end(1))
        for match in _SERIAL.finditer(match_text(text, normalised))
    ]


# --- phones ------------------------------------------------------------------------------------------------------
_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)\s?86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<![\d+\-])\(?0\d{2,3}\)?[\s\-]?\d{3,4}[\s\-]?\d{4}(?!\d)")
_INTERNATIONAL = re.compile(r"(?<![\w+])\+\s?\d{1,3}(?:[\s\-]?\(?\d{1,6}\)?){1,6}(?!\d)")
_GROUP_BREAK = re.compile(r"[\s\-]+\(?\d+\)?$")


def _phone_value(candidate: str) -> str | None:
    try:
        return normalise_phone(candidate)
    except InvalidPhoneError:
        return None


def find_phones(text: str, normalised: str | None = None) -> list[Span]:
    """Chinese mobiles and landlines and +-prefixed international numbers that `phonenumbers` validates; E.164."""
    t = match_text(text, normalised)
    spans = []
    for pattern in (_MOBILE, _LANDLINE, _INTERNATIONAL):
        for match in pattern.finditer(t):
            candidate, start = match.group(), match.start()
            value = _phone_value(candidate)
            # "+44 20 7946 0958 2 units": drop trailing digit groups until the number is valid.
            while value is None and pattern is _INTERNATIONAL and _GROUP_BREAK.search(candidate):
                candidate = _GROUP_BREAK.sub("", candidate)
                value = _phone_value(candidate) if len(re.sub(r"\D", "", candidate)) >= 8 else None
            end = start + len(candidate)
            if value is not None and not _is_other_number(t, start, end, device_ids=True):
                spans.append(Span(PHONE, value, start, end))
    return resolve_overlaps(spans)  # "+86 138…" matches both the mobile and the international pattern


# --- error codes ---------------------------------------------------------------------------------------------------
_CODE_TOKEN = re.compile(r"(?<![a-z0-9\-_.])(?:[a-z]-\d{1,3}|[a-z0-9]{2,4})(?![a-z0-9]|[.,]\d|-[a-z0-9])")
_BARE_CODE = re.compile(r"[efhpclu]-?\d{1,3}")
_EXPLICIT_CUE = r"故障码|故障代码|错误码|错误代码|报错代码|error\s*code|fault\s*code"
_CUE_BEFORE = re.compile(
    rf"(?:(?P<explicit>{_EXPLICIT_CUE})|代码|报错|显示|提示|出现|跳|code|error|err)\s*(?:[:#]|is|是|为|了)?\s*$"
)
_CUE_AFTER = re.compile(r"\s*(?:故障|报错|错误|代码|(?:error|fault)\s*code)")
_MODEL_BEFORE = re.compile(
    r"(?:华为|荣耀|小米|红米|一加|魅族|三星|诺基亚|索尼|佳能|尼康|富士|大疆|联想|戴尔|惠普|华硕|宏碁|型号|版本|手机|相机|"
    r"平板|笔记本|电脑|耳机|手表|huawei|honor|xiaomi|redmi|oppo|vivo|realme|oneplus|meizu|samsung|galaxy|nokia|"
    r"motorola|moto|pixel|sony|canon|nikon|fujifilm|dji|lenovo|thinkpad|ideapad|dell|hp|asus|acer|mate|nova|"
    r"model|version|laptop|phone|camera|tablet|notebook|headphones?|earbuds|watch)\s*$"
)
_MODEL_AFTER = re.compile(
    r"\s*(?:(?:pro|max|plus|ultra|lite|mini|se|gen|carbon|series)(?![a-z])|手机|相机|平板|笔记本|电脑|系列|版|款|代|型|\+)"
)
_NOT_CODES = frozenset(
    "h264 h265 h266 c919 ok no on off tv pc ai hd uhd 2k 4k 8k 3d 2g 3g 4g 5g lte usb led lcd app wifi id sn is it "
    "ip mac cpu gpu ram rom ssd hdd sim nfc gps am pm qr hp to in at of or as be by do go if me my so up us we an "
    "he".split()
)


def find_error_codes(text: str, normalised: str | None = None) -> list[Span]:
    """Device error codes (E1, F21, E-21, 4C, EC, OE), uppercase without dash (rules in the module docstring)."""
    t = match_text(text, normalised)
    spans = []
    for match in _CODE_TOKEN.finditer(t):
        token, start, end = match.group(), match.start(), match.end()
        compact = token.replace("-", "")
        if compact in _NOT_CODES or not re.search(r"[a-z]", compact):
            continue
        before = t[max(0, start - 16) : start]
        cue_before = _CUE_BEFORE.search(before)
        cued = cue_before is not None or _CUE_AFTER.match(t, end) is not None
        explicit = cue_before is not None and cue_before.group("explicit") is not None
        typed_upper = not any(char.islower() for char in text[start:end])
        if _BARE_CODE.fullmatch(token):
            ok = cued or (
                typed_upper
                and not _MODEL_BEFORE.search(before)
                and not _MODEL_AFTER.match(t, end)
                and (compact[0] in "efh" or len(compact) == 2)
            )
        else:
            has_digit = bool(re.search(r"\d", compact))
            # Odd shapes: letters and digits (4C, E01) or exactly two letters (EC, OE).
            ok = cued and (has_digit or len(compact) == 2) and (typed_upper or (explicit and has_digit))
        if ok:
            spans.append(Span(ERROR_CODE, compact.upper(), start, end))
    return spans


def extract_all(text: str, today: date, normalised: str | None = None, day_first: bool = True) -> list[Span]:
    """Every pattern entity of `text`, overlaps resolved, sorted by offset."""
    from bot.nlu.extraction.purchase_dates import date_spans  # it builds on this module's spans
    if not text:
        return []
    t = match_text(text, normalised)
    spans = [
        *find_ticket_numbers(text, t),
        *find_imeis(text, t),
        *find_serials(text, t),
        *find_phones(text, t),
        *find_error_codes(text, t),
        *date_spans(text, today, t, day_first),
    ]
    return resolve_overlaps(spans)
