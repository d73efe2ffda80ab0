"""The agent console: pages at `/agent`, `/agent/login`, `/agent/dashboard`, and the console's own API.

Pages are plain HTML/JS/CSS from `bot/web/static/agent/` under a strict Content-Security-Policy (own files only, no
inline script or style, requests only to us). The API (`/api/v1/conversations…`) uses the agent API's
authentication (console session or Bearer token) and error mapping (`bot/web/handoff_api.py`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from aiohttp import web

from bot.db.session import SessionFactory
from bot.domain.errors import ConflictError, DomainError, ValidationError
from bot.domain.handoff import HandoffReason, HandoffStatus
from bot.geo.geocoder import Geocoder
from bot.services.agents.assist import AgentAssistService
from bot.services.agents.conversations import ConversationDirectory
from bot.services.catalogue.service import CatalogueService
from bot.services.parts.service import PartsService
from bot.services.tickets.routing import RoutingService
from bot.settings import Settings
from bot.web.agent_auth import AGENT_ACCOUNT, LOGIN_PAGE, session_account, setup_agent_auth
from bot.web.handoff_api import BRIDGE_KEY, HANDOFFS_KEY, agent_endpoint

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static" / "agent"
#: The only files `/agent/static/` serves: an allow-list, so no request path ever reaches the filesystem.
ASSETS: dict[str, str] = {
    "console.js": "text/javascript; charset=utf-8",
    "login.js": "text/javascript; charset=utf-8",
    "dashboard.js": "text/javascript; charset=utf-8",
    "review.js": "text/javascript; charset=utf-8",
    "charts.js": "text/javascript; charset=utf-8",
    "i18n.js": "text/javascript; charset=utf-8",
    "agent.css": "text/css; charset=utf-8",
}
CSP = "; ".join([
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
    "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
])
PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Frame-Options": "DENY",
}
MAX_CONVERSATION_ID = 128

CONVERSATIONS_KEY = web.AppKey("conversation_directory", ConversationDirectory)
ASSIST_KEY = web.AppKey("agent_assist", AgentAssistService)


def setup_agent_console(app: web.Application, settings: Settings, sessions_key: web.AppKey[Any]) -> None:
    """Mount sign-in, the console pages and API; call after `setup_handoff_api` (its Rasa bridge is used)."""
    setup_agent_auth(app, settings, sessions_key)
    app.cleanup_ctx.append(_console_ctx(settings, sessions_key))
    app.router.add_get("/agent", console_page)
    app.router.add_get(LOGIN_PAGE, login_page)
    app.router.add_get("/agent/dashboard", dashboard_page)
    app.router.add_get("/agent/static/{name}", agent_asset)
    app.router.add_get("/api/v1/conversations", list_conversations)
    app.router.add_get("/api/v1/conversations/{conversation_id}/assist", conversation_assist)
    app.router.add_post("/api/v1/conversations/{conversation_id}/takeover", take_over)


def _console_ctx(
    settings: Settings, sessions_key: web.AppKey[Any]
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def console(app: web.Application) -> AsyncIterator[None]:
        sessions = cast(SessionFactory, app[sessions_key])
        routing = RoutingService(sessions, refresh_interval_s=settings.routing_refresh_s)
        geocoder = Geocoder()  # loads its tables on first use only: most conversations carry coordinates already
        app[CONVERSATIONS_KEY] = ConversationDirectory(sessions)
        app[ASSIST_KEY] = AgentAssistService(
            app[BRIDGE_KEY], app[HANDOFFS_KEY], CatalogueService(sessions), PartsService(sessions),
            nearest=routing.nearest, locate=geocoder.geocode,
        )
        yield

    return console


def _page(name: str) -> web.StreamResponse:
    return web.FileResponse(STATIC_DIR / name, headers=PAGE_HEADERS)


def _to_login(request: web.Request) -> web.Response:
    return web.Response(status=303, headers={"Location": f"{LOGIN_PAGE}?next={quote(request.path)}"})


async def console_page(request: web.Request) -> web.StreamResponse:
    """`GET /agent`: the console for signed-in agents; others go to the sign-in page."""
    if await session_account(request) is None:
        return _to_login(request)
    return _page("console.html")


async def login_page(request: web.Request) -> web.StreamResponse:
    """`GET /agent/login`: the sign-in page (signed-in agents go straight to the console)."""
    if await session_account(request) is not None:
        return web.Response(status=303, headers={"Location": "/agent"})
    return _page("login.html")


async def dashboard_page(request: web.Request) -> web.StreamResponse:
    """`GET /agent/dashboard`: supervisors only (agents get 403, strangers the sign-in page)."""
    account = await session_account(request)
    if account is None:
        return _to_login(request)
    if not account.is_supervisor:
        response = _page("forbidden.html")
        response.set_status(403)
        return response
    return _page("dashboard.html")


async def agent_asset(request: web.Request) -> web.StreamResponse:
    """`GET /agent/static/{name}`: one of the console's own files (404 for anything else)."""
    content_type = ASSETS.get(request.match_info["name"])
    if content_type is None:
        raise web.HTTPNotFound()
    headers = {"Content-Type": content_type, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
    return web.FileResponse(STATIC_DIR / request.match_info["name"], headers=headers)


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if k != "created"}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _conversation_id(request: web.Request) -> str:
    cid = request.match_info["conversation_id"]
    if not 1 <= len(cid) <= MAX_CONVERSATION_ID or not cid.isprintable() or cid in {".", ".."}:
        raise ValidationError(f"conversation id must be 1..{MAX_CONVERSATION_ID} printable characters")
    return cid


