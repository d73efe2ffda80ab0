"""aiohttp app factory and its serving loop. Resources are created in `cleanup_ctx`, never at import time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import text

from bot import __version__
from bot.domain.errors import DomainError
from bot.settings import Settings
from bot.web.agents.console import setup_agent_console
from bot.web.agents.conversation_api import setup_conversation_api
from bot.web.agents.dashboard_api import setup_dashboard_api
from bot.web.agents.handoff_api import setup_handoff_api
from bot.web.agents.nlu_feedback_api import setup_nlu_feedback_api
from bot.web.chat.page import setup_web_chat
from bot.web.chat.updates import setup_chat_updates
from bot.web.errors import domain_error_response, error_response, http_error_code
from bot.web.keys import ENGINE_KEY, SETTINGS_KEY
from bot.web.openapi import setup_openapi
from bot.web.providers.api import setup_provider_api
from bot.web.providers.portal import setup_provider_portal
from bot.web.providers.telegram_webhook import setup_provider_telegram
from bot.web.resources import resources_ctx
from bot.web.workers import SHUTDOWN_GRACE_S, setup_workers

__all__ = ["SHUTDOWN_GRACE_S", "create_app", "error_middleware", "healthz", "serve"]

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def healthz(request: web.Request) -> web.Response:
    """Liveness and database reachability: 200 when the database answers, else 503."""
    engine = request.app[ENGINE_KEY]
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not healthy"; logged once here
        logger.warning("healthz.database_unreachable", exc_info=True)
        return web.json_response({"status": "unavailable", "database": "down"}, status=503)
    return web.json_response({"status": "ok", "database": "up", "version": __version__})


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error answers `{"error", "code"}` (`bot/web/errors.py`).

    Domain errors get their status from the one table; HTTP errors pass through as JSON; anything unexpected is a
    500 without internals, logged once here.
    """
    try:
        return await handler(request)
    except DomainError as exc:
        return domain_error_response(exc)
    except web.HTTPException as exc:
        if exc.status >= 400 and exc.content_type != "application/json":
            return error_response(exc.status, exc.reason, http_error_code(exc.status))
        raise
    except Exception:
        logger.exception("http.unhandled_error path=%s", request.path)
        return error_response(500, "internal error", "internal_error")


def create_app(settings: Settings) -> web.Application:
    """Build our service: resources first, then each feature's routes, then the background workers."""
    app = web.Application(middlewares=[error_middleware], client_max_size=1024 * 1024)
    app[SETTINGS_KEY] = settings
    app.cleanup_ctx.append(resources_ctx(settings))  # the engine, HTTP session, Rasa bridge and services
    setup_handoff_api(app, settings)
    setup_provider_api(app)
    setup_provider_telegram(app, settings)  # opens the provider bot (when configured) after the resources
    setup_provider_portal(app)
    setup_conversation_api(app)
    setup_agent_console(app, settings)
    setup_dashboard_api(app)
    setup_nlu_feedback_api(app)
    setup_openapi(app)
    app.router.add_get("/healthz", healthz)
    setup_web_chat(app, settings)
    setup_chat_updates(app)
    setup_workers(app, settings)  # last: the workers use every other context, which therefore closes after them
    return app


async def serve(app: web.Application, host: str, port: int, grace_s: float = SHUTDOWN_GRACE_S) -> None:
    """Serve `app` on `host:port` until SIGINT or SIGTERM, then stop in a few seconds (about 2 × `grace_s`).

    Unlike `web.run_app`, a second signal (Ctrl-C reaches every process of the terminal's group, then `run-all`
    sends SIGTERM) cannot abort the clean-up halfway: an engine left open keeps its SQLite worker threads alive and
    the interpreter never exits. A signal during start-up interrupts it and stops at once.
    """
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()

    def request_stop(signum: signal.Signals) -> None:
        logger.info("service.stopping signal=%s again=%s", signum.name, stopping.is_set())
        stopping.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, request_stop, signum)
    runner = web.AppRunner(app, shutdown_timeout=grace_s)
    stop_requested = asyncio.ensure_future(stopping.wait())
    try:
        starting = asyncio.ensure_future(runner.setup())
        await asyncio.wait({starting, stop_requested}, return_when=asyncio.FIRST_COMPLETED)
        if starting.done():
            starting.result()  # a start-up error propagates, after the clean-up
        else:
            starting.cancel()  # the contexts already entered are closed by `runner.cleanup()` below
            with contextlib.suppress(asyncio.CancelledError):
                await starting
        if not stopping.is_set():
            site = web.TCPSite(runner, host, port)
            await site.start()
            print(f"======== Running on {site.name} ========\n(Press CTRL+C to quit)", flush=True)
            await stop_requested
    finally:
        stop_requested.cancel()
        await runner.cleanup()
