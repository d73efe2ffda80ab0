"""Fast scalar draws from a numpy generator: numbers come in blocks, handed out one at a time."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")


class Draws:
    """Uniform draws from `rng`, buffered; a numpy call per scalar would dominate generation time."""

    def __init__(self, rng: np.random.Generator, block: int = 1 << 16) -> None:
        self._rng = rng
        self._block = block
        self._buffer: list[float] = []
        self._pos = 0

    def random(self) -> float:
        """A float in [0, 1)."""
        if self._pos >= len(self._buffer):
            self._buffer = self._rng.random(self._block).tolist()
            self._pos = 0
        value = self._buffer[self._pos]
        self._pos += 1
        return value

    def integers(self, low: int, high: int) -> int:
        """An integer in [low, high)."""
        return low + int(self.random() * (high - low))

    def uniform(self, low: float, high: float) -> float:
        """A float in [low, high)."""
        return low + self.random() * (high - low)

    def normal_pair(self, clip: float = 3.0) -> tuple[float, float]:
        """Two independent standard normals (Box-Muller), each clipped to ±clip."""
        radius = math.sqrt(-2.0 * math.log(1.0 - self.random()))
        angle = 2.0 * math.pi * self.random()
        return (max(-clip, min(clip, radius * math.cos(angle))), max(-clip, min(clip, radius * math.sin(angle))))

    def pick(self, items: Sequence[T]) -> T:
        """One item, uniformly."""
        return items[int(self.random() * len(items))]

    def sample(self, items: Sequence[T], k: int) -> list[T]:
        """`k` distinct items (fewer if there are not enough), by a partial Fisher-Yates shuffle."""
        pool = list(items)
        k = min(k, len(pool))
        for i in range(k):
            j = i + int(self.random() * (len(pool) - i))
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]
