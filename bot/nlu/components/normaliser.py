"""Stores the length-preserving normalised text (`bot.nlu.text.normalise`) on every message, for later components.

Put it first in the pipeline. The tokenizer and the entity matchers read `message.get(NORMALISED_TEXT)`
(through `normalised_text`, which computes it when this component did not run), so traditional characters,
full-width forms and capitals are folded once per message while every offset still indexes the original text.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components.base import EachTrainingMessage, StatelessComponent
from bot.nlu.text.normalise import NORMALISED_TEXT, normalise


def normalised_text(message: Message, attribute: str = TEXT) -> str | None:
    """The normalised form of `message[attribute]` (stored for TEXT, else computed); None when not a string."""
    text = message.get(attribute)
    if not isinstance(text, str):
        return None
    if attribute == TEXT:
        stored = message.get(NORMALISED_TEXT)
        if isinstance(stored, str) and len(stored) == len(text):
            return stored
    return normalise(text)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TextNormaliser(EachTrainingMessage, StatelessComponent):
    """Sets `NORMALISED_TEXT` on training and inference messages; adds no features."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (it has no options)."""
        return {}

    def process_message(self, message: Message) -> None:
        """Store the normalised text of `message` beside its text."""
        text = message.get(TEXT)
        if isinstance(text, str):
            message.set(NORMALISED_TEXT, normalise(text))


class ReadsNormalisedText:
    """A component that reads the normalised text: the normaliser runs before it."""

    @classmethod
    def required_components(cls) -> list[type]:
        """The normaliser runs first (the text is normalised on demand otherwise)."""
        return [TextNormaliser]
