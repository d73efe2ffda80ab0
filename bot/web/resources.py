"""The composition root's resources: what our service opens once at start-up and closes at shutdown.

One database engine and session factory, one outbound `aiohttp.ClientSession` (explicit timeout), one Rasa bridge
over it, and one services container (`bot.services.container`) built over them. They are created in a cleanup
context, never at import time, and stored under the typed keys of `bot.web.keys`; feature modules only read them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import aiohttp
from aiohttp import web

from bot.db.session import create_async_db_engine, make_session_factory
from bot.services.container import build_services
from bot.settings import Settings
from bot.web.keys import (
    BRIDGE_KEY,
    ENGINE_KEY,
    HTTP_CLIENT_KEY,
    RASA_SERVICES_KEY,
    SERVICES_KEY,
    SESSIONS_KEY,
)
from integrations.rasa.bridge import RasaBridge

HTTP_TIMEOUT_S = 30.0  # the shared session's ceiling; each client sets its own, shorter, per request


def resources_ctx(settings: Settings) -> Callable[[web.Application], AsyncIterator[None]]:
    """The cleanup context opening the resources and the services; the app's first, so it closes last."""

    async def resources(app: web.Application) -> AsyncIterator[None]:
        engine = create_async_db_engine(settings.database_url)
        sessions = make_session_factory(engine)
        http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S))
        bridge = RasaBridge(settings.rasa_url, settings.rasa_token, http)
        services = build_services(sessions, settings, rasa=bridge)
        if services.rasa is None:  # cannot happen: they were given the bridge
            raise RuntimeError("the services were built without their Rasa client")
        app[ENGINE_KEY] = engine
        app[SESSIONS_KEY] = sessions
        app[HTTP_CLIENT_KEY] = http
        app[BRIDGE_KEY] = bridge
        app[SERVICES_KEY] = services
        app[RASA_SERVICES_KEY] = services.rasa
        try:
            yield
        finally:
            await http.close()
            await engine.dispose()

    return resources
