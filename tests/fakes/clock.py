"""Clocks that tests move by hand: a settable wall clock, and a monotonic clock that moves only when slept on."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.db.models import utcnow


class Clock:
    """A settable clock, starting at `now` (the current UTC time unless given); call it to read it."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now: datetime = utcnow() if now is None else now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(seconds=seconds)


class FakeClock:
    """Time that only moves when somebody sleeps (then it jumps by the time asked for)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Record the sleep, jump the clock, and yield to the loop once."""
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)
