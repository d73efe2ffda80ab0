"""Adds pattern entities (ticket_number, imei, serial, phone, error_code, purchase_date) to every message.

The patterns live in `bot.nlu.extraction.patterns`; this component runs them on the message text (and the
TextNormaliser's `normalised_text` when it ran first) and appends each span as a Rasa entity with confidence 1.0. A
span that overlaps an entity this extractor already added is skipped (re-processing is idempotent); entities of other
extractors are left alone: the EntityMerger at the end of the pipeline settles conflicts between extractors.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START, EXTRACTOR, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components.base import StatelessComponent, rule_entity
from bot.nlu.extraction.patterns import PRIORITY, Span, extract_all
from bot.nlu.text.normalise import NORMALISED_TEXT

DEFAULT_TIMEZONE = "Asia/Shanghai"


def today_in(zone: tzinfo) -> date:
    """Today's date in `zone` (relative purchase dates are resolved against the customer's calendar day)."""
    return datetime.now(zone).date()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class PatternEntityExtractor(StatelessComponent, EntityExtractorMixin):
    """Extracts ticket numbers, IMEIs, serials, phones, error codes and purchase dates with validated patterns."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            # Entity types to emit (any subset of the six).
            "entities": list(PRIORITY),
            # Read an ambiguous 05/03/2025 as 5 March (True) or 3 May (False); a part above 12 always decides.
            "day_first": True,
            # IANA zone whose calendar day "yesterday" / "三天前" count back from.
            "timezone": DEFAULT_TIMEZONE,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        """Keep the validated config."""
        from zoneinfo import ZoneInfo

        self._entities = frozenset(config["entities"])
        self._day_first = bool(config["day_first"])
        self._zone = ZoneInfo(config["timezone"])

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> PatternEntityExtractor:
        """The extractor for the merged `config`; rejects unknown entity types."""
        unknown = set(config["entities"]) - set(PRIORITY)
        if unknown:
            raise ValueError(f"PatternEntityExtractor cannot extract {sorted(unknown)}; known: {list(PRIORITY)}")
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Append the pattern entities of every message to its `entities`."""
        today = today_in(self._zone)
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            normalised = message.get(NORMALISED_TEXT)
            spans = extract_all(text, today, normalised if isinstance(normalised, str) else None, self._day_first)
            existing = message.get(ENTITIES) or []
            own = [e for e in existing if e.get(EXTRACTOR) == self.name]
            new = [
                rule_entity(span.entity, span.value, span.start, span.end)
                for span in spans
                if span.entity in self._entities and not any(_overlaps(span, entity) for entity in own)
            ]
            if new:
                message.set(ENTITIES, [*existing, *self.add_extractor_name(new)], add_to_output=True)
        return messages


def _overlaps(span: Span, entity: dict[str, Any]) -> bool:
    start, end = entity.get(ENTITY_ATTRIBUTE_START), entity.get(ENTITY_ATTRIBUTE_END)
    return isinstance(start, int) and isinstance(end, int) and span.start < end and start < span.end
