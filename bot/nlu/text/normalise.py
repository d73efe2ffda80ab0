"""Length-preserving text normalisation, so that offsets found on the normalised text index the original.

`normalise(text)` returns a string of exactly ``len(text)`` characters where

* traditional Chinese is converted to simplified (OpenCC ``t2s``): a run of Han characters is converted as a
  whole (phrase dictionary first) when that keeps its length, else character by character, and a character
  whose conversion is not one character is kept as it is;
* full-width ASCII forms (``Ａ１！``) become half-width, the ideographic space becomes a space, and curly
  quotes become straight ones (``won’t`` -> ``won't``);
* letters are lowercased where the lowercase form is a single character (``İ`` is kept);
* control characters (tabs and newlines included) and lone surrogates become a space.

Emoji, CJK punctuation and every other character are left alone.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

#: Message key under which `TextNormaliser` stores the normalised text for later components.
NORMALISED_TEXT = "normalised_text"

# CJK Unified Ideographs, Extension A, Compatibility Ideographs and the supplementary-plane extensions.
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
_QUOTES = {0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"'}


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    # Built once, on first use: every BMP character that changes (about 1,500 entries). Supplementary-plane
    # letters (rare scripts) are not lowercased.
    table: dict[int, str] = {}
    for code in range(0x10000):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF or unicodedata.category(char) == "Cc":
            table[code] = " "
        elif 0xFF01 <= code <= 0xFF5E:
            table[code] = chr(code - 0xFEE0).lower()
        elif code == 0x3000:
            table[code] = " "
        elif code in _QUOTES:
            table[code] = _QUOTES[code]
        else:
            lower = char.lower()
            if lower != char and len(lower) == 1:
                table[code] = lower
    return table


@lru_cache(maxsize=1)
def _converter() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=65536)
def _simplified_char(char: str) -> str:
    converted: str = _converter().convert(char)
    return converted if len(converted) == 1 else char


@lru_cache(maxsize=4096)
def _simplified_run(run: str) -> str:
    per_char = "".join(_simplified_char(char) for char in run)
    if per_char == run or len(run) == 1:
        return per_char
    # Phrases first (乾隆 stays, 乾燥 becomes 干燥), but only when that keeps every offset.
    phrased: str = _converter().convert(run)
    return phrased if len(phrased) == len(run) else per_char


def normalise(text: str) -> str:
    """Simplified, half-width, lowercased text of exactly the same length as `text` (see the module doc)."""
    folded = text.translate(_table())
    if text.isascii():
        return folded
    return _HAN_RUN.sub(lambda match: _simplified_run(match.group()), folded)
