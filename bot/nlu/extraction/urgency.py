"""Urgency of a customer message: "safety" (a hazard to people), "high" (angry, escalating) or "normal".

A bilingual lexicon of regular expressions run on the match form of the text (`patterns.match_text`: simplified,
half-width, lowercase, same length), so traditional Chinese ("冒煙", "觸電") and full-width text match too and
offsets index the original text. Safety wins over high wherever it occurs; within a level the earliest hit wins.

A lexicon hit is dropped when it is plainly negated: a negator right before it, with only filler words between
("没有冒烟", "没闻到烧焦味", "冒烟也没有起火"... "no smoke", "not sparking", "no smoke or sparks"). Negators are not
looked for further away, so "不知道为什么冒烟了" and "一直不停冒烟" stay safety: a missed hazard costs more than a
false alarm. Shouting (three or more "!", mostly-uppercase English, 😡 🤬) is high and never negated.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

from bot.domain.taxonomy import Priority
from bot.nlu.extraction.patterns import match_text

#: Message key (also in the parse output) and entity name.
URGENCY = "urgency"
Urgency = Literal["safety", "high", "normal"]
SAFETY: Urgency = "safety"
HIGH: Urgency = "high"
NORMAL: Urgency = "normal"

_CLAUSE = r"[^，。,.!?！？;；\n]"
_SAFETY = re.compile(
    "|".join(
        (
            # smoke, burning smell, fire
            r"冒(?:黑|白|青)?烟|烟雾|起烟|烟味|烧焦|焦糊|焦味|糊味|烧" + _CLAUSE + r"{0,2}味",
            # 火星 is a spark only when something gives it off (冒火星, 溅火星); else Mars (火星基地, 火星文)
            r"着火|起火|失火|冒火|火苗|明火|自燃|烧起来|火光|火花|(?:冒|有|溅|迸|打|出|闪|蹦)火星",
            rf"(?:插座|插头|插板|排插|电线|线路|开关|电源|充电器|充电头|电机|主板){_CLAUSE}{{0,3}}(?:打火|冒火|烧|融化)",
            # batteries
            rf"鼓包|(?:电池|后盖|屏幕|机身){_CLAUSE}{{0,3}}(?:鼓起|膨胀|胀)",
            rf"爆炸|自爆|(?:电池|充电宝|电瓶|锂电){_CLAUSE}{{0,3}}(?:炸|爆)",
            # electricity and water
            r"漏电(?!保护|开关|断路)|触电|电击|电到(?:人|我|手)|电人|被电|麻手|手麻|电了一下",
            rf"进水{_CLAUSE}{{0,8}}(?:通电|插电|充电|开机)|(?:通电|插电|充电){_CLAUSE}{{0,8}}进水",
            # gas
            rf"(?:煤气|燃气|天然气|液化气|瓦斯){_CLAUSE}{{0,3}}(?:味|泄漏|泄露|外泄|漏气|漏了)|(?:燃气灶|热水器){_CLAUSE}{{0,3}}漏气",
            # English
            r"\bsmok(?:e|es|ed|ing|y)\b(?!\s*(?:detector|alarm))",
            r"\bburn(?:ing|t)\s+(?:smell|odou?r)|\bsmell(?:s|ed|ing)?\s+(?:like|of)\s+(?:something\s+)?burn(?:ing|t)",
            r"\b(?:caught|catch(?:es|ing)?|on)\s+fire\b",
            # not the fire brigade or a product ("near the fire station", "Fire TV", "fire alarm test")
            r"(?<!amazon )(?<!kindle )\bfire\b(?!\s*(?:tv|stick|tablet|hd|\d|station|stations|department|dept|"
            r"brigade|service|alarm|alarms|extinguisher|exit|door|drill|truck|engine|hydrant|fighters?|m[ae]n|"
            r"safety|escape|insurance|emblem|wall|pit|place|fly))",
            r"\bflames?\b|\bablaze\b|\bspark(?:s|ing|ed)\b|\ba\s+spark\b",
            r"\b(?:swollen|swelling|bulging|bloated|puffed(?:\s+up)?|expanded)\s+(?:\w+\s+)?batter(?:y|ies)\b",
            r"\bbatter(?:y|ies)\s+(?:\w+\s+){0,2}(?:swell\w*|swollen|bulg\w*|bloat\w*|puff\w*|expand\w*)",
            r"\belectric(?:al)?\s+shocks?\b|\b(?:got|get|getting|gave\s+me|giving\s+me)\s+(?:an?\s+)?shock(?:s|ed)?\b",
            r"\bshocked\s+me\b|\belectrocut\w*|\btingl(?:e|es|ed|ing|y)\b",
            r"\bwater\s+(?:\w+\s+){0,4}(?:socket|outlet|plug|power\s+point)s?\b",
            r"\bgas\s+(?:smell|leak\w*|odou?r)|\bsmell(?:s|ed|ing)?\s+(?:of\s+|like\s+)?gas\b|\bleak(?:s|ed|ing)?\s+gas\b",
            r"\bexplo(?:de|des|ded|ding|sion|sions)\b",
        )
    )
)
_HIGH = re.compile(
    "|".join(
        (
            r"投诉|(?<!\d)12315(?!\d)|消协|消费者协会|曝光|媒体|记者|律师|起诉|法院|差评|骗子|骗人|欺诈|坑人",
            r"垃圾(?!桶|处理器|袋|分类|箱|清理|文件)|退一赔三|假一赔三|气死|黑心",
            r"\bworst\b|\bfurious\b|\bdisgust(?:ing|ed)\b|\bscam\w*|\bfraud\w*|\blawyers?\b|\bsu(?:e|ing)\b",
            r"\bbbb\b|better\s+business\s+bureau|\bcharge\s?backs?\b|\bnever\s+again\b|\bunacceptable\b",
        )
    )
)
_SHOUTING = re.compile(r"[!！]{3,}|[😡🤬]")
_CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")
_LATIN = re.compile(r"[A-Za-z]")

_ZH_NEGATED = re.compile(
    r"(?:没有?|无|未|不|并没有?|从没有?|从来没有?)"
    r"(?:有|再|会|见|看到|看见|闻到|发现|任何|什么|出现|一点|明显的?|在|过|也|或者?|和|、|冒烟|烟)*\s*$"
)
_EN_NEGATED = re.compile(
    r"(?:\b(?:no|not|never|without|nor|none|nothing)|n['’]t)"
    r"(?:\s+(?:any|a|an|the|visible|obvious|real|sign|signs|of|more|longer|even|really|actually|smell|smells|"
    r"smelled|see|seen|saw|notice|noticed|detect|detected|been|is|are|was|were|be|it|its|it's|there|or|and|"
    r"smoke|smoking|sparks?|sparking|fire|flames?|burning))*\s*,?\s*$"
)


class UrgencyHit(NamedTuple):
    """The level of an urgent message and the [start, end) span of its trigger in the original text."""

    level: Urgency
    start: int
    end: int


def _negated(t: str, start: int) -> bool:
    before = t[max(0, start - 40) : start]
    return bool(_ZH_NEGATED.search(before) or _EN_NEGATED.search(before))


def _first_hit(pattern: re.Pattern[str], t: str) -> tuple[int, int] | None:
    for match in pattern.finditer(t):
        if not _negated(t, match.start()):
            return match.start(), match.end()
    return None


def _shouting(text: str) -> tuple[int, int] | None:
    match = _SHOUTING.search(text)
    if match:
        return match.start(), match.end()
    caps = list(_CAPS_WORD.finditer(text))
    letters = len(_LATIN.findall(text))
    if len(caps) >= 3 and sum(len(word.group()) for word in caps) >= 0.7 * letters:
        return caps[0].start(), caps[-1].end()
    return None


def detect_urgency(text: str | None, normalised: str | None = None) -> UrgencyHit | None:
    """The urgency of `text` with its trigger span, or None when it is normal."""
    if not text:
        return None
    t = match_text(text, normalised)
    safety = _first_hit(_SAFETY, t)
    if safety is not None:
        return UrgencyHit(SAFETY, *safety)
    high = _first_hit(_HIGH, t) or _shouting(text)
    return UrgencyHit(HIGH, *high) if high is not None else None


def classify_urgency(text: str | None, normalised: str | None = None) -> Urgency:
    """The urgency of a customer message: "safety", "high" or "normal"."""
    hit = detect_urgency(text, normalised)
    return hit.level if hit is not None else NORMAL


def ticket_priority(urgency: str | None, symptom: str) -> Priority:
    """A ticket's priority: safety for a hazard, high when the conversation is angry, else normal.

    A hazard is either the conversation's urgency or the problem itself (鼓包, smoke).
    """
    hit = detect_urgency(symptom)
    if urgency == SAFETY or (hit is not None and hit.level == SAFETY):
        return Priority.SAFETY
    return Priority.HIGH if urgency == HIGH else Priority.NORMAL

