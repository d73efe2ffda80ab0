"""A customer's 1–5 satisfaction rating from what they typed: "4", "4分", "五星", "five stars", "非常满意", "５分"."""

from __future__ import annotations

import re

from bot.nlu.text.normalise import normalise

_DIGIT = re.compile(r"(?<![\d.])([1-5])(?![\d.])")
_ZH_NUMBER = re.compile(r"([一二三四五两])\s*(?:分|颗星|星)")
_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_EN_NUMBER = re.compile(r"\b(one|two|three|four|five)\b", re.IGNORECASE)
_EN_DIGITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
#: Verbal scales, strongest first so that "非常不满意" is not read as "满意".
_WORDS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"非常不满意|很不满意|太差|极差|very (?:unhappy|dissatisfied|bad)|terrible|awful", re.IGNORECASE), 1),
    (re.compile(r"不满意|不太满意|差评|unhappy|dissatisfied|\bbad\b|\bpoor\b", re.IGNORECASE), 2),
    (re.compile(r"一般|还行|凑合|so[- ]so|average|mediocre", re.IGNORECASE), 3),
    (re.compile(r"非常满意|很满意|特别满意|超级满意|very (?:happy|satisfied|good)|excellent|perfect", re.I), 5),
    (re.compile(r"满意|不错|挺好|好评|satisfied|happy|\bgood\b|great", re.IGNORECASE), 4),
)
MAX_RATING_TEXT = 60  # longer messages are not a rating answer, whatever digits they hold


def read_rating(text: str) -> int | None:
    """The rating a short answer gives, or None (a number out of 1–5, a long message, no rating word)."""
    text = normalise((text or "").strip())  # full-width digits, traditional 滿意
    if not text or len(text) > MAX_RATING_TEXT:
        return None
    if match := _DIGIT.search(text):
        return int(match.group(1))
    if match := _ZH_NUMBER.search(text):
        return _ZH_DIGITS[match.group(1)]
    if match := _EN_NUMBER.search(text):
        return _EN_DIGITS[match.group(1).lower()]
    for pattern, score in _WORDS:
        if pattern.search(text):
            return score
    return None
