"""`LanguageDetector`: tags every message with a `language` entity (zh / en / mixed), see `bot.nlu.text.language`."""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components.base import EachMessage, StatelessComponent, append_entities
from bot.nlu.text.language import (
    DEFAULT_EN_THRESHOLD,
    DEFAULT_ZH_THRESHOLD,
    LANGUAGE_ENTITY,
    detect_language,
    says_too_little,
)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetector(EachMessage, StatelessComponent, EntityExtractorMixin):
    """Adds a `language` entity spanning the whole message; it fills the `language` slot."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            # Share of Han units at or above which a message is Chinese.
            "zh_threshold": DEFAULT_ZH_THRESHOLD,
            # Share of Han units at or below which a message is English; in between is "mixed".
            "en_threshold": DEFAULT_EN_THRESHOLD,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        """Keep the thresholds; `create` validates them."""
        self._zh_threshold = float(config["zh_threshold"])
        self._en_threshold = float(config["en_threshold"])

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LanguageDetector:
        """The detector for the merged `config`, once its thresholds are checked."""
        if not 0.0 <= float(config["en_threshold"]) < float(config["zh_threshold"]) <= 1.0:
            raise ValueError("LanguageDetector needs 0 <= en_threshold < zh_threshold <= 1")
        return cls(config)

    def process_message(self, message: Message) -> None:
        """Append a `language` entity to the message when its text tells its language."""
        text = message.get(TEXT)
        language = detect_language(text, self._zh_threshold, self._en_threshold)
        if language is None or says_too_little(text):
            return  # "ok", "P60 Pro": the conversation keeps its language (the slot is left as it is)
        entity = {
            "entity": LANGUAGE_ENTITY,
            "value": language,
            "start": 0,
            "end": len(text),
            "confidence": 1.0,
        }
        self.add_extractor_name([entity])
        append_entities(message, [entity])
