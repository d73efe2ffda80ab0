"""`CharNgramFeaturizer`: character n-gram counts of the whole normalised text, as sentence features.

Rasa's CountVectorsFeaturizer builds character n-grams from the tokens joined by spaces, so for Chinese every
n-gram stops at a jieba word boundary, and a mis-segmented word in a colloquial review loses its n-grams. This
featurizer reads the normalised text itself: n-grams run across word boundaries (and across the spaces between
Latin words), which measured ~2 macro-F1 points better on real Chinese reviews (README, NLU). It adds sentence
features only; the vocabulary is stored as JSON.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components.base import EachTrainingMessage, read_stored, store_text
from bot.nlu.components.normaliser import ReadsNormalisedText, normalised_text

logger = logging.getLogger(__name__)
VOCABULARY_FILE = "char_ngram_vocabulary.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class CharNgramFeaturizer(ReadsNormalisedText, EachTrainingMessage, SparseFeaturizer, GraphComponent):
    """Counts of character n-grams of the normalised message text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            **SparseFeaturizer.get_default_config(),
            "min_ngram": 1,
            "max_ngram": 4,
            # n-grams seen in fewer training messages are not features.
            "min_df": 1,
            # Keep at most this many n-grams (the most frequent); None keeps all.
            "max_features": None,
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """The n-gram range must be sensible."""
        if not 1 <= int(config["min_ngram"]) <= int(config["max_ngram"]) <= 8:
            raise ValueError("CharNgramFeaturizer needs 1 <= min_ngram <= max_ngram <= 8")

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext, vocabulary: dict[str, int] | None = None,
    ) -> None:
        """A featurizer, fitted when `vocabulary` is given."""
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._vectorizer = self._make_vectorizer(vocabulary) if vocabulary else None

    def _make_vectorizer(self, vocabulary: dict[str, int] | None = None) -> Any:
        from sklearn.feature_extraction.text import CountVectorizer

        return CountVectorizer(
            analyzer="char", lowercase=False,
            ngram_range=(int(self._config["min_ngram"]), int(self._config["max_ngram"])),
            min_df=int(self._config["min_df"]), max_features=self._config["max_features"], vocabulary=vocabulary,
            dtype=float,
        )

    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext,
    ) -> CharNgramFeaturizer:
        """An unfitted featurizer."""
        return cls({**cls.get_default_config(), **config}, model_storage, resource, execution_context)

    def train(self, training_data: TrainingData) -> Resource:
        """Learn the n-gram vocabulary from the training messages."""
        texts = [text for text in (normalised_text(m, TEXT) for m in training_data.training_examples) if text]
        if not texts:
            return self._resource
        vectorizer = self._make_vectorizer()
        vectorizer.fit(texts)
        self._vectorizer = self._make_vectorizer({k: int(v) for k, v in vectorizer.vocabulary_.items()})
        store_text(
            self._model_storage, self._resource, VOCABULARY_FILE,
            json.dumps(self._vectorizer.vocabulary, ensure_ascii=False),
        )
        return self._resource

    @classmethod
    def load(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext, **kwargs: Any,
    ) -> CharNgramFeaturizer:
        """Load the stored vocabulary (an unfitted featurizer when there is none)."""
        config = {**cls.get_default_config(), **config}
        vocabulary = read_stored(
            model_storage, resource, VOCABULARY_FILE, lambda path: json.loads(path.read_text(encoding="utf-8")),
            logger, "char_ngrams.no_stored_vocabulary resource=%s",
        )
        return cls(config, model_storage, resource, execution_context, vocabulary)

    def process_message(self, message: Message) -> None:
        """Add the n-gram counts of the message's normalised text as its sentence features."""
        text = normalised_text(message, TEXT)
        if self._vectorizer is None or not text:
            return
        sentence = scipy.sparse.coo_matrix(self._vectorizer.transform([text]))
        self.add_features_to_message(None, sentence, TEXT, message)
