"""Polling mode (TELEGRAM_MODE=polling) for local use without a public URL.

A background task long-polls getUpdates and feeds every update through the same handler as the webhook. Started and
stopped with the Rasa server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from integrations.telegram.client import BotApiClient
from integrations.telegram.errors import BotApiError, TelegramError
from integrations.telegram.handler import Outcome
from integrations.telegram.inbound import InvalidUpdate
from integrations.telegram.pacing import Sleep

logger = logging.getLogger(__name__)

#: The update kinds the channel acts on (others are not even delivered).
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
_BUSY_WAIT_S = 1.0


class Poller:
    """Long-polls getUpdates and hands each update to `accept`; `start()` and `stop()` bracket its life."""

    def __init__(self, client: BotApiClient, accept: Callable[[Mapping[str, Any]], Awaitable[object]], *,
                 is_busy: Callable[[], bool] = lambda: False, poll_timeout_s: int = 25,
                 max_backoff_s: float = 30.0, sleep: Sleep = asyncio.sleep) -> None:
        """`accept` is the handler's entry point; `is_busy` holds polling back while too many updates wait."""
        self._client = client
        self._accept = accept
        self._is_busy = is_busy
        self._poll_timeout_s = poll_timeout_s
        self._max_backoff_s = max_backoff_s
        self._sleep = sleep
        self._offset: int | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """Whether the polling task is alive."""
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the polling task."""
        if not self.running:
            self._task = asyncio.create_task(self.run(), name="telegram-polling")

    async def stop(self) -> None:
        """Cancel the polling task and wait for it (an update being handed over is finished first)."""
        if self._task is None:
            return
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None
        logger.info("telegram.polling_stopped")

    async def run(self) -> None:
        """Poll until cancelled, backing off on errors."""
        backoff = 1.0
        await self._delete_webhook()
        logger.info("telegram.polling_started")
        while True:
            try:
                if self._is_busy():
                    await self._sleep(_BUSY_WAIT_S)
                    continue
                await self.poll_once()
                backoff = 1.0
            except TelegramError as exc:
                code = exc.error_code if isinstance(exc, BotApiError) else "-"
                logger.warning("telegram.polling_error error=%s code=%s retry_in_s=%.0f", type(exc).__name__,
                               code, backoff)
            except Exception:  # noqa: BLE001 - e.g. the database is down: keep polling, the update comes again
                logger.exception("telegram.polling_failed retry_in_s=%.0f", backoff)
            else:
                continue
            await self._sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff_s)

    async def poll_once(self) -> int:
        """One getUpdates round; how many updates were handed over."""
        updates = await self._client.get_updates(self._offset, self._poll_timeout_s, ALLOWED_UPDATES)
        handed = 0
        for update in updates:
            update_id = update.get("update_id") if isinstance(update, dict) else None
            if not isinstance(update_id, int):
                continue
            try:
                outcome = await asyncio.shield(self._accept(update))  # a stop() while handing over loses nothing
            except InvalidUpdate:
                logger.warning("telegram.polling_invalid_update update_id=%d", update_id)
                outcome = None
            if outcome is Outcome.BUSY:
                return handed  # not confirmed: getUpdates delivers it again
            self._offset = update_id + 1
            handed += 1
        return handed

    async def _delete_webhook(self) -> None:
        try:
            await self._client.delete_webhook()
        except TelegramError as exc:
            logger.warning("telegram.delete_webhook_failed error=%s", type(exc).__name__)
