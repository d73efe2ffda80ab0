"""The agent API for human handoffs (`/api/v1/handoffs…`), and the Rasa bridge and CSAT dispatcher beside it.

Every endpoint needs `Authorization: Bearer <AGENT_API_TOKEN>` (without that setting the API answers 503) or a
signed-in agent's console session (cookie, plus the CSRF header on changes: `bot/web/agent_auth.py`).
Domain errors map to status codes in one place (`_STATUS_BY_ERROR`); bodies of errors are `{"error", "code"}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any, cast

import aiohttp
from aiohttp import web

from bot.db.session import SessionFactory
from bot.domain.errors import (
    ConflictError,
    DomainError,
    IllegalTransitionError,
    NotFoundError,
    UpstreamError,
    ValidationError,
)
from bot.domain.handoff import HandoffStatus, check_handoff_transition
from bot.services.handoff.csat import CsatService
from bot.services.handoff.csat_dispatch import run_dispatcher
from bot.services.handoff.service import HandoffService
from bot.services.handoff.types import HandoffView
from bot.services.rasa_bridge import RasaBridge
from bot.settings import Settings
from bot.web.agent_auth import AGENT_ACCOUNT, refusal, session_account

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

AGENT_TOKEN_KEY = web.AppKey("agent_api_token", str)  # "" when the agent API is disabled
HTTP_CLIENT_KEY = web.AppKey("http_client", aiohttp.ClientSession)  # the process's one outbound HTTP session
HANDOFFS_KEY = web.AppKey("handoff_service", HandoffService)
BRIDGE_KEY = web.AppKey("rasa_bridge", RasaBridge)
CSAT_DISPATCHER_KEY: web.AppKey[asyncio.Task[None] | None] = web.AppKey("csat_dispatcher")

_MAX_ID = 2**31 - 1  # INTEGER primary keys; larger ids cannot exist and PostgreSQL would refuse them
_STATUS_BY_ERROR: tuple[tuple[type[DomainError], int], ...] = (
    (ValidationError, 400),
    (NotFoundError, 404),
    (IllegalTransitionError, 409),
    (ConflictError, 409),
    (UpstreamError, 502),
)


def setup_handoff_api(app: web.Application, settings: Settings, sessions_key: web.AppKey[Any]) -> None:
    """Mount the handoff endpoints and start the bridge and dispatcher after the database (`sessions_key`)."""
    app[AGENT_TOKEN_KEY] = settings.agent_api_token or ""
    app.cleanup_ctx.append(_engagement_ctx(settings, sessions_key))
    app.router.add_get("/api/v1/handoffs", list_handoffs)
    app.router.add_post("/api/v1/handoffs/{handoff_id}/take", take_handoff)
    app.router.add_post("/api/v1/handoffs/{handoff_id}/resume", resume_handoff)


def _engagement_ctx(
    settings: Settings, sessions_key: web.AppKey[Any]
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def engagement(app: web.Application) -> AsyncIterator[None]:
        sessions = cast(SessionFactory, app[sessions_key])
        http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        bridge = RasaBridge(settings.rasa_url, settings.rasa_token, http)
        app[HTTP_CLIENT_KEY] = http
        app[HANDOFFS_KEY] = HandoffService(sessions)
        app[BRIDGE_KEY] = bridge
        task: asyncio.Task[None] | None = None
        # Rasa's HTTP API is only enabled when it runs with a token (see bot/launcher.py), so no token: no CSAT.
        if settings.rasa_token and settings.csat_dispatch_interval_s > 0:
            interval = settings.csat_dispatch_interval_s
            task = asyncio.create_task(run_dispatcher(CsatService(sessions), bridge, interval))
            logger.info("csat_dispatcher_started interval_s=%s", interval)
        app[CSAT_DISPATCHER_KEY] = task
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await http.close()

    return engagement


def _error(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message, "code": code}, status=status, headers=headers)


def _bearer_matches(header: str, expected: str) -> bool:
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        return False
    return hmac.compare_digest(presented.strip().encode(), expected.encode())


def agent_endpoint(role: str | None = None) -> Callable[[Handler], Handler]:
    """`_agent_endpoint` for endpoints that need a role (`"supervisor"`); the Bearer token counts as every role."""
    return functools.partial(_agent_endpoint, role=role)


def _agent_endpoint(handler: Handler, role: str | None = None) -> Handler:
    """Authenticate the agent (console session + CSRF header, or the Bearer token), then translate the service's
    typed errors into JSON status codes."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        account = await session_account(request)
        if account is not None:
            refused = refusal(request, account, role)
            if refused is not None:
                return refused
            request[AGENT_ACCOUNT] = account
        else:
            expected = request.app[AGENT_TOKEN_KEY]
            if not expected:
                return _error(503, "agent API disabled", "agent_api_disabled")
            if not _bearer_matches(request.headers.get("Authorization", ""), expected):
                return _error(401, "missing or wrong agent token", "unauthorised", {"WWW-Authenticate": "Bearer"})
        try:
            return await handler(request)
        except DomainError as exc:
            status = next((s for kind, s in _STATUS_BY_ERROR if isinstance(exc, kind)), 400)
            if status >= 500:
                logger.warning("agent_api_upstream_failed path=%s error=%s", request.path, exc.message)
            return _error(status, exc.message, exc.code)

    return wrapped


