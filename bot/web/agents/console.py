"""The agent console: pages at `/agent`, `/agent/login`, `/agent/dashboard`, and the console's own API.

Pages are plain HTML/JS/CSS from `bot/web/static/agent/` under a strict Content-Security-Policy (own files only, no
inline script or style, requests only to us). The API (`/api/v1/conversations…`) uses the agent API's
authentication (console session or Bearer token: `bot.web.agents.auth.agent_endpoint`); errors are answered by
`error_middleware`.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.domain.errors import ValidationError
from bot.settings import Settings
from bot.web.agents.auth import AGENT_ACCOUNT, LOGIN_PAGE, agent_endpoint, session_account, setup_agent_auth
from bot.web.errors import read_json_object
from bot.web.keys import RASA_SERVICES_KEY, SERVICES_KEY

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "agent"
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


def setup_agent_console(app: web.Application, settings: Settings) -> None:
    """Mount sign-in, the console pages and the console's API."""
    setup_agent_auth(app, settings)
    app.router.add_get("/agent", console_page)
    app.router.add_get(LOGIN_PAGE, login_page)
    app.router.add_get("/agent/dashboard", dashboard_page)
    app.router.add_get("/agent/static/{name}", agent_asset)
    app.router.add_get("/api/v1/conversations", list_conversations)
    app.router.add_get("/api/v1/conversations/{conversation_id}/assist", conversation_assist)
    app.router.add_post("/api/v1/conversations/{conversation_id}/takeover", take_over)


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
    found = await request.app[SERVICES_KEY].conversations.recent(int(raw))
    return web.json_response(_jsonable(found))


@agent_endpoint()
async def conversation_assist(request: web.Request) -> web.StreamResponse:
    """`GET /api/v1/conversations/{id}/assist`: transcript, live triage, ticket draft, outlets, parts, replies."""
    assist = await request.app[RASA_SERVICES_KEY].assist.assist(_conversation_id(request))
    return web.json_response(_jsonable(assist))


@agent_endpoint()
async def take_over(request: web.Request) -> web.StreamResponse:
    """`POST /api/v1/conversations/{id}/takeover`: pause the bot and take the conversation (queueing it if needed).

    Idempotent for the same agent; 409 when another agent has it. Rasa is paused first: when it cannot be reached
    the answer is 502 and nothing has changed (`HandoffEngagement.take_over`).
    """
    cid = _conversation_id(request)
    account = request.get(AGENT_ACCOUNT)
    body: dict[str, Any] = {}
    with contextlib.suppress(ValidationError):  # a signed-in agent needs no body: a malformed one is ignored
        body = await read_json_object(request, optional=True)
    agent = account.username if account is not None else body.get("agent")
    if not isinstance(agent, str) or not agent.strip():
        raise ValidationError('body must be {"agent": "<name>"}')
    view = await request.app[RASA_SERVICES_KEY].engagement.take_over(cid, agent)
    return web.json_response(_jsonable(view))
