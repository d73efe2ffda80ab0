"""aiohttp app factory and its serving loop. Resources are created in `cleanup_ctx`, never at import time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
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
from bot.web.conversation_api import CUSTOMER_OUTBOX_TASK_KEY, setup_conversation_api
from bot.web.dashboard_api import setup_dashboard_api
from bot.web.handoff_api import CSAT_DISPATCHER_KEY, HTTP_CLIENT_KEY, setup_handoff_api
from bot.web.nlu_feedback_api import setup_nlu_feedback_api
from bot.web.openapi import setup_openapi
from bot.web.provider_api import SLA_SWEEPER_KEY, setup_provider_api
from bot.web.provider_portal import setup_provider_portal
from bot.web.provider_telegram_webhook import setup_provider_telegram
from integrations.telegram.provider_bot.runtime import PROVIDER_BOT_KEY
from integrations.webhooks.runner import WEBHOOK_OUTBOX_KEY, setup_webhook_outbox

logger = logging.getLogger(__name__)

SETTINGS_KEY = web.AppKey("settings", Settings)
ENGINE_KEY = web.AppKey("engine", AsyncEngine)
SESSIONS_KEY = web.AppKey("sessions", object)

#: After SIGTERM, how long in-flight requests (and, separately, the background loops) get to finish before they are
#: cancelled. aiohttp's own default is 60 s for each, which outlasts every supervisor's patience.
SHUTDOWN_GRACE_S = 3.0
#: The periodic loops the feature contexts start; each context still awaits its own task when it closes.
_LOOP_KEYS = (CSAT_DISPATCHER_KEY, SLA_SWEEPER_KEY, CUSTOMER_OUTBOX_TASK_KEY, WEBHOOK_OUTBOX_KEY)


def _database_ctx(settings: Settings):  # type: ignore[no-untyped-def]
    async def database(app: web.Application) -> AsyncIterator[None]:
        engine = create_async_db_engine(settings.database_url)
        app[ENGINE_KEY] = engine
        app[SESSIONS_KEY] = make_session_factory(engine)
        yield
        await engine.dispose()

    return database


async def _stop_background_loops(app: web.Application) -> None:
    """`on_shutdown`: cancel the periodic loops before aiohttp waits for in-flight work.

    Otherwise a round stuck on a silent peer (a webhook, Rasa) holds the shutdown up, and the loop keeps starting new
    rounds until the cleanup contexts cancel it, which aiohttp only runs after that wait. A cancelled round loses
    nothing: its claims expire and the rows are retried by the next process.
    """
    tasks = [task for task in (app.get(key) for key in _LOOP_KEYS) if task is not None]
    provider_bot = app.get(PROVIDER_BOT_KEY)
    if provider_bot is not None and provider_bot.notifier_task is not None:
        tasks.append(provider_bot.notifier_task)
    for task in tasks:
        task.cancel()
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE_S)
        if pending:
            logger.warning("background_loops_still_stopping count=%d", len(pending))


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
    # aiohttp 3.9 types its signals against an older aiosignal: the handler is right, the stub is not.
    app.on_shutdown.append(_stop_background_loops)  # type: ignore[arg-type]
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


async def serve(app: web.Application, host: str, port: int, grace_s: float = SHUTDOWN_GRACE_S) -> None:
    """Serve `app` on `host:port` until SIGINT or SIGTERM, then stop in a few seconds (about 2 × `grace_s`).

    Unlike `web.run_app`, a second signal (Ctrl-C reaches every process of the terminal's group, then `run-all`
    sends SIGTERM) cannot abort the clean-up halfway: an engine left open keeps its SQLite worker threads alive and
    the interpreter never exits. A signal during start-up interrupts it and stops at once.
    """
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()

    def request_stop(signum: signal.Signals) -> None:
        logger.info("service_stopping signal=%s again=%s", signum.name, stopping.is_set())
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
