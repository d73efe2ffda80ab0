"""aiohttp app factory. Resources are created in `cleanup_ctx`, never at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import __version__
from bot.db.session import create_async_db_engine, make_session_factory
from bot.settings import Settings
from bot.web.agent_console import setup_agent_console
from bot.web.chat import setup_web_chat
from bot.web.chat_updates import setup_chat_updates
from bot.web.conversation_api import setup_conversation_api
from bot.web.dashboard_api import setup_dashboard_api
from bot.web.handoff_api import HTTP_CLIENT_KEY, setup_handoff_api
from bot.web.nlu_feedback_api import setup_nlu_feedback_api
from bot.web.openapi import setup_openapi
from bot.web.provider_api import setup_provider_api
from bot.web.provider_portal import setup_provider_portal
from bot.web.provider_telegram_webhook import setup_provider_telegram
from integrations.webhooks.runner import setup_webhook_outbox

logger = logging.getLogger(__name__)

SETTINGS_KEY = web.AppKey("settings", Settings)
ENGINE_KEY = web.AppKey("engine", AsyncEngine)
SESSIONS_KEY = web.AppKey("sessions", object)


def _database_ctx(settings: Settings):  # type: ignore[no-untyped-def]
    async def database(app: web.Application) -> AsyncIterator[None]:
        engine = create_async_db_engine(settings.database_url)
        app[ENGINE_KEY] = engine
        app[SESSIONS_KEY] = make_session_factory(engine)
        yield
        await engine.dispose()

    return database


async def healthz(request: web.Request) -> web.Response:
    """Liveness and database reachability: 200 when the database answers, else 503."""
    engine = request.app[ENGINE_KEY]
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not healthy"; logged once here
        logger.warning("healthz_database_unreachable", exc_info=True)
        return web.json_response({"status": "unavailable", "database": "down"}, status=503)
    return web.json_response({"status": "ok", "database": "up", "version": __version__})


@web.middleware
async def error_middleware(request: web.Request, handler):  # type: ignore[no-untyped-def]
    """Unexpected errors become a JSON 500 without internals; HTTP errors pass through as JSON."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status >= 400 and exc.content_type != "application/json":
            return web.json_response({"error": exc.reason}, status=exc.status)
        raise
    except Exception:
        logger.exception("unhandled_error path=%s", request.path)
        return web.json_response({"error": "internal error"}, status=500)


def create_app(settings: Settings) -> web.Application:
    """Build our service: `/healthz` now; provider API, agent console and web chat mount here later."""
    app = web.Application(middlewares=[error_middleware], client_max_size=1024 * 1024)
    app[SETTINGS_KEY] = settings
    app.cleanup_ctx.append(_database_ctx(settings))
    setup_handoff_api(app, settings, SESSIONS_KEY)  # after the database: its context uses the session factory
    setup_provider_api(app, settings, SESSIONS_KEY)  # likewise; also starts the SLA sweeper
    setup_webhook_outbox(app, settings, SESSIONS_KEY, HTTP_CLIENT_KEY)  # after the database and the HTTP client
    setup_provider_telegram(app, settings, SESSIONS_KEY, HTTP_CLIENT_KEY)  # after the provider API and HTTP client
    setup_provider_portal(app)
    setup_conversation_api(app, settings, SESSIONS_KEY)  # after the handoff API: its outbox uses the Rasa bridge
    setup_agent_console(app, settings, SESSIONS_KEY)  # after the handoff API: it uses its Rasa bridge
    setup_dashboard_api(app, SESSIONS_KEY)
    setup_nlu_feedback_api(app, SESSIONS_KEY)  # after the handoff API: it reads trackers through its Rasa bridge
    setup_openapi(app)
    app.router.add_get("/healthz", healthz)
    setup_web_chat(app, settings)
    setup_chat_updates(app)  # after the conversation API, whose outbox it reads
    return app
