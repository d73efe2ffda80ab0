"""When a brand name in a message is the customer's brand: @support handles, everyday words, comparisons.

Plain rules over *normalised* text (`bot.nlu.text.normalise`, same length as the original), shared by the NLU's
`CatalogueEntityExtractor` and by `CatalogueService` for free-text answers:

* `HandleResolver` reads a support handle ("AppleSupport", "Lenovo_in", "AskPlayStation", "SamsungUK"): one of a
  brand's listed handles, or a brand's ASCII name or alias inside support-style affixes (prefixes ask/team/the/hey;
  suffixes support, care, help, service, official, global …; country codes; underscores and digits). A name of
  one or two letters ("HP", "LG") needs a support word or a visible boundary (``HP_UK``, ``HPIndia``), so that
  "@mius" is not Xiaomi; an affix alone ("@Support") or a name inside a longer word ("@Mapplesoft") names nothing.
* `EVERYDAY_WORDS` are brand names that are ordinary words ("brother", "兄弟", "sharp"): they name a brand only in
  a handle or in a longer alias ("Brother printer"); `FALSE_FRIENDS` are phrases in which a brand name is not one
  ("螺丝松下来了", "中兴路", "对方太差").
* `is_comparison` tells a brand the customer compares with from the one they own: "建议买格力", "别人家的格力",
  "比联想等牌子少", "better than Dell", "switch to Samsung", "go with LG instead".
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Generic, TypeVar

from bot.nlu.text.normalise import HAN_CLASS

T = TypeVar("T")

#: A handle as typed: "@" not right after a Latin letter or digit (so not an e-mail address; "求助@HPSupport" is
#: one), then Twitter's alphabet.
HANDLE = re.compile(r"(?<![A-Za-z0-9_@.])@([A-Za-z0-9_]{2,30})(?![A-Za-z0-9_])")

_STRONG_PREFIXES = ("ask", "team")
_WEAK_PREFIXES = ("the", "hey")
_SUPPORT_SUFFIXES = (
    "support", "care", "cares", "help", "helps", "service", "services", "cs", "official", "global", "customer",
    "helpdesk",
)
_COUNTRY_SUFFIXES = (
    "uk", "uki", "us", "usa", "in", "india", "ca", "au", "cn", "de", "fr", "it", "es", "jp", "kr", "sg", "my",
    "ph", "nz", "ie", "za", "ae", "mx", "br", "eu", "hk", "tw",
)
_MIN_UNMARKED_NAME = 3  # names shorter than this need a support word or a visible boundary

#: Normalised brand names that are everyday words: matched only in handles and longer aliases.
EVERYDAY_WORDS: frozenset[str] = frozenset({"brother", "兄弟", "sharp", "beats", "aux", "macro", "一加", "方太"})

#: Normalised brand surface -> phrases (normalised) in which that surface is not the brand.
FALSE_FRIENDS: Mapping[str, tuple[str, ...]] = {
    "松下": ("放松下", "轻松下", "宽松下", "松下来", "松下去"),
    "中兴": ("中兴路", "中兴街", "中兴大道", "中兴镇", "中兴村", "中兴小区", "中兴里"),
    "长虹": ("长虹路", "长虹街", "长虹桥", "长虹大道", "长虹小区"),
    "大金": ("大金额", "大金链", "大金毛", "大金牙", "大金主"),
    "万和": ("万和路", "万和城"),
    "林内": ("树林内", "园林内", "丛林内", "森林内"),
    "日立": ("日立即", "日立刻", "日立案"),
    "佳能": ("最佳能", "佳能效"),
    "真我": ("做真我", "真我本色"),
    "google": ("google maps", "google play", "google search", "google translate", "google it", "google review"),
}

_ZH_STOP = "我，。！？!?；;：:,.\n"  # a comparison's cue and brand are in one clause, and not "比我的格力"
_ZH_BEFORE = re.compile(
    f"(?:(?:比不上|还不如|不如|比起|比(?![较如方]))[^{_ZH_STOP}]{{0,3}}"
    f"|(?:建议大家买|建议买|还是买)[^{_ZH_STOP}]{{0,2}}"
    f"|(?<![帮给替])别人家?[^{_ZH_STOP}]{{0,2}})"  # not "帮别人买的格力": bought for someone, still the product
    r"\s*@?$"
)
_ZH_AFTER = re.compile(f"^[^{_ZH_STOP}]{{0,4}}?等(?:大品牌|大牌|牌子|品牌)")
_EN_ARTICLES = r"(?:\s+(?:a|an|the|some|other|those|these|any))*"
_EN_BEFORE = re.compile(
    r"(?:\b(?:better|worse|cheaper|nicer|faster|slower|more reliable|less reliable) than|\bunlike"
    r"|\bswitch(?:ed|ing)?(?: over)? to|\bcompared (?:to|with)|\brather than|\binstead of)"
    f"{_EN_ARTICLES}" r"\s+@?$"
)
_EN_INSTEAD_BEFORE = re.compile(
    r"\b(?:go|going|went|gone|get|buy|choose|pick)(?: with| for)?" f"{_EN_ARTICLES}" r"\s+@?$"
)
_EN_INSTEAD_AFTER = re.compile(r"^[^.!?,;]{0,20}?\binstead\b(?! of)")
_HAN = re.compile(f"[{HAN_CLASS}]")
_WORD = re.compile(r"[a-z0-9]")


def handle_key(text: str) -> str:
    """What a name or handle is compared by: lowercase letters and digits ("Black+Decker" -> "blackdecker")."""
    return "".join(char for char in text.lower() if char.isascii() and char.isalnum())


def handle_spans(text: str) -> list[tuple[int, int]]:
    """The [start, end) spans of the @handles in `text`, without the "@"."""
    return [match.span(1) for match in HANDLE.finditer(text)]


def _marked(handle: str, at: int) -> bool:
    # A visible boundary between handle[:at] and handle[at:]: an underscore, letters meeting digits, or case.
    before, after = handle[at - 1], handle[at]
    if "_" in (before, after) or before.isdigit() != after.isdigit():
        return True
    if before.islower() and after.isupper():
        return True
    return before.isupper() and after.isupper() and at + 1 < len(handle) and handle[at + 1].islower()


class HandleResolver(Generic[T]):
    """Reads support handles: a listed handle, or a brand name inside support-style affixes (module doc)."""

    def __init__(self, names: Iterable[tuple[str, T]]) -> None:
        """`names`: (ASCII name, alias or handle, value) pairs; the first value listed for a key is kept."""
        self._names: dict[str, T] = {}
        for name, value in names:
            key = handle_key(name)
            if len(key) >= 2 and not key.isdigit():
                self._names.setdefault(key, value)

    def __bool__(self) -> bool:
        return bool(self._names)

    def resolve(self, handle: str) -> T | None:
        """The value the handle (without "@", as typed) names, or None."""
        lower = handle.lower()
        size = len(lower)
        queue: deque[tuple[int, int, bool]] = deque([(0, size, False)])
        seen = {(0, size, False)}
        while queue:  # fewest affixes first: a listed handle wins over a name found inside it
            start, end, strong = queue.popleft()
            core = lower[start:end].replace("_", "")
            value = self._names.get(core) if core else None
            if value is not None and self._accepts(handle, start, end, len(core), strong):
                return value
            for state in self._stripped(lower, start, end, strong):
                if state[0] < state[1] and state not in seen:
                    seen.add(state)
                    queue.append(state)
        return None

    @staticmethod
    def _accepts(handle: str, start: int, end: int, core_size: int, strong: bool) -> bool:
        if (start, end) == (0, len(handle)) or core_size >= _MIN_UNMARKED_NAME or strong:
            return True
        return (start == 0 or _marked(handle, start)) and (end == len(handle) or _marked(handle, end))

    @staticmethod
    def _stripped(lower: str, start: int, end: int, strong: bool) -> list[tuple[int, int, bool]]:
        states = []
        if lower[start] == "_" or lower[start].isdigit():
            states.append((start + 1, end, strong))
        if lower[end - 1] == "_" or lower[end - 1].isdigit():
            states.append((start, end - 1, strong))
        for prefix in (*_STRONG_PREFIXES, *_WEAK_PREFIXES):
            if lower.startswith(prefix, start, end):
                states.append((start + len(prefix), end, strong or prefix in _STRONG_PREFIXES))
        for suffix in (*_SUPPORT_SUFFIXES, *_COUNTRY_SUFFIXES):
            if lower.endswith(suffix, start, end):
                states.append((start, end - len(suffix), strong or suffix in _SUPPORT_SUFFIXES))
        return states


def is_false_friend(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] lies in a phrase where that brand name is an ordinary word ("螺丝松下来了")."""
    surface = text[start:end]
    for phrase in FALSE_FRIENDS.get(surface, ()):
        offset = phrase.find(surface)
        while offset >= 0:
            if start - offset >= 0 and text.startswith(phrase, start - offset):
                return True
            offset = phrase.find(surface, offset + 1)
    return False


