"""A content-hash cache of sentence vectors, so that retraining embeds only the examples that changed.

One file per encoder setting (`<dir>/<sha of the setting>.npz`, arrays `keys` and `vectors`), written atomically
(temporary file, then rename). It lives under `var/` (git-ignored), never in the repository or the model.
A damaged or foreign file is ignored (the vectors are computed again), never trusted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)


def content_key(setting: str, text: str) -> str:
    """The cache key of `text` embedded with `setting` (model and options)."""
    return hashlib.sha256(f"{setting}\x00{text}".encode("utf-8", "surrogatepass")).hexdigest()[:32]


class EmbeddingCache:
    """Vectors by content key, loaded from and saved to one file."""

    def __init__(self, directory: Path, setting: str, dimensions: int) -> None:
        """A cache for one encoder setting; nothing is read until `load`."""
        self._path = directory / f"{hashlib.sha256(setting.encode()).hexdigest()[:16]}.npz"
        self._setting = setting
        self._dimensions = dimensions
        self._vectors: dict[str, np.ndarray] = {}
        self._dirty = False

    @property
    def path(self) -> Path:
        """Where the cache is stored."""
        return self._path

    def __len__(self) -> int:
        return len(self._vectors)

    def key(self, text: str) -> str:
        """The key of `text` under this cache's setting."""
        return content_key(self._setting, text)

    def load(self) -> EmbeddingCache:
        """Read the stored vectors (an unreadable or mismatched file counts as empty)."""
        if not self._path.exists():
            return self
        try:
            with np.load(self._path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
                if vectors.ndim != 2 or vectors.shape[1] != self._dimensions or len(keys) != len(vectors):
                    raise ValueError("shape")
                self._vectors = {str(k): vectors[i] for i, k in enumerate(keys)}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            logger.warning("embedding_cache.unreadable path=%s error=%s", self._path.name, type(exc).__name__)
            self._vectors = {}
        return self

    def get(self, text: str) -> np.ndarray | None:
        """The cached vector of `text`, if any."""
        return self._vectors.get(self.key(text))

    def put(self, text: str, vector: np.ndarray) -> None:
        """Remember the vector of `text`."""
        self._vectors[self.key(text)] = np.asarray(vector, dtype=np.float32)
        self._dirty = True

    def save(self) -> None:
        """Write the cache if it changed (atomically: a crash leaves the old file or the new one)."""
        if not self._dirty:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._vectors), dtype=np.str_)
        vectors = np.stack(list(self._vectors.values())) if self._vectors else np.zeros((0, self._dimensions))
        handle, temporary = tempfile.mkstemp(dir=self._path.parent, suffix=".tmp.npz")
        os.close(handle)
        try:
            np.savez(temporary, keys=keys, vectors=vectors.astype(np.float32))
            os.replace(temporary, self._path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        self._dirty = False
