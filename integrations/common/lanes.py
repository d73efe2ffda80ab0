"""Per-conversation lanes: one job at a time per conversation, in arrival order, conversations side by side.

A channel answers the platform at once and runs the slow part (the bot's turn) afterwards, in the conversation's
lane. A slot can be reserved synchronously, while the request is read, and filled once the request has awaited
something (the replay check): the lane order is then the arrival order. `submit` reserves and fills in one step. A job
starts when every job reserved before it in the same lane has finished; a lane exists only while it has jobs. One job
may not run longer than `job_timeout_s` (a stuck turn must not block the customer forever); a failing job is logged
and the lane goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]
#: A lane's job may not run longer than this.
JOB_TIMEOUT_S = 120.0
#: Jobs waiting or running over all lanes beyond which `has_room` says no (the channel then answers "busy").
MAX_PENDING = 2_000


@dataclass(frozen=True)
class LaneEvents:
    """The names one channel's lanes log under (stable: operators' alerts match them)."""

    failed: str
    timeout: str
    dropped: str


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
    """Per-key FIFO lanes of background jobs (key: the conversation, e.g. a Telegram chat or a WeChat openid)."""

    def __init__(self, events: LaneEvents, *, job_timeout_s: float = JOB_TIMEOUT_S,
                 max_pending: int = MAX_PENDING) -> None:
        """No lanes yet; `events` names the log lines, `max_pending` bounds what `has_room` accepts."""
        self._events = events
        self._job_timeout_s = job_timeout_s
        self._max_pending = max_pending
        self._tails: dict[Hashable, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def pending(self) -> int:
        """Jobs reserved and not finished (including those running)."""
        return len(self._tasks)

    def has_room(self) -> bool:
        """Whether a new job would be welcome (callers check first; a little overshoot is fine)."""
        return not self._closed and len(self._tasks) < self._max_pending

    def reserve(self, key: Hashable) -> Slot:
        """A slot after everything already reserved under `key`. Fill it, or the lane waits forever."""
        if self._closed:
            raise RuntimeError("the lanes are closed")
        future: asyncio.Future[Job | None] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._run(self._tails.get(key), future))
        self._tails[key] = task
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._finished(key, done))
        return Slot(future)

    def submit(self, key: Hashable, job: Job) -> None:
        """Queue `job` behind the lane's earlier ones."""
        self.reserve(key).fill(job)

    async def drain(self, timeout_s: float) -> None:
        """Wait up to `timeout_s` for pending jobs, then cancel what is left."""
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=timeout_s)
        for task in late:
            task.cancel()
        if late:
            logger.warning("%s jobs=%d", self._events.dropped, len(late))
            await asyncio.wait(late)

    async def close(self, timeout_s: float) -> None:
        """Stop accepting jobs, then `drain` (server shutdown)."""
        self._closed = True
        await self.drain(timeout_s)

    async def _run(self, previous: asyncio.Task[None] | None, future: asyncio.Future[Job | None]) -> None:
        if previous is not None:
            await asyncio.wait({previous})  # its outcome does not matter, only that it is over
        job = await future
        if job is None:
            return
        try:
            await asyncio.wait_for(job(), self._job_timeout_s)
        except asyncio.TimeoutError:
            logger.error("%s timeout_s=%d", self._events.timeout, int(self._job_timeout_s))
        except Exception:  # noqa: BLE001 - one bad job must not stop the conversation's later ones
            logger.exception(self._events.failed)

    def _finished(self, key: Hashable, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._tails.get(key) is task:
            del self._tails[key]