def is_comparison(text: str, start: int, end: int) -> bool:
    """Whether the brand at text[start:end] (normalised text) is only compared with, not the customer's own."""
    before, after = text[:start], text[end:]
    if _ZH_BEFORE.search(before) or _ZH_AFTER.match(after):
        return True
    if _EN_BEFORE.search(before):
        return True
    return bool(_EN_INSTEAD_BEFORE.search(before) and _EN_INSTEAD_AFTER.match(after))


def _on_word_boundaries(text: str, start: int, end: int) -> bool:
    # Han names match anywhere; a Latin name or its Latin end must not run on into a word ("mi" in "remind").
    if not _HAN.match(text[start]) and start > 0 and _WORD.match(text[start - 1]):
        return False
    return _HAN.match(text[end - 1]) is not None or end == len(text) or not _WORD.match(text[end])


def find_named(text: str, names: Mapping[str, T], handles: HandleResolver[T] | None = None) -> T | None:
    """The brand a free-text answer names, or None: an @handle first, then names longest first.

    `text` is normalised; `names` maps normalised names to values. ASCII names must stand on word boundaries;
    everyday words, false friends and comparisons do not count.
    """
    if handles:
        for start, end in handle_spans(text):
            found = handles.resolve(text[start:end])
            if found is not None and not is_comparison(text, start, end):
                return found
    for name in sorted(names, key=len, reverse=True):
        if len(name) < 2 or name in EVERYDAY_WORDS:
            continue
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            if _on_word_boundaries(text, start, end) and not (
                is_false_friend(text, start, end) or is_comparison(text, start, end)
            ):
                return names[name]
            start = text.find(name, start + 1)
    return None
