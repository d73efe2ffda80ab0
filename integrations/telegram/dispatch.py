"""Per-chat serial processing: the webhook answers at once while each chat's updates are handled one after another,
in arrival order, by a worker task that lives as long as that chat has updates waiting."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


class ChatQueues(Generic[T]):
    """Queues keyed by chat; `process` runs for each item, one at a time per key, concurrently across keys."""

    def __init__(self, process: Callable[[T], Awaitable[None]], max_pending: int = 2_000,
                 timeout_s: float = 120.0) -> None:
        """`max_pending` bounds the items waiting over all chats; `timeout_s` bounds one item's processing."""
        self._process = process
        self._max_pending = max_pending
        self._timeout_s = timeout_s
        self._queues: dict[Hashable, deque[T]] = {}
        self._workers: dict[Hashable, asyncio.Task[None]] = {}
        self._pending = 0
        self._closed = False

    @property
    def pending(self) -> int:
        """Items accepted and not yet processed (including those being processed)."""
        return self._pending

    def has_room(self) -> bool:
        """Whether a new item would be accepted."""
        return not self._closed and self._pending < self._max_pending

    def submit(self, key: Hashable, item: T) -> None:
        """Queue `item` behind the chat's earlier ones (callers check `has_room` first; a little overshoot is fine)."""
        if self._closed:
            raise RuntimeError("chat queues are closed")
        self._queues.setdefault(key, deque()).append(item)
        self._pending += 1
        if key not in self._workers:
            self._workers[key] = asyncio.create_task(self._work(key))

    async def _work(self, key: Hashable) -> None:
        queue = self._queues[key]
        try:
            while queue:
                item = queue[0]
                try:
                    await asyncio.wait_for(self._process(item), self._timeout_s)
                except asyncio.TimeoutError:
                    logger.error("telegram.update_timeout timeout_s=%.0f", self._timeout_s)
                except Exception:  # noqa: BLE001 - one bad update must not stop the chat's later ones
                    logger.exception("telegram.update_failed")
                finally:
                    queue.popleft()
                    self._pending -= 1
        finally:
            self._queues.pop(key, None)
            self._workers.pop(key, None)

    async def drain(self, timeout_s: float) -> None:
        """Stop accepting; wait up to `timeout_s` for queued items, then cancel what is left."""
        self._closed = True
        workers = list(self._workers.values())
        if not workers:
            return
        _, left = await asyncio.wait(workers, timeout=timeout_s)
        for task in left:
            task.cancel()
        if left:
            logger.warning("telegram.shutdown_dropped chats=%d", len(left))
            await asyncio.gather(*left, return_exceptions=True)
