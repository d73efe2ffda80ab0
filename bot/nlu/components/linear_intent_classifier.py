"""`LinearIntentClassifier`: one calibrated multinomial logistic regression over sparse and dense features.

The sparse features are TF-IDF-weighted, the dense ones are sentence embeddings.

It reads the sentence-level sparse features that the featurizers before it produced (word and character
n-grams, keyword cues) and the dense sentence features of the encoder (`SentenceEncoderFeaturizer`), so what it
sees is configured in `config.yml` like any Rasa classifier. Its probabilities are temperature-scaled on a
held-out split of the training data (`bot.nlu.model.linear_model`), which is what "did you mean" thresholds read.
The model is stored as plain arrays (`numpy.savez`, no pickle). Measured choices: README, NLU.
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
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components.base import EachMessage, read_stored
from bot.nlu.model.linear_model import LinearModel, fit_linear_model

logger = logging.getLogger(__name__)
MODEL_FILE = "linear_intent_model.npz"


def sentence_features(message: Message, featurizers: list[str] | None) -> scipy.sparse.csr_matrix | None:
    """The message's sentence-level sparse features (all featurizers side by side), or None."""
    _, sentence = message.get_sparse_features(TEXT, featurizers)
    if sentence is None:
        return None
    return scipy.sparse.csr_matrix(sentence.features)


def aligned_row(blocks: list[scipy.sparse.csr_matrix | None], widths: list[int]) -> scipy.sparse.csr_matrix:
    """One row of the featurizers' blocks side by side, a missing block as zeros of its width.

    A message without tokens ("。。。") gets no word features: its other blocks must still land in their own columns.
    """
    parts = []
    for block, width in zip(blocks, widths, strict=True):
        if block is None:
            parts.append(scipy.sparse.csr_matrix((1, width)))
        elif block.shape[1] >= width:
            parts.append(block[:, :width])
        else:
            parts.append(scipy.sparse.hstack([block, scipy.sparse.csr_matrix((1, width - block.shape[1]))]))
    return scipy.sparse.hstack(parts).tocsr()


def dense_sentence_features(message: Message, featurizers: list[str] | None) -> np.ndarray | None:
    """The message's dense sentence features (all dense featurizers side by side) as one row, or None."""
    _, sentence = message.get_dense_features(TEXT, featurizers)
    if sentence is None:
        return None
    return np.asarray(sentence.features, dtype=np.float64).reshape(1, -1)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(EachMessage, GraphComponent, IntentClassifier):
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
            # Use only these featurizers' sparse features (by name); None = all sparse features.
            "featurizers": None,
            # Use these featurizers' dense sentence features (by name); None = all dense features; [] = none.
            "dense_featurizers": None,
            # Scale of the (L2-normalised) dense block beside the TF-IDF rows: its share of the regression.
            "dense_weight": 0.6,
            # Share of the training data held out (stratified) to fit the probability temperature; 0: no calibration.
            "calibration_fraction": 0.15,
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

    def _block_names(self, examples: list[Message]) -> list[str]:
        """The sparse featurizers read, in a fixed order: the configured ones, else every one seen in training."""
        configured = self.component_config["featurizers"]
        if configured:
            return [str(name) for name in configured]
        seen = {
            str(f.origin) for m in examples for f in m.features
            if f.is_sparse() and f.type == FEATURE_TYPE_SENTENCE and f.attribute == TEXT
        }
        return sorted(seen)

    @staticmethod
    def _blocks(message: Message, names: list[str]) -> list[scipy.sparse.csr_matrix | None]:
        return [sentence_features(message, [name]) for name in names]

    def _dense(self, message: Message) -> np.ndarray | None:
        names = self.component_config["dense_featurizers"]
        if names == []:
            return None
        return dense_sentence_features(message, names)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the model on every intent example that has features."""
        blocks, dense_rows, labels = [], [], []
        names = self._block_names(training_data.intent_examples)
        for example in training_data.intent_examples:
            features = self._blocks(example, names)
            if any(block is not None for block in features) and example.get(INTENT):
                blocks.append(features)
                dense_rows.append(self._dense(example))
                labels.append(str(example.get(INTENT)))
        if len(set(labels)) < 2:
            logger.warning("linear_intent.not_trained reason=fewer_than_two_intents")
            return self._resource
        width = next((row.shape[1] for row in dense_rows if row is not None), 0)
        dense = (
            np.vstack([row if row is not None else np.zeros((1, width)) for row in dense_rows]) if width else None
        )
        widths = [
            max((int(block.shape[1]) for row in blocks if (block := row[i]) is not None), default=0)
            for i in range(len(blocks[0]))
        ]
        rows = [aligned_row(row, widths) for row in blocks]
        config = self.component_config
        self._model = fit_linear_model(
            scipy.sparse.vstack(rows).tocsr(), labels, block_widths=widths, block_names=names, dense=dense,
            dense_weight=float(config["dense_weight"]),
            c=float(config["C"]), class_weight=config["class_weight"], min_df=int(config["min_df"]),
            max_iter=int(config["max_iter"]), seed=int(config["random_seed"]),
            calibration_fraction=float(config["calibration_fraction"]),
        )
        logger.info(
            "linear_intent.trained examples=%d dense=%d %s", len(labels), width,
            " ".join(f"{k}={v:.4g}" for k, v in self._model.calibration.items()),
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
        model = read_stored(
            model_storage, resource, MODEL_FILE, LinearModel.load, logger, "linear_intent.no_stored_model resource=%s"
        )
        return cls(config, model_storage, resource, model)

    def _blend(self, probabilities: np.ndarray, message: Message) -> np.ndarray:
        weight = float(self.component_config["blend_previous"])
        earlier = message.get(INTENT_RANKING_KEY) or []
        if weight <= 0 or not earlier or self._model is None:
            return probabilities
        previous = {str(r.get("name")): float(r.get("confidence") or 0.0) for r in earlier}
        other = np.array([previous.get(label, 0.0) for label in self._model.labels])
        return np.asarray((1 - weight) * probabilities + weight * other)

    def process_message(self, message: Message) -> None:
        """Set `intent` and `intent_ranking` on the message."""
        blocks = self._blocks(message, self._model.block_names) if self._model is not None else []
        if self._model is None or all(block is None for block in blocks):
            _set_no_intent(message)
            return
        dense = self._dense(message) if self._model.dense_dimensions else None
        if dense is not None and dense.shape[1] != self._model.dense_dimensions:
            dense = None  # a different encoder than at training time: sparse features only
        widths = self._model.block_widths
        features = aligned_row(blocks, widths) if len(widths) == len(blocks) else None
        if features is None:  # a model trained with other featurizers than configured now
            _set_no_intent(message)
            return
        probabilities = self._blend(self._model.predict_proba(features, dense)[0], message)
        order = np.argsort(-probabilities)[:LABEL_RANKING_LENGTH]
        ranking = [{"name": self._model.labels[i], "confidence": float(probabilities[i])} for i in order]
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


def _set_no_intent(message: Message) -> None:
    message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [], add_to_output=True)