@agent_endpoint()
async def list_conversations(request: web.Request) -> web.StreamResponse:
    """`GET /api/v1/conversations?limit=50`: conversations our database knows, most recently active first."""
    raw = request.query.get("limit", "50")
    if not raw.isascii() or not raw.isdigit():
        raise ValidationError("limit must be a positive integer")
    found = await request.app[CONVERSATIONS_KEY].recent(int(raw))
    return web.json_response(_jsonable(found))


@agent_endpoint()
async def conversation_assist(request: web.Request) -> web.StreamResponse:
    """`GET /api/v1/conversations/{id}/assist`: transcript, live triage, ticket draft, outlets, parts, replies."""
    assist = await request.app[ASSIST_KEY].assist(_conversation_id(request))
    return web.json_response(_jsonable(assist))


@agent_endpoint()
async def take_over(request: web.Request) -> web.StreamResponse:
    """`POST /api/v1/conversations/{id}/takeover`: pause the bot and take the conversation (queueing it if needed).

    Idempotent for the same agent; 409 when another agent has it. Rasa is paused first: when it cannot be reached
    the answer is 502 and nothing has changed.
    """
    cid = _conversation_id(request)
    account = request.get(AGENT_ACCOUNT)
    body: Any = {}
    with contextlib.suppress(ValueError):
        body = await request.json() if request.can_read_body else {}
    agent = account.username if account is not None else (body.get("agent") if isinstance(body, dict) else None)
    if not isinstance(agent, str) or not agent.strip():
        raise ValidationError('body must be {"agent": "<name>"}')
    handoffs, bridge = request.app[HANDOFFS_KEY], request.app[BRIDGE_KEY]
    current = await handoffs.get_open(cid)
    if current is not None and current.status == HandoffStatus.TAKEN.value:
        if current.agent != agent.strip():
            raise ConflictError("another agent has taken this conversation")
        return web.json_response(_jsonable(current))
    await bridge.pause(cid)
    if current is None:
        tracker = await bridge.tracker(cid)
        slots: dict[str, Any] = tracker["slots"] if isinstance(tracker.get("slots"), dict) else {}
        channel = str(tracker.get("latest_input_channel") or "unknown")[:24]
        language = str(slots.get("language") or "zh")[:8]
        current = await handoffs.open(cid, channel, language, HandoffReason.REQUESTED.value, "agent takeover")
    try:
        view = await handoffs.take(current.id, agent)
    except DomainError:
        logger.info("agent_takeover_lost_race id=%s", current.id)
        raise
    logger.info("agent_takeover id=%s", view.id)
    return web.json_response(_jsonable(view))
