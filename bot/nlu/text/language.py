"""Detects the language of a text (zh / en / mixed) from its share of Han vs Latin text.

The measure: every Han character counts as one unit, every Latin *word* (a run of Latin letters, with
inner apostrophes, e.g. "won't") counts as one unit. A Han character stands for roughly one syllable and
an English word for one to two, so the units are comparable without a tokenizer. With
``han_share = han / (han + latin)``:

* ``han_share >= zh_threshold`` (default 0.7) -> ``zh``  ("我的iPhone屏幕碎了": 6 / 7)
* ``han_share <= en_threshold`` (default 0.3) -> ``en``  ("I bought it at 京东 last week": 2 / 8)
* anything between                             -> ``mixed``  ("my 空调 is broken": 2 / 5)

Digits, punctuation, emoji and other scripts are ignored; a text with no Han character and no Latin
letter (empty, emoji-only, digits-only) gets no entity. Full-width Latin letters are folded first (NFKC).
"""

from __future__ import annotations

import re
import unicodedata

#: Name of the entity (and of the domain slot it fills).
LANGUAGE_ENTITY = "language"
ZH, EN, MIXED = "zh", "en", "mixed"

DEFAULT_ZH_THRESHOLD = 0.7
DEFAULT_EN_THRESHOLD = 0.3

# CJK Unified Ideographs, Extension A, Compatibility Ideographs and the supplementary-plane extensions:
# simplified and traditional characters alike.
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# Basic Latin plus Latin-1 Supplement / Extended-A / Extended-B letters (café, Müller), apostrophes inside.
_LATIN_WORD = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]+(?:['\u2019][A-Za-z]+)*")


def detect_language(
    text: str | None,
    zh_threshold: float = DEFAULT_ZH_THRESHOLD,
    en_threshold: float = DEFAULT_EN_THRESHOLD,
) -> str | None:
    """Return "zh", "en" or "mixed" for `text`, or None when it holds no Han or Latin letters."""
    if not text:
        return None
    folded = unicodedata.normalize("NFKC", text)
    han = len(_HAN.findall(folded))
    latin = len(_LATIN_WORD.findall(folded))
    if han + latin == 0:
        return None
    han_share = han / (han + latin)
    if han_share >= zh_threshold:
        return ZH
    if han_share <= en_threshold:
        return EN
    return MIXED


#: Latin words that carry no language: acknowledgements every Chinese chat uses, model-name words, brands and
#: product lines (a model number answered to "which model?" is no switch to English).
_NEUTRAL = frozenset(
    "ok okay okk kk k pro max plus ultra mini lite se note fold flip air gt neo "
    "iphone ipad macbook imac galaxy tab pixel mate matebook matepad nova p redmi xiaomi mi huawei honor oppo vivo "
    "oneplus samsung apple lenovo thinkpad ideapad legion dell xps hp lg sony tcl haier midea gree hisense".split()
)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9+\-_.']*")


def says_too_little(text: str | None) -> bool:
    """Whether a Latin-only text is too short to tell the customer's language.

    For example "ok", "P60 Pro", "KFR-35GW", "iPhone 15": such a message keeps the conversation's language instead of
    switching it.
    """
    if not text:
        return True
    folded = unicodedata.normalize("NFKC", text)
    if _HAN.search(folded):
        return False
    tokens = _TOKEN.findall(folded)
    return len(tokens) <= 3 and all(
        any(c.isdigit() for c in token) or token.lower().strip(".'") in _NEUTRAL or token.isupper()
        for token in tokens
    )

