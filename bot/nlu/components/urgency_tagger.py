"""`UrgencyTagger`: the Rasa graph component around `bot.nlu.extraction.urgency` (the rules import no Rasa)."""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components.base import EachMessage, StatelessComponent, replace_own_entities, rule_entity
from bot.nlu.extraction.urgency import NORMAL, URGENCY, detect_urgency
from bot.nlu.text.normalise import NORMALISED_TEXT


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class UrgencyTagger(EachMessage, StatelessComponent, EntityExtractorMixin):
    """Sets `urgency` on every message and, unless it is normal, adds an `urgency` entity on the trigger."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (the lexicon is code: it has no options)."""
        return {}

    def process_message(self, message: Message) -> None:
        """Tag the message with its urgency."""
        text = message.get(TEXT)
        normalised = message.get(NORMALISED_TEXT)
        hit = detect_urgency(text, normalised if isinstance(normalised, str) else None)
        message.set(URGENCY, hit.level if hit is not None else NORMAL, add_to_output=True)
        if hit is None:
            return
        entity = rule_entity(URGENCY, hit.level, hit.start, hit.end)
        self.add_extractor_name([entity])
        # Re-processing replaces this tagger's entity instead of adding a second one.
        replace_own_entities(message, self.name, [entity])
