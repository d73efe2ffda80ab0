"""`LinearIntentClassifier`: TF-IDF-weighted sparse features into a multinomial logistic regression.

On our data it is as accurate as DIET on real customers' words and trains in seconds instead of minutes (see the
README's NLU section for the measured comparison). It reads the sentence-level sparse features that the
featurizers before it produced (word and character n-grams, keyword cues), so what it sees is configured in
`config.yml` like any Rasa classifier. The model is stored as plain arrays (`numpy.savez`, no pickle).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.linear_model import LinearModel, fit_linear_model

logger = logging.getLogger(__name__)
MODEL_FILE = "linear_intent_model.npz"


def sentence_features(message: Message, featurizers: list[str] | None) -> scipy.sparse.csr_matrix | None:
    """The message's sentence-level sparse features (all featurizers side by side), or None."""
    _, sentence = message.get_sparse_features(TEXT, featurizers)
    if sentence is None:
        return None
    return scipy.sparse.csr_matrix(sentence.features)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Multinomial logistic regression over TF-IDF-weighted sparse sentence features."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Sparse featurizers must run first."""
        return [SparseFeaturizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            # Inverse regularisation strength of the logistic regression.
            "C": 5.0,
            # Weight classes inversely to their frequency, so that small categories are not drowned.
            "class_weight": "balanced",
            # Features below this document frequency in the training data are dropped (1 keeps all).
            "min_df": 1,
            # Use only these featurizers' features (by name); None = all sparse features.
            "featurizers": None,
            "max_iter": 3000,
            "random_seed": 42,
            # Weight of the intent ranking an earlier classifier (DIET) left on the message: the two models'
            # probabilities are averaged with this weight for the earlier one (0 ignores it).
            "blend_previous": 0.0,
        }

    @staticmethod
    def required_packages() -> list[str]:
        """Python packages this component needs."""
        return ["sklearn"]

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
        model: LinearModel | None = None,
    ) -> None:
        """A classifier, trained when `model` is given."""
        self.component_config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        """An untrained classifier."""
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the model on every intent example that has features."""
        rows, labels = [], []
        for example in training_data.intent_examples:
            features = sentence_features(example, self.component_config["featurizers"])
            if features is not None and example.get(INTENT):
                rows.append(features)
                labels.append(str(example.get(INTENT)))
        if len(set(labels)) < 2:
            logger.warning("linear_intent.not_trained reason=fewer_than_two_intents")
            return self._resource
        config = self.component_config
        self._model = fit_linear_model(
            scipy.sparse.vstack(rows).tocsr(), labels, c=float(config["C"]), class_weight=config["class_weight"],
            min_df=int(config["min_df"]), max_iter=int(config["max_iter"]), seed=int(config["random_seed"]),
        )
        self.persist()
        return self._resource

    def persist(self) -> None:
        """Store the arrays of the trained model."""
        if self._model is None:
            return
        with self._model_storage.write_to(self._resource) as directory:
            self._model.save(directory / MODEL_FILE)

    @classmethod
    def load(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext, **kwargs: Any,
    ) -> LinearIntentClassifier:
        """Load the stored arrays; an untrained classifier when there are none."""
        config = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as directory:
                model = LinearModel.load(directory / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            logger.warning("linear_intent.no_stored_model resource=%s", resource.name)
            model = None
        return cls(config, model_storage, resource, model)

    def _blend(self, probabilities: np.ndarray, message: Message) -> np.ndarray:
        weight = float(self.component_config["blend_previous"])
        earlier = message.get(INTENT_RANKING_KEY) or []
        if weight <= 0 or not earlier or self._model is None:
            return probabilities
        previous = {str(r.get("name")): float(r.get("confidence") or 0.0) for r in earlier}
        other = np.array([previous.get(label, 0.0) for label in self._model.labels])
        return np.asarray((1 - weight) * probabilities + weight * other)

    def process(self, messages: list[Message]) -> list[Message]:
        """Set `intent` and `intent_ranking` on every message."""
        for message in messages:
            features = sentence_features(message, self.component_config["featurizers"])
            if self._model is None or features is None:
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            probabilities = self._blend(self._model.predict_proba(features)[0], message)
            order = np.argsort(-probabilities)[:LABEL_RANKING_LENGTH]
            ranking = [{"name": self._model.labels[i], "confidence": float(probabilities[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
