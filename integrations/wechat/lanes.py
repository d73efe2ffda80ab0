"""Background work in per-customer order: the webhook answers WeChat at once, the bot's turn runs afterwards.

A slot is reserved in the customer's lane synchronously, when the request is read, so the lane order is the arrival
order even though the request then awaits the database (the replay check) before it hands over the job. A job starts
when every job reserved before it in the same lane has finished; different customers run concurrently.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]
#: A lane's job may not run longer than this (a stuck turn must not block the customer forever).
JOB_TIMEOUT_S = 120.0


class Slot:
    """A reserved place in a lane; fill it with the job to run there, or with None to skip it."""

    def __init__(self, future: asyncio.Future[Job | None]) -> None:
        """Wrap the future the lane waits on."""
        self._future = future

    def fill(self, job: Job | None) -> None:
        """Hand over the job (None: nothing to do). Only the first call counts."""
        if not self._future.done():
            self._future.set_result(job)


class Lanes:
    """Per-key FIFO lanes of background jobs (key: the customer's openid)."""

    def __init__(self, job_timeout_s: float = JOB_TIMEOUT_S) -> None:
        """No lanes yet."""
        self._tails: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._job_timeout_s = job_timeout_s

    def reserve(self, key: str) -> Slot:
        """A slot after everything already reserved under `key`. Fill it, or the lane waits forever."""
        future: asyncio.Future[Job | None] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._run(self._tails.get(key), future))
        self._tails[key] = task
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._finished(key, done))
        return Slot(future)

    @property
    def pending(self) -> int:
        """Jobs reserved and not finished."""
        return len(self._tasks)

    async def drain(self, timeout_s: float) -> None:
        """Wait up to `timeout_s` for pending jobs, then cancel what is left (server shutdown)."""
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=timeout_s)
        for task in late:
            task.cancel()
        if late:
            logger.warning("wechat.lanes_cancelled jobs=%d", len(late))
            await asyncio.wait(late)

    async def _run(self, previous: asyncio.Task[None] | None, future: asyncio.Future[Job | None]) -> None:
        if previous is not None:
            await asyncio.wait({previous})  # its outcome does not matter, only that it is over
        job = await future
        if job is None:
            return
        try:
            await asyncio.wait_for(job(), self._job_timeout_s)
        except asyncio.TimeoutError:
            logger.error("wechat.job_timeout timeout_s=%d", int(self._job_timeout_s))
        except Exception:
            logger.exception("wechat.job_failed")

    def _finished(self, key: str, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._tails.get(key) is task:
            del self._tails[key]
