"""The resources every input channel of one Rasa server shares: one database engine and one aiohttp session.

The engine comes with its session factory and the channel services on it. The `SharedRuntime` lives on the Sanic
app (`app.ctx`), so the channels Rasa mounts on one server find the same object whichever of them comes first. Each
channel `acquire`s it when it opens (at server start, or on its first request) and `release`s it when it closes; the
last release closes the session and the engine, once, whatever the order of the channels' stop listeners.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import aiohttp
from sanic import Blueprint, Sanic
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.session import SessionFactory, create_async_db_engine, make_session_factory
from bot.services.channels.inbox import AttachmentStore, ChannelInbox
from bot.settings import Settings

logger = logging.getLogger(__name__)

#: The shared session's timeouts, for requests that do not set their own.
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=10, connect=5)
_CTX_NAME = "channel_runtime"


@dataclass(frozen=True)
class ChannelResources:
    """What the channels work with while the server runs."""

    http: aiohttp.ClientSession
    engine: AsyncEngine
    sessions: SessionFactory
    inbox: ChannelInbox
    attachments: AttachmentStore


class SharedRuntime:
    """Opens the `ChannelResources` for the first channel that needs them and closes them after the last one."""

    def __init__(self, settings: Settings, http_timeout: aiohttp.ClientTimeout = HTTP_TIMEOUT) -> None:
        """Keep the settings (every channel reads the same environment); nothing is opened yet."""
        self._settings = settings
        self._http_timeout = http_timeout
        self._resources: ChannelResources | None = None
        self._users = 0

    @property
    def users(self) -> int:
        """How many channels hold the resources."""
        return self._users

    def acquire(self) -> ChannelResources:
        """The open resources, opened now if no channel holds them (call inside the running loop)."""
        if self._resources is None:
            engine = create_async_db_engine(self._settings.database_url)
            sessions = make_session_factory(engine)
            self._resources = ChannelResources(aiohttp.ClientSession(timeout=self._http_timeout), engine, sessions,
                                               ChannelInbox(sessions),
                                               AttachmentStore(sessions, self._settings.media_dir))
            logger.info("channels.runtime_opened")
        self._users += 1
        return self._resources

    async def release(self) -> None:
        """One channel fewer; after the last one the HTTP session is closed and the engine disposed of."""
        if self._users == 0:
            return
        self._users -= 1
        if self._users == 0 and self._resources is not None:
            resources, self._resources = self._resources, None
            await resources.http.close()
            await resources.engine.dispose()
            logger.info("channels.runtime_closed")


def shared_runtime(app: Sanic, settings: Settings) -> SharedRuntime:
    """The runtime of the channels mounted on `app` (made, not opened, by the first caller)."""
    runtime = getattr(app.ctx, _CTX_NAME, None)
    if not isinstance(runtime, SharedRuntime):
        runtime = SharedRuntime(settings)
        setattr(app.ctx, _CTX_NAME, runtime)
    return runtime


def mounted_app(blueprint: Blueprint) -> Sanic | None:
    """The app `blueprint` is registered on; None until Rasa (or a test) mounts it."""
    return next(iter(blueprint.apps)) if blueprint.registered else None
