"""Stores the length-preserving normalised text (`bot.nlu.normalise`) on every message, for later components.

Put it first in the pipeline. The tokenizer and the entity matchers read `message.get(NORMALISED_TEXT)`
(through `normalised_text`, which computes it when this component did not run), so traditional characters,
full-width forms and capitals are folded once per message while every offset still indexes the original text.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.normalise import NORMALISED_TEXT, normalise


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
class TextNormaliser(GraphComponent):
    """Sets `NORMALISED_TEXT` on training and inference messages; adds no features."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (it has no options)."""
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TextNormaliser:
        """Create the component (it has nothing to train or persist)."""
        return cls()

    @staticmethod
    def _normalise(message: Message) -> None:
        text = message.get(TEXT)
        if isinstance(text, str):
            message.set(NORMALISED_TEXT, normalise(text))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalise the text of every training example."""
        for example in training_data.training_examples:
            self._normalise(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Normalise the text of every incoming message."""
        for message in messages:
            self._normalise(message)
        return messages