def _handoff_json(view: HandoffView) -> dict[str, Any]:
    body = asdict(view)
    body.pop("created")
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in body.items()}


def _handoff_id(request: web.Request) -> int:
    raw = request.match_info["handoff_id"]
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= _MAX_ID:
        raise ValidationError("handoff id must be a positive integer")
    return int(raw)


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationError("body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ValidationError("body must be a JSON object")
    return body


@_agent_endpoint
async def list_handoffs(request: web.Request) -> web.StreamResponse:
    """`GET /api/v1/handoffs?status=queued&limit=100`: a JSON list (default: queued and taken, oldest first)."""
    status = request.query.get("status") or None
    raw_limit = request.query.get("limit", "100")
    if not raw_limit.isascii() or not raw_limit.isdigit():
        raise ValidationError("limit must be a positive integer")
    views = await request.app[HANDOFFS_KEY].list_queue(status, int(raw_limit))
    return web.json_response([_handoff_json(v) for v in views])


@_agent_endpoint
async def take_handoff(request: web.Request) -> web.StreamResponse:
    """`POST /api/v1/handoffs/{id}/take` with `{"agent": "<name>"}`: the agent takes a queued handoff."""
    handoff_id = _handoff_id(request)
    agent = (await _json_object(request)).get("agent")
    if AGENT_ACCOUNT in request:  # a signed-in agent takes it under their own name
        agent = request[AGENT_ACCOUNT].username
    if not isinstance(agent, str):
        raise ValidationError('body must be {"agent": "<name>"}')
    view = await request.app[HANDOFFS_KEY].take(handoff_id, agent)
    return web.json_response(_handoff_json(view))


@_agent_endpoint
async def resume_handoff(request: web.Request) -> web.StreamResponse:
    """`POST /api/v1/handoffs/{id}/resume`: give the conversation back to the bot, then close the handoff.

    Rasa is told first: if it cannot be reached the answer is 502 and the handoff stays as it was (taken), so the
    agent can retry. A repeated `resume` event is harmless to Rasa, so a retry after a lost answer is safe too.
    """
    handoff_id = _handoff_id(request)
    handoffs = request.app[HANDOFFS_KEY]
    current = await handoffs.get(handoff_id)
    check_handoff_transition(HandoffStatus(current.status), HandoffStatus.CLOSED)  # 409 before touching Rasa
    await request.app[BRIDGE_KEY].resume(current.conversation_id)
    view = await handoffs.close(handoff_id)
    return web.json_response(_handoff_json(view))
