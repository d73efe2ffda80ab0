"""`LanguageDetector`: tags every message with a `language` entity (zh / en / mixed), see `bot.nlu.language`."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.language import (
    DEFAULT_EN_THRESHOLD,
    DEFAULT_ZH_THRESHOLD,
    LANGUAGE_ENTITY,
    detect_language,
    says_too_little,
)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
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
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        """Create the component (it has nothing to train or persist)."""
        merged = {**cls.get_default_config(), **config}
        if not 0.0 <= float(merged["en_threshold"]) < float(merged["zh_threshold"]) <= 1.0:
            raise ValueError("LanguageDetector needs 0 <= en_threshold < zh_threshold <= 1")
        return cls(merged)

    def process(self, messages: list[Message]) -> list[Message]:
        """Append a `language` entity to every message whose text tells its language."""
        for message in messages:
            text = message.get(TEXT)
            language = detect_language(text, self._zh_threshold, self._en_threshold)
            if language is None or says_too_little(text):
                continue  # "ok", "P60 Pro": the conversation keeps its language (the slot is left as it is)
            entity = {
                "entity": LANGUAGE_ENTITY,
                "value": language,
                "start": 0,
                "end": len(text),
                "confidence": 1.0,
            }
            self.add_extractor_name([entity])
            message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
        return messages
