"""What the rest of a message says about a catalogue match: parts of the product named, product words in set phrases.

Framework-free; the catalogue matcher applies it after matching.

* A part kind belongs to some product categories ("主板" is a PC's motherboard but an appliance's main board;
  "风扇" a PC's cooling fan). When the message names a product category, a part that no named product has is
  read as the kind of the same name that one of them has; failing that it stands within the same family of
  products (a laptop's "hard drive": our catalogue stocks disks for servers) and is dropped across families
  ("solar and battery setup … freezer": no battery part). With no category named, the match stands.
* A part that is only compared with ("比风扇都不如", "跟电风扇一样") is no part; "压缩机和主板" lists two.
* Model names of lines we do not stock still name their kind of product ("oneplus3 t", "op5t", "Galaxy Note 9",
  "Moto G7", "Pixel 6", "Xoom", "Apple Watch" is not among them: we only read the categories we service).
* Product words inside set phrases name no product: "over the phone", "phone number", "phone is 139…",
  "mobile app", "PC case", "PC game".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

_COMPARED = re.compile(r"(比|不如|像)\s*(电)?$")
_LIKE_BEFORE = re.compile(r"(跟|和|与|同)\s*(电)?$")
_LIKE_AFTER = re.compile(r"^\S{0,4}?(一样|似的|一般|差不多|相比)")
#: Product families: a part of one member is plausibly a part of another (not across families).
FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"phone", "tablet", "laptop", "desktop", "server"}),
    frozenset({"tv"}),
    frozenset({"air_conditioner", "refrigerator", "washing_machine", "water_heater"}),
)
_PHONE_PHRASE = re.compile(
    r"\b(over|on|by|via) the (phone|mobile)\b|\b(phone|mobile) (number|no|call|calls|line|support|bill|"
    r"plan|app|apps|data|site|website|version|network)\b|\bphone (me|us|them)\b"
    r"|\b(phone|mobile|cell)\s*(is|:|#|=)?\s*[+(]?\d[\d )-]{5}",  # "phone is 139 8765 4321": a number
    re.I,
)
_IMPLIED = (
    (re.compile(r"\b(?:oneplus\s?\d{1,2}[a-z]?|op\d{1,2}t?|galaxy\s(?:note|s|a|m|j)\s?\d{1,3}|moto\s?[gexz]\d{0,3}"
                r"|pixel\s?\d[a-z]?|redmi\s?(?:note\s?)?\d{1,2}|nokia\s?\d{3,4}|iphone\s?\d{0,2}|nexus\s?\d)\b", re.I),
     "phone"),
    (re.compile(r"\b(?:xoom|galaxy\stab|kindle\sfire|fire\shd\s?\d{0,2}|surface\s(?:pro|go))\b", re.I), "tablet"),
    (re.compile(r"\b(?:chromebook|zenbook|vivobook|inspiron|latitude\s\d{4}|pavilion\sx?\d{2}|elitebook|aspire)\b",
                re.I), "laptop"),
)
_PC_PHRASE = re.compile(r"\bpc (case|game|games|gamer|gaming|version|port)\b", re.I)


class Match(NamedTuple):
    """A catalogue match: [start, end) in the text, entity type and value."""

    start: int
    end: int
    entity: str
    value: str


def in_set_phrase(text: str, start: int, end: int, category: str) -> bool:
    """Whether the product word at [start, end) is part of a set phrase that names no product."""
    window = text[max(0, start - 12) : end + 12]
    if category == "phone":
        return any(m.start() <= start - max(0, start - 12) < m.end() for m in _PHONE_PHRASE.finditer(window))
    if category == "desktop":
        return any(m.start() <= start - max(0, start - 12) < m.end() for m in _PC_PHRASE.finditer(window))
    return False


def implied_categories(text: str) -> list[Match]:
    """Product categories implied by model names of lines we do not stock, left to right."""
    found = [Match(m.start(), m.end(), "product_category", category)
             for pattern, category in _IMPLIED for m in pattern.finditer(text)]
    return sorted(found)


def compared_part(text: str, start: int, end: int | None = None) -> bool:
    """Whether a part word at [start, end) is the object of a comparison ("比风扇都不如", "跟电风扇一样").

    A part word in a list ("压缩机和主板都坏了") is not.
    """
    before = text[max(0, start - 3) : start]
    if _COMPARED.search(before):
        return True
    after = text[end:] if end is not None else text[start:].lstrip()[2:]
    return bool(_LIKE_BEFORE.search(before) and _LIKE_AFTER.search(after))


def _same_family(owners: frozenset[str], categories: set[str]) -> bool:
    return any(family & owners and family & categories for family in FAMILIES)


def parts_in_context(
    text: str, matches: Iterable[Match], part_categories: Mapping[str, frozenset[str]],
    alternatives: Mapping[str, tuple[str, ...]], part: str = "part", product_category: str = "product_category",
) -> list[Match]:
    """`matches` with parts read in the light of the product categories the message names (module docstring).

    Product words in set phrases are dropped.
    """
    items = list(matches)
    categories = {
        m.value for m in items if m.entity == product_category and not in_set_phrase(text, m.start, m.end, m.value)
    }
    kept: list[Match] = []
    for item in items:
        if item.entity == product_category and item.value not in categories:
            continue
        if item.entity == part:
            if compared_part(text, item.start, item.end):
                continue
            owners = part_categories.get(item.value, frozenset())
            if categories and owners and not owners & categories:
                surface = text[item.start : item.end].lower()
                other = next(
                    (kind for kind in alternatives.get(surface, ()) if part_categories.get(kind, frozenset())
                     & categories), None,
                )
                if other is not None:
                    item = item._replace(value=other)
                elif not _same_family(owners, categories):
                    continue
        kept.append(item)
    return kept
