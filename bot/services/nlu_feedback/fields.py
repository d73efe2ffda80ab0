"""The fields of a stored example, as the NLU feedback service cleans them: hashes, labels, keys and bounds.

Framework-free; every function takes what a caller sent (any type) and returns the stored form, or raises
`ValidationError` where the service refuses the input.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

from bot.domain.errors import ValidationError
from bot.domain.taxonomy import Category
from bot.nlu.text.language import detect_language
from bot.nlu.text.normalise import normalise
from bot.services.nlu_feedback.types import MAX_MESSAGE_KEY, message_key_of

MAX_CANDIDATES = 10
MAX_ACTOR = 64
MAX_CHANNEL = 24
MAX_INTENT = 64
CATEGORIES = frozenset(c.value for c in Category)
LANGUAGES = ("zh", "en", "mixed")


def conversation_hash(conversation_id: str) -> str:
    """The only form in which a conversation id is stored: its SHA-256, hex."""
    return hashlib.sha256(conversation_id.encode("utf-8", "surrogatepass")).hexdigest()


def text_hash(masked: str) -> str:
    """SHA-256 (hex) of the normalised masked text: equal for texts that differ only in case, width or script."""
    return hashlib.sha256(" ".join(normalise(masked).split()).encode("utf-8", "surrogatepass")).hexdigest()


def label_category(label: Any) -> str | None:
    """`label` when it is one of the triage categories, else None."""
    return label if isinstance(label, str) and label in CATEGORIES else None


def example_language(language: Any, masked: str) -> str:
    """`language` when it is zh, en or mixed; else the language of the masked text (zh when it tells none)."""
    if isinstance(language, str) and language in LANGUAGES:
        return language
    return detect_language(masked) or "zh"


def actor_name(actor: Any) -> str:
    """The stripped, bounded name of who acts (an agent's username); `ValidationError` when there is none."""
    if not isinstance(actor, str) or not actor.strip():
        raise ValidationError("an actor (the agent's username) is required")
    return actor.strip()[:MAX_ACTOR]


def example_key(message_key: Any, masked: str) -> str:
    """The message key of an example: the Rasa timestamp given, else the SHA-256 of the masked text."""
    key = message_key_of(message_key) if message_key not in (None, "") else None
    if message_key not in (None, "") and key is None:
        raise ValidationError(f"message_key must be a Rasa timestamp or at most {MAX_MESSAGE_KEY} characters")
    return key or hashlib.sha256(masked.encode("utf-8", "surrogatepass")).hexdigest()


def candidates_json(candidates: Any) -> str:
    """The "did you mean" intents offered, bounded in number and length, as a JSON list."""
    names = [str(c)[:MAX_INTENT] for c in candidates or [] if isinstance(c, str) and c.strip()][:MAX_CANDIDATES]
    return json.dumps(names, ensure_ascii=False)


def clamped_confidence(value: Any) -> float | None:
    """A confidence clamped to [0, 1] and rounded to 4 places; None when `value` is no number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return round(min(max(float(value), 0.0), 1.0), 4)


def as_utc(value: datetime | None) -> datetime | None:
    """`value` as an aware datetime, a naive one read as UTC (SQLite drops the offset); None stays None."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value  # SQLite drops the offset
