"""Masking of personal data in customer text, before it is stored as a training example (framework-free).

`mask_pii(text)` replaces, in this order of precedence when two overlap:

* ticket numbers (`AS-YYYYMMDD-XXXXXX`, however typed) → ``[ticket]``;
* e-mail addresses → ``[email]``;
* IMEIs (Luhn-checked, or 14–17 digits right after "IMEI") → ``[imei]``; serial numbers after 序列号 / SN /
  serial → ``[serial]``;
* phone numbers: validated Chinese mobiles and landlines and ``+``-prefixed international numbers (spaces, dashes,
  brackets), national US/UK numbers that validate, 7–13 digits right after a phone cue (电话, 手机, QQ, call,
  phone …), and WeChat ids after 微信 / wx / WeChat (a contact handle like a number) → ``[phone]``;
* street addresses → ``[address]``: Chinese runs ending in 路/街/道/巷/弄 + 号 (…栋/幢/单元/室/楼), estates
  (小区/花园/大厦/公寓/苑/家园/新村) with building numbers, bare building/unit/room runs (3栋2单元501); English
  "12 Baker Street", "221B Baker St", "Flat 3", "Apt 4B", "Suite 200", "PO Box 12", UK postcodes and US ZIP codes
  after a street. The district, city and province before a street are kept (王府井 is masked in 北京市东城区王府井
  大街88号, 北京市东城区 is kept): they carry the need (routing), not the person;
* personal names introduced as such → ``[name]``: 我叫X, 我姓X, 联系人X, 姓名X, 收件人X, X先生 / X女士 / X小姐
  (X: 1–3 Han characters; before a title, from a known surname), "my name is X Y", "this is X" (capitalised,
  then the end of the clause), "name: X", "Mr / Mrs / Ms X". The cue words themselves are kept;
* any other run of 10 or more digits (order, bank-card or ID numbers) → ``[number]``.

Brand and product words, model numbers (KFR-35GW, i7-1360P), error codes (E4), prices and dates are left alone.
Control characters and line breaks become spaces, runs of white space one space, and the result is at most
`MAX_STORED_CHARS` characters (never cut inside a placeholder). Matching reuses `bot.nlu.extraction.patterns` (its
ticket, IMEI, serial and phone finders, and its length-preserving match form) and adds only what it does not
recognise.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from bot.domain.errors import InvalidPhoneError
from bot.domain.phone import normalise_phone
from bot.nlu.extraction.patterns import find_imeis, find_phones, find_serials, find_ticket_numbers, match_text
from bot.nlu.text.personal_details import en_addresses, en_names, zh_addresses, zh_names

MAX_STORED_CHARS = 1000
#: Longer inputs are cut before matching (a pasted log is not a customer message; the regexes stay cheap).
MAX_INPUT_CHARS = 4000

TICKET, EMAIL, IMEI, SERIAL, PHONE = "ticket", "email", "imei", "serial", "phone"
ADDRESS, NAME, NUMBER = "address", "name", "number"
#: Which placeholder wins an overlap, first first.
PRECEDENCE = (TICKET, EMAIL, IMEI, SERIAL, PHONE, ADDRESS, NAME, NUMBER)
PLACEHOLDERS = tuple(f"[{kind}]" for kind in PRECEDENCE)


class _Span(NamedTuple):
    kind: str
    start: int
    end: int


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"\s+")

# --- e-mail -----------------------------------------------------------------------------------------------------
_EMAIL = re.compile(
    r"(?<![a-z0-9._%+\-])[a-z0-9._%+\-]{1,64}@[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
    r"(?:\.[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?)*\.[a-z]{2,24}(?![a-z0-9])"
)

# --- numbers the pattern finders leave: national US/UK phones, cued phones and IMEIs, long digit runs ------------
_DIGIT_RUN = re.compile(r"(?<![a-z0-9+.\-])\(?\d{1,5}\)?(?:[ .\-]?\(?\d{1,5}\)?){1,7}(?![a-z0-9])")
_DATE_SHAPE = re.compile(r"(?:19|20)\d\d[./\-]\d{1,2}[./\-]\d{1,2}|\d{1,2}[./\-]\d{1,2}[./\-](?:19|20)\d\d")
_PHONE_CUE = re.compile(
    r"(?:电话|手机|号码|座机|联系方式|热线|微信|qq|tel|phone|mobile|cell|call(?:\s+me)?(?:\s+(?:at|on))?|"
    r"whatsapp|text\s+me|reach\s+me(?:\s+(?:at|on))?|number)\s*(?:号码?|no\.?|number|#)?\s*(?:是|为|:|is)?\s*$"
)
_MESSENGER_ID = re.compile(
    r"(?:微信号?|vx|wx|wechat(?:\s+id)?)\s*(?:号|id)?\s*(?:[:：]|是|为|is)?\s*(?P<id>[a-z][a-z0-9_\-]{5,19})(?![a-z0-9_\-])"
)
#: Companies' hotlines (400-820-8820, 800-…) are no one's personal number.
_HOTLINE = re.compile(r"[48]00\d{7}")
_IMEI_CUE = re.compile(r"imei\s*(?:号|码|号码|number|no\.?|#)?\s*(?:是|为|:|is)?\s*$")
_NATIONAL_REGIONS = ("US", "GB")
MIN_NUMBER_DIGITS = 10

def _digits(span: str) -> int:
    return sum(char.isdigit() for char in span)


def _clean(text: str) -> str:
    text = _SURROGATE.sub("\ufffd", _CONTROL.sub(" ", text))
    return _SPACES.sub(" ", text).strip()


def _phone_national(candidate: str) -> bool:
    for region in _NATIONAL_REGIONS:
        try:
            normalise_phone(candidate, region)
        except InvalidPhoneError:
            continue
        return True
    return False


def _other_numbers(t: str) -> list[_Span]:
    spans: list[_Span] = []
    for match in _DIGIT_RUN.finditer(t):
        run = match.group()
        digits = _digits(run)
        if digits < 7 or _DATE_SHAPE.search(run):
            continue
        before = t[max(0, match.start() - 24) : match.start()]
        if _IMEI_CUE.search(before) and 14 <= digits <= 17:
            kind = IMEI
        elif (_PHONE_CUE.search(before) and digits <= 13) or (10 <= digits <= 11 and _phone_national(run)):
            kind = PHONE
        elif digits >= MIN_NUMBER_DIGITS and not _HOTLINE.fullmatch(re.sub(r"\D", "", run)):
            kind = NUMBER
        else:
            continue
        spans.append(_Span(kind, match.start(), match.end()))
    spans.extend(_Span(PHONE, m.start("id"), m.end("id")) for m in _MESSENGER_ID.finditer(t))
    return spans


def find_pii(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every piece of personal data in `text` (already cleaned), sorted, not overlapping."""
    if not text:
        return []
    t = match_text(text)
    spans = [_Span(TICKET, s.start, s.end) for s in find_ticket_numbers(text, t)]
    spans += [_Span(EMAIL, m.start(), m.end()) for m in _EMAIL.finditer(t)]
    spans += [_Span(IMEI, s.start, s.end) for s in find_imeis(text, t)]
    spans += [_Span(SERIAL, s.start, s.end) for s in find_serials(text, t)]
    spans += [_Span(PHONE, s.start, s.end) for s in find_phones(text, t)]
    spans += [_Span(ADDRESS, *found) for found in zh_addresses(t) + en_addresses(t, text)]
    spans += [_Span(NAME, *found) for found in zh_names(t, text) + en_names(t, text)]
    spans += _other_numbers(t)
    spans += _repeated_names(t, spans)
    return [(s.kind, s.start, s.end) for s in _merge(_resolve_overlaps(spans), t)]


