"""Outbound pacing within Telegram's flood limits: one message a second per chat, thirty a second overall.

When the Bot API answers 429 with `retry_after`, everything pauses (as python-telegram-bot's rate limiter does).

The clock and the sleep are injected so tests run on a fake clock instead of sleeping.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

from telegram.constants import FloodLimit

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

#: How many per-chat reservations we keep before forgetting chats whose next slot has passed.
_PRUNE_AT = 10_000


class Pacer:
    """Hands out send slots: `await acquire(chat_id)` returns when a message to that chat may go out."""

    def __init__(
        self,
        per_chat_interval_s: float = 1.0 / FloodLimit.MESSAGES_PER_SECOND_PER_CHAT,
        per_second: int = FloodLimit.MESSAGES_PER_SECOND,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """Limits and the clock to measure them by."""
        self._interval = per_chat_interval_s
        self._per_second = per_second
        self._clock = clock
        self._sleep = sleep
        self._chat_next: dict[int, float] = {}
        self._recent: deque[float] = deque()  # send times within the last second, oldest first
        self._paused_until = 0.0

    def _earliest(self, chat_id: int, now: float) -> float:
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        at = max(now, self._paused_until, self._chat_next.get(chat_id, now))
        if len(self._recent) >= self._per_second:
            at = max(at, self._recent[0] + 1.0)
        return at

    async def acquire(self, chat_id: int) -> None:
        """Wait for, then take, the next slot for `chat_id` (the sender keeps one chat's messages in order)."""
        while True:
            now = self._clock()
            at = self._earliest(chat_id, now)
            if at <= now:
                break
            await self._sleep(at - now)
        # No await between the check above and this reservation: the slot cannot be taken twice.
        self._chat_next[chat_id] = now + self._interval
        self._recent.append(now)
        if len(self._chat_next) > _PRUNE_AT:
            self._chat_next = {chat: t for chat, t in self._chat_next.items() if t > now}

    def pause(self, seconds: float) -> None:
        """Flood control answered `retry_after`: no message goes out for `seconds`."""
        self._paused_until = max(self._paused_until, self._clock() + max(0.0, seconds))
