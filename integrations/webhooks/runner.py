"""Runs the webhook outbox beside our aiohttp service (`WEBHOOK_INTERVAL_S`, default 5 s; 0 disables it)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

import aiohttp
from aiohttp import web

from bot.db.session import SessionFactory
from bot.services.periodic import run_periodic
from bot.services.webhooks.outbox import WebhookOutbox
from bot.settings import Settings
from integrations.webhooks.sender import WebhookSender

logger = logging.getLogger(__name__)

WEBHOOK_OUTBOX_KEY: web.AppKey[asyncio.Task[None] | None] = web.AppKey("webhook_outbox")


def setup_webhook_outbox(
    app: web.Application,
    settings: Settings,
    sessions_key: web.AppKey[Any],
    http_key: web.AppKey[aiohttp.ClientSession],
) -> None:
    """Start the outbox after the database (`sessions_key`) and the shared HTTP client (`http_key`) exist."""
    if settings.webhook_interval_s < 0:
        raise ValueError("WEBHOOK_INTERVAL_S must be 0 (off) or a positive number of seconds")
    app.cleanup_ctx.append(_outbox_ctx(settings.webhook_interval_s, sessions_key, http_key))


def _outbox_ctx(
    interval_s: float, sessions_key: web.AppKey[Any], http_key: web.AppKey[aiohttp.ClientSession]
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def outbox(app: web.Application) -> AsyncIterator[None]:
        task: asyncio.Task[None] | None = None
        if interval_s > 0:
            sessions = cast(SessionFactory, app[sessions_key])
            worker = WebhookOutbox(sessions, WebhookSender(app[http_key]))
            task = asyncio.create_task(run_periodic("webhook_outbox", interval_s, worker.run_once))
            logger.info("webhook_outbox_started interval_s=%s", interval_s)
        app[WEBHOOK_OUTBOX_KEY] = task
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return outbox