def _repeated_names(t: str, spans: list[_Span]) -> list[_Span]:
    """Other mentions of a name found through a cue ("我姓欧阳，叫欧阳娜娜"; "I'm Li. Li again")."""
    found: list[_Span] = []
    for name in {t[s.start : s.end] for s in spans if s.kind == NAME}:
        if len(name) < 2 or (name.isascii() and len(name) < 3):
            continue
        pattern = re.escape(name) if not name.isascii() else rf"(?<![a-z]){re.escape(name)}(?![a-z])"
        found.extend(_Span(NAME, m.start(), m.end()) for m in re.finditer(pattern, t))
    return found


def _union_addresses(spans: list[_Span]) -> list[_Span]:
    """Overlapping address spans (a street and the estate after it) as one."""
    others = [s for s in spans if s.kind != ADDRESS]
    united: list[_Span] = []
    for span in sorted((s for s in spans if s.kind == ADDRESS), key=lambda s: s.start):
        if united and span.start < united[-1].end:
            united[-1] = _Span(ADDRESS, united[-1].start, max(united[-1].end, span.end))
        else:
            united.append(span)
    return others + united


def _resolve_overlaps(spans: list[_Span]) -> list[_Span]:
    rank = {kind: index for index, kind in enumerate(PRECEDENCE)}
    spans = _union_addresses(spans)
    kept: list[_Span] = []
    for span in sorted(spans, key=lambda s: (rank[s.kind], s.start - s.end, s.start)):
        if span.end > span.start and all(span.end <= k.start or k.end <= span.start for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def _merge(spans: list[_Span], t: str) -> list[_Span]:
    merged: list[_Span] = []
    for span in spans:  # "Flat 3, 221B Baker Street", "建国路88号阳光小区3栋": one address each
        previous = merged[-1] if merged else None
        gap = t[previous.end : span.start] if previous else ""
        if previous and previous.kind == span.kind == ADDRESS and re.fullmatch(r"[\s,，]*", gap):
            merged[-1] = _Span(ADDRESS, previous.start, span.end)
        else:
            merged.append(span)
    return merged


def _cut(masked: str, limit: int) -> str:
    if len(masked) <= limit:
        return masked
    cut = masked[:limit]
    opening = cut.rfind("[")
    if opening >= 0 and "]" not in cut[opening:] and any(p.startswith(cut[opening:]) for p in PLACEHOLDERS):
        cut = cut[:opening]
    return cut.rstrip()


def mask_pii(text: str | None) -> str:
    """`text` with personal data replaced by placeholders, on one line, at most `MAX_STORED_CHARS` characters."""
    if not text:
        return ""
    clipped = len(text) > MAX_INPUT_CHARS
    cleaned = _clean(text[:MAX_INPUT_CHARS])
    if clipped:
        # The cut may have split a number, an address or an e-mail: drop the last, possibly partial, token and
        # the digit groups before it ("138 12|34 5678").
        cleaned = re.sub(r"(?:[\d+()\-]+\s?){0,4}$", "", re.sub(r"[\w@.+\-]*$", "", cleaned).rstrip()).rstrip()
    parts: list[str] = []
    position = 0
    for kind, start, end in find_pii(cleaned):
        parts.append(cleaned[position:start])
        parts.append(f"[{kind}]")
        position = end
    parts.append(cleaned[position:])
    return _cut("".join(parts), MAX_STORED_CHARS)


def has_content(masked: str) -> bool:
    """Whether a masked text still holds words (letters) once its placeholders are set aside."""
    bare = masked
    for placeholder in PLACEHOLDERS:
        bare = bare.replace(placeholder, " ")
    return re.search(r"[^\W\d_]", bare) is not None
