"""Outbound messages: split to Telegram's limit, paced, in order per chat, repeated after a 429's `retry_after`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from integrations.telegram.client import BotApiClient
from integrations.telegram.errors import RetryAfter
from integrations.telegram.pacing import Pacer
from integrations.telegram.render import split_text

logger = logging.getLogger(__name__)

#: Flood control asking for a longer wait than this gives the message up instead of holding the chat.
MAX_RETRY_AFTER_S = 60.0


class Sender:
    """Sends texts and photos through the Bot API within the flood limits."""

    def __init__(self, client: BotApiClient, pacer: Pacer, attempts: int = 3) -> None:
        """The client to send with, the pacer that spaces messages, and how often to try one message."""
        self._client = client
        self._pacer = pacer
        self._attempts = attempts
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    @asynccontextmanager
    async def _chat(self, chat_id: int) -> AsyncIterator[None]:
        # One lock per chat while anyone uses it: the parts of a long text and consecutive replies never interleave.
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._users[chat_id] = self._users.get(chat_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[chat_id] -= 1
            if not self._users[chat_id]:
                del self._users[chat_id], self._locks[chat_id]

    async def send_text(self, chat_id: int, text: str, reply_markup: Mapping[str, Any] | None = None) -> int:
        """Send `text` (split if long; the markup goes with the last part); how many messages went out."""
        parts = split_text(text)
        async with self._chat(chat_id):
            for index, part in enumerate(parts):
                markup = reply_markup if index == len(parts) - 1 else None
                params: dict[str, Any] = {"chat_id": chat_id, "text": part}
                if markup is not None:
                    params["reply_markup"] = dict(markup)
                await self._paced(chat_id, "sendMessage", params)
        return len(parts)

    async def send_photo(self, chat_id: int, photo_url: str) -> None:
        """Send a photo by URL."""
        async with self._chat(chat_id):
            await self._paced(chat_id, "sendPhoto", {"chat_id": chat_id, "photo": photo_url})

    async def _paced(self, chat_id: int, method: str, params: Mapping[str, Any]) -> Any:
        for attempt in range(1, self._attempts + 1):
            await self._pacer.acquire(chat_id)
            try:
                return await self._client.call(method, params)
            except RetryAfter as exc:
                if attempt == self._attempts or exc.retry_after > MAX_RETRY_AFTER_S:
                    raise
                logger.warning("telegram.flood_wait method=%s retry_after_s=%.1f attempt=%d", method,
                               exc.retry_after, attempt)
                self._pacer.pause(exc.retry_after)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
