"""What the rest of a message says about a catalogue match: parts that belong to the product named, and product
words used in set phrases. Framework-free; the catalogue matcher applies it after matching.

* A part kind belongs to some product categories ("主板" is a PC's motherboard but an appliance's main board;
  "风扇" a PC's cooling fan). When the message names a product category, a part that no named product has is
  read as the kind of the same name that one of them has, or dropped ("空调…就跟电风扇一样": no fan part;
  "solar and battery setup … freezer": no battery part). With no category named, the match stands.
* A part that is only compared with ("比风扇都不如") is no part.
* Product words inside set phrases name no product: "over the phone", "phone number", "mobile app",
  "PC case", "PC game".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

_COMPARED = re.compile(r"(比|不如|像|跟|和|与|同)\s*(电)?$")
_PHONE_PHRASE = re.compile(
    r"\b(over|on|by|via) the (phone|mobile)\b|\b(phone|mobile) (number|no|call|calls|line|support|bill|"
    r"plan|app|apps|data|site|website|version|network)\b|\bphone (me|us|them)\b",
    re.I,
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


def compared_part(text: str, start: int) -> bool:
    """Whether a part word is the object of a comparison ("比风扇都不如", "跟电风扇一样")."""
    return bool(_COMPARED.search(text[max(0, start - 3) : start]))


def parts_in_context(
    text: str, matches: Iterable[Match], part_categories: Mapping[str, frozenset[str]],
    alternatives: Mapping[str, tuple[str, ...]], part: str = "part", product_category: str = "product_category",
) -> list[Match]:
    """`matches` with parts read in the light of the product categories the message names (module docstring),
    and product words in set phrases dropped."""
    items = list(matches)
    categories = {
        m.value for m in items if m.entity == product_category and not in_set_phrase(text, m.start, m.end, m.value)
    }
    kept: list[Match] = []
    for item in items:
        if item.entity == product_category and item.value not in categories:
            continue
        if item.entity == part:
            if compared_part(text, item.start):
                continue
            owners = part_categories.get(item.value, frozenset())
            if categories and owners and not owners & categories:
                surface = text[item.start : item.end].lower()
                other = next(
                    (kind for kind in alternatives.get(surface, ()) if part_categories.get(kind, frozenset())
                     & categories), None,
                )
                if other is None:
                    continue
                item = item._replace(value=other)
        kept.append(item)
    return kept
