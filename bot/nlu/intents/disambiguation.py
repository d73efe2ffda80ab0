""""Did you mean": which needs to offer when the intent classifier is unsure, and how to read the answer.

Framework-free: the inputs are Rasa's intent ranking (calibrated probabilities, see `bot.nlu.model.calibration`) and
the customer's reply text. Only triage categories that start a flow are offered (greetings, out-of-scope and the
dialogue intents are never a "need"); "something else" is always offered beside them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.domain.taxonomy import Category

#: The answer that none of the offered needs is right.
OTHER = "other"
#: Categories that name a need the bot can act on.
NEEDS: tuple[str, ...] = tuple(
    c.value for c in Category if c not in (Category.GREET, Category.OUT_OF_SCOPE)
)
#: At most this many needs are offered (plus "something else").
MAX_CANDIDATES = 2
#: A need below this probability is not worth a button.
MIN_PROBABILITY = 0.08

_ORDINALS: dict[str, int] = {
    "1": 0, "一": 0, "第一": 0, "第一个": 0, "first": 0, "the first": 0, "the first one": 0, "first one": 0,
    "2": 1, "二": 1, "第二": 1, "第二个": 1, "second": 1, "the second": 1, "the second one": 1, "second one": 1,
    "3": 2, "三": 2, "第三": 2, "第三个": 2, "third": 2, "the third": 2, "the third one": 2, "third one": 2,
}
_OTHER_WORDS = re.compile(r"^(其他|其它|别的|都不是|都不对|none|neither|something else|other|none of (these|them))$")
_TRIM = re.compile(r"[\s.。!！?？,，~～]+")


def candidate_needs(
    ranking: Iterable[Mapping[str, Any]], max_candidates: int = MAX_CANDIDATES,
    min_probability: float = MIN_PROBABILITY,
) -> list[str]:
    """The most probable needs of an intent ranking, best first (empty when none is plausible)."""
    needs: list[str] = []
    for entry in ranking:
        name, confidence = str(entry.get("name") or ""), float(entry.get("confidence") or 0.0)
        if name in NEEDS and confidence >= min_probability and name not in needs:
            needs.append(name)
        if len(needs) >= max_candidates:
            break
    return needs


def read_choice(text: str | None, offered: Sequence[str]) -> str | None:
    """The need a typed reply picks among the `offered` buttons ("2", "第一个", "other"), `OTHER`, or None."""
    if not text:
        return None
    folded = _TRIM.sub(" ", text.strip().lower()).strip()
    if folded in offered or folded == OTHER:
        return folded
    if _OTHER_WORDS.match(folded):
        return OTHER
    position = _ORDINALS.get(folded)
    if position is None:
        return None
    choices = [*offered, OTHER]
    return choices[position] if position < len(choices) else None
