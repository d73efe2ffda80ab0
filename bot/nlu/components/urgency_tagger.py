"""`UrgencyTagger`: the Rasa graph component around `bot.nlu.urgency` (kept apart so that the rules import no Rasa)."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import ENTITY_ATTRIBUTE_CONFIDENCE_TYPE
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.normalise import NORMALISED_TEXT
from bot.nlu.urgency import NORMAL, URGENCY, detect_urgency


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class UrgencyTagger(GraphComponent, EntityExtractorMixin):
    """Sets `urgency` on every message and, unless it is normal, adds an `urgency` entity on the trigger."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (the lexicon is code: it has no options)."""
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UrgencyTagger:
        """Create the component (it has nothing to train or persist)."""
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Tag every message with its urgency."""
        for message in messages:
            text = message.get(TEXT)
            normalised = message.get(NORMALISED_TEXT)
            hit = detect_urgency(text, normalised if isinstance(normalised, str) else None)
            message.set(URGENCY, hit.level if hit is not None else NORMAL, add_to_output=True)
            if hit is None:
                continue
            entity = {
                ENTITY_ATTRIBUTE_TYPE: URGENCY,
                ENTITY_ATTRIBUTE_VALUE: hit.level,
                ENTITY_ATTRIBUTE_START: hit.start,
                ENTITY_ATTRIBUTE_END: hit.end,
                ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: 1.0,
            }
            self.add_extractor_name([entity])
            # Re-processing replaces this tagger's entity instead of adding a second one.
            others = [e for e in message.get(ENTITIES) or [] if e.get(EXTRACTOR) != self.name]
            message.set(ENTITIES, [*others, entity], add_to_output=True)
        return messages
