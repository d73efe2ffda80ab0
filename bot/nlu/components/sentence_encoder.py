"""`SentenceEncoderFeaturizer`: dense sentence features from the bundled multilingual encoder (`bot.nlu.model.encoder`).

It embeds the *normalised* text (traditional folded to simplified, full-width to half-width), so that
繁體 and 简体 messages meet the classifier alike. During training the vectors are computed in batches and kept in
a content-hash cache under `var/` (`cache_dir`): a retrain embeds only new or changed examples. At inference a
message is embedded on its own; texts beyond `max_tokens` are cut to head and tail, which bounds the latency.
A message with nothing to embed gets no features (the classifier then reads zeros), never an error.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components.normaliser import ReadsNormalisedText, normalised_text
from bot.nlu.model.embedding_cache import EmbeddingCache
from bot.nlu.model.encoder import DIMENSIONS, EncoderConfig, SentenceEncoder
from bot.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(ReadsNormalisedText, DenseFeaturizer, GraphComponent):
    """Adds the message's e5 sentence embedding (384 floats) as a dense sentence feature."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            **DenseFeaturizer.get_default_config(),
            # Longer texts are cut to head + tail: the encoder's cost grows with every token (~0.6 ms here).
            "max_tokens": 64,
            # e5's prompt: "query" for classification, "passage" for documents.
            "prefix": "query",
            # Texts embedded per call of the C engine during training.
            "batch_size": 64,
            # Training-time cache of vectors by content hash (relative paths: from the project root).
            "cache_dir": "var/cache/encoder",
            # OpenMP threads when serving (training uses every core): one keeps a busy server's tail latency flat.
            "serve_threads": 1,
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Options must be sensible."""
        if not 24 <= int(config["max_tokens"]) <= 512:
            raise ValueError("SentenceEncoderFeaturizer needs 24 <= max_tokens <= 512")
        if config["prefix"] not in ("query", "passage"):
            raise ValueError("SentenceEncoderFeaturizer prefix must be 'query' or 'passage'")

    def __init__(
        self, config: dict[str, Any], execution_context: ExecutionContext, encoder: SentenceEncoder | None = None,
        threads: int | None = None,
    ) -> None:
        """A featurizer over `encoder` (the bundled model when None, with `threads` OpenMP threads)."""
        super().__init__(execution_context.node_name, config)
        settings = EncoderConfig(max_tokens=int(config["max_tokens"]), prefix=str(config["prefix"]))
        self._encoder = encoder or SentenceEncoder(settings, threads=threads)

    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEncoderFeaturizer:
        """Load the bundled encoder (nothing is trained or stored: the weights ship in the wheel)."""
        return cls({**cls.get_default_config(), **config}, execution_context)

    @classmethod
    def load(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext, **kwargs: Any,
    ) -> SentenceEncoderFeaturizer:
        """The serving instance: the same encoder, capped at `serve_threads` OpenMP threads."""
        merged = {**cls.get_default_config(), **config}
        return cls(merged, execution_context, threads=int(merged["serve_threads"]) or None)

    def _cache(self) -> EmbeddingCache:
        directory = Path(self._config["cache_dir"])
        if not directory.is_absolute():
            directory = PROJECT_ROOT / directory
        return EmbeddingCache(directory, self._encoder.config.key, DIMENSIONS).load()

    def _add(self, message: Message, vector: np.ndarray | None) -> None:
        if vector is not None:
            self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Embed every training example, in batches, through the content-hash cache."""
        started = time.perf_counter()
        examples = [m for m in training_data.training_examples if normalised_text(m, TEXT)]
        prepared = [self._encoder.prepare(normalised_text(m, TEXT)) for m in examples]
        cache = self._cache()
        missing = sorted({text for text in prepared if text is not None and cache.get(text) is None})
        vectors = self._encoder.embed_prepared(missing, int(self._config["batch_size"]))
        for fresh, vector in zip(missing, vectors, strict=True):
            if vector is not None:
                cache.put(fresh, vector)
        try:
            cache.save()
        except OSError as exc:  # a read-only checkout still trains; the next run embeds again
            logger.warning("sentence_encoder.cache_not_saved error=%s", type(exc).__name__)
        for message, prepared_text in zip(examples, prepared, strict=True):
            self._add(message, cache.get(prepared_text) if prepared_text is not None else None)
        logger.info(
            "sentence_encoder.training_embedded examples=%d embedded=%d cached=%d seconds=%.1f",
            len(examples), len(missing), len(examples) - len(missing), time.perf_counter() - started,
        )
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Embed every incoming message."""
        texts = [normalised_text(m, TEXT) for m in messages]
        vectors = self._encoder.encode([t or "" for t in texts], int(self._config["batch_size"]))
        for message, vector in zip(messages, vectors, strict=True):
            self._add(message, vector)
        return messages
