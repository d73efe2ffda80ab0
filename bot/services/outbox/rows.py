"""Claim, record and retry rows of an outbox table: any table with `id`, `status`, `attempts`, `next_attempt_at`.

A row is claimed with a compare-and-set (`UPDATE … WHERE status = 'pending' AND next_attempt_at <= now`) that also
counts the attempt and pushes `next_attempt_at` a lease into the future, so several replicas never send the same
attempt; a worker that dies mid-send leaves a claim that expires after the lease. Only the holder of an attempt
records its outcome (`attempts` still equal), so a claim that outlived its lease never overwrites a newer one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.session import SessionFactory

logger = logging.getLogger(__name__)

PENDING = "pending"
FAILED = "failed"
DEFAULT_RETRY_DELAYS_S: tuple[float, ...] = (30.0, 120.0, 600.0, 3600.0, 6 * 3600.0)
MAX_ERROR_CHARS = 200


def clip_error(error: str | None) -> str | None:
    """An error message as stored on the row: at most `MAX_ERROR_CHARS` characters, None for none."""
    return error[:MAX_ERROR_CHARS] if error else None


@dataclass(frozen=True)
class RetryPolicy:
    """Waits between attempts; the number of attempts is one more than the number of waits."""

    delays_s: tuple[float, ...] = DEFAULT_RETRY_DELAYS_S

    @property
    def max_attempts(self) -> int:
        """Attempts before a row is given up as failed."""
        return len(self.delays_s) + 1

    def delay_after(self, attempts: int) -> float | None:
        """Seconds to wait after `attempts` failed attempts; None when the row has to be given up."""
        return self.delays_s[attempts - 1] if 1 <= attempts <= len(self.delays_s) else None


@dataclass(frozen=True)
class OutboxReport:
    """What one round of an outbox did."""

    created: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0


class Outbox(Protocol):
    """Something a periodic worker runs a round of."""

    async def run_once(self) -> object:
        """One round: enqueue, then send what is due; returns the round's report."""
        ...


async def claim_attempt(session: AsyncSession, model: Any, row_id: int, now: datetime, lease: timedelta) -> bool:
    """Compare-and-set: take the due pending row `row_id` of `model`'s table, count the attempt and lease it."""
    result = await session.execute(
        update(model)
        .where(model.id == row_id, model.status == PENDING, model.next_attempt_at <= now)
        .values(attempts=model.attempts + 1, next_attempt_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # a CursorResult at run time


async def record_attempt(
    sessions: SessionFactory, model: Any, row_id: int, attempts: int, values: dict[str, Any]
) -> None:
    """Write an attempt's outcome, only if this worker still holds it (a claim that outlived its lease does not)."""
    async with sessions() as session, session.begin():
        await session.execute(
            update(model)
            .where(model.id == row_id, model.attempts == attempts)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


async def due_row_ids(sessions: SessionFactory, model: Any, now: datetime, batch: int) -> list[int]:
    """The ids of `model`'s pending rows due at `now`, the longest-waiting first, at most `batch`."""
    async with sessions() as session:
        rows = (
            await session.execute(
                select(model.id)
                .where(model.status == PENDING, model.next_attempt_at <= now)
                .order_by(model.next_attempt_at, model.id)
                .limit(batch)
            )
        ).scalars().all()
    return [int(row_id) for row_id in rows]


async def attempt_each(
    row_ids: Iterable[int], attempt: Callable[[int], Awaitable[str | None]], concurrency: int, name: str
) -> list[str]:
    """Run `attempt` on every row, `concurrency` at once; the statuses of the rows this worker handled.

    One broken row must not stop the others: its crash is logged (`<name>.attempt_crashed`) and its claim expires,
    so it is retried later.
    """
    gate = asyncio.Semaphore(concurrency)

    async def one(row_id: int) -> str | None:
        async with gate:
            try:
                return await attempt(row_id)
            except Exception:
                logger.warning("%s.attempt_crashed id=%s", name, row_id, exc_info=True)
                return None

    results = await asyncio.gather(*(one(row_id) for row_id in row_ids))
    return [status for status in results if status is not None]
