"""Whether a customer's message says what is wrong with the product, or only names it ("手机", "华为 P60").

Framework-free: it reads a parse result (text and entities with offsets) as Rasa stores it.
"""

from __future__ import annotations

import re
from typing import Any

#: Entities that name the product or the customer, not the problem.
_NOT_A_PROBLEM = frozenset({"brand", "unserved_brand", "product_category", "product_model", "location", "phone",
                            "imei", "serial", "ticket_number", "language", "urgency", "purchase_date"})
_FILLER = re.compile(
    r"[\s\W_]|我的|我家的?|我们的?|家里的?|这个|那个|一台|一部|的|了|是|\b(?:my|our|the|a|an|is|it|its|hi|hello)\b|你好",
    re.I,
)


def describes_a_problem(message: dict[str, Any]) -> bool:
    """Whether a message says what is wrong, beyond naming the product ("手机", "华为 P60", a button payload).

    It does when a symptom or error code is found, or when words are left once the product, the place and the
    filler are taken out.
    """
    text = str(message.get("text") or "")
    if not text.strip() or text.lstrip().startswith("/"):
        return False
    entities = [e for e in message.get("entities") or [] if isinstance(e, dict)]
    if any(e.get("entity") in ("symptom", "error_code", "part") for e in entities):
        return True
    spans = sorted((int(e["start"]), int(e["end"])) for e in entities
                   if e.get("entity") in _NOT_A_PROBLEM and isinstance(e.get("start"), int)
                   and isinstance(e.get("end"), int))
    rest, at = [], 0
    for start, end in spans:
        if start >= at:
            rest.append(text[at:start])
            at = end
    rest.append(text[at:])
    return bool(_FILLER.sub("", "".join(rest)))
