"""Agent console sign-in: `POST /agent/login`, `POST /agent/logout`, `GET /api/v1/agent/me`, and the session checks.

A session is a signed cookie (`agent_session`: HttpOnly, SameSite=Strict, Secure over HTTPS, 12 h; see
`bot/services/agents/sessions.py`). Requests that change something must also carry `X-Requested-With:
agent-console`: a header a cross-site form cannot send, on top of SameSite, against CSRF. The agent API accepts
either such a session or the `AGENT_API_TOKEN` Bearer token (`bot/web/handoff_api.py`); the Bearer token is the
operator's integration credential and counts as a supervisor.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from aiohttp import web

from bot.db.session import SessionFactory
from bot.services.agents.accounts import MAX_PASSWORD_CHARS, AgentAccount, AgentAccountService, AgentRole
from bot.services.agents.sessions import LoginThrottle, SessionCodec, session_secret
from bot.settings import Settings

logger = logging.getLogger(__name__)

COOKIE_NAME = "agent_session"
CSRF_HEADER, CSRF_VALUE = "X-Requested-With", "agent-console"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
AGENT_ACCOUNT = "agent_account"  # request key: the signed-in account (absent for Bearer-token requests)
LOGIN_PAGE, CONSOLE_PAGE = "/agent/login", "/agent"


@dataclass
class AgentAuth:
    """The codec, throttle and (once the database is up) account service of the agent console."""

    codec: SessionCodec
    throttle: LoginThrottle
    secret_generated: bool
    accounts: AgentAccountService | None = None


AGENT_AUTH_KEY = web.AppKey("agent_auth", AgentAuth)


def setup_agent_auth(app: web.Application, settings: Settings, sessions_key: web.AppKey[Any]) -> None:
    """Mount sign-in and sign-out; the account service starts after the database (`sessions_key`)."""
    secret, generated = session_secret(settings.agent_session_secret)
    app[AGENT_AUTH_KEY] = AgentAuth(SessionCodec(secret), LoginThrottle(), generated)
    app.cleanup_ctx.append(_accounts_ctx(sessions_key))
    app.router.add_post(LOGIN_PAGE, login)
    app.router.add_post("/agent/logout", logout)
    app.router.add_get("/api/v1/agent/me", me)


def _accounts_ctx(sessions_key: web.AppKey[Any]) -> Callable[[web.Application], AsyncIterator[None]]:
    async def accounts(app: web.Application) -> AsyncIterator[None]:
        auth = app[AGENT_AUTH_KEY]
        auth.accounts = AgentAccountService(cast(SessionFactory, app[sessions_key]))
        if auth.secret_generated:
            logger.warning("agent_session_secret_generated: AGENT_SESSION_SECRET is unset, so agent sessions "
                           "end whenever the service restarts")
        yield

    return accounts


def _accounts(request: web.Request) -> AgentAccountService:
    accounts = request.app[AGENT_AUTH_KEY].accounts
    if accounts is None:  # only before startup completes
        raise web.HTTPServiceUnavailable(reason="starting")
    return accounts


async def session_account(request: web.Request) -> AgentAccount | None:
    """The active account whose valid session cookie the request carries, else None."""
    if AGENT_AUTH_KEY not in request.app:
        return None
    claims = request.app[AGENT_AUTH_KEY].codec.verify(request.cookies.get(COOKIE_NAME))
    if claims is None:
        return None
    account = await _accounts(request).get(claims.username)
    return account if account is not None and account.active else None


def csrf_ok(request: web.Request) -> bool:
    """Safe methods always; others only with the console's custom header."""
    return request.method in SAFE_METHODS or request.headers.get(CSRF_HEADER, "") == CSRF_VALUE


def refusal(request: web.Request, account: AgentAccount, role: str | None) -> web.Response | None:
    """The error response for a signed-in agent's request, when the CSRF header or the role is missing."""
    if not csrf_ok(request):
        return _error(403, f"send the {CSRF_HEADER}: {CSRF_VALUE} header", "csrf_header_missing")
    if role == AgentRole.SUPERVISOR.value and not account.is_supervisor:
        return _error(403, "supervisors only", "forbidden")
    return None


def _error(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message, "code": code}, status=status, headers=headers)


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return origin is None  # no Origin (old browsers, curl): SameSite=Strict still guards the cookie
    return urlsplit(origin).netloc == request.host


async def _credentials(request: web.Request) -> tuple[str, str, bool]:
    """(username, password, wants JSON) from a JSON body or an HTML form."""
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise web.HTTPBadRequest(reason="body must be a JSON object") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(reason="body must be a JSON object")
        username, password = body.get("username"), body.get("password")
        wants_json = True
    else:
        form = await request.post()
        username, password = form.get("username"), form.get("password")
        wants_json = False
    if not isinstance(username, str) or not isinstance(password, str) or not username.strip() or not password:
        raise web.HTTPBadRequest(reason='send "username" and "password"')
    return username.strip().lower()[:64], password[: MAX_PASSWORD_CHARS + 1], wants_json


def set_session_cookie(response: web.StreamResponse, request: web.Request, username: str) -> None:
    """Attach a fresh session cookie for `username`."""
    codec = request.app[AGENT_AUTH_KEY].codec
    response.set_cookie(
        COOKIE_NAME, codec.issue(username), max_age=codec.ttl_s, path="/", httponly=True, samesite="Strict",
        secure=request.secure,
    )


async def login(request: web.Request) -> web.StreamResponse:
    """`POST /agent/login` (JSON with the CSRF header, or a same-origin HTML form): start a session."""
    if request.content_type == "application/json" and not csrf_ok(request):
        return _error(403, f"send the {CSRF_HEADER}: {CSRF_VALUE} header", "csrf_header_missing")
    if request.content_type != "application/json" and not _same_origin(request):
        return _error(403, "cross-site sign-in refused", "cross_site")
    username, password, wants_json = await _credentials(request)
    throttle = request.app[AGENT_AUTH_KEY].throttle
    wait = throttle.retry_after(username)
    if wait:
        logger.info("agent_login_throttled retry_after_s=%s", wait)
        if not wants_json:
            return _see_other(f"{LOGIN_PAGE}?error=throttled")
        return _error(429, "too many failed sign-ins; try again later", "throttled", {"Retry-After": str(wait)})
    account = await _accounts(request).authenticate(username, password)
    if account is None:
        throttle.failed(username)
        logger.info("agent_login_failed")
        if not wants_json:
            return _see_other(f"{LOGIN_PAGE}?error=credentials")
        return _error(401, "wrong username or password", "bad_credentials")
    throttle.succeeded(username)
    logger.info("agent_login_ok id=%s role=%s", account.id, account.role)
    response: web.StreamResponse
    if wants_json:
        response = web.json_response({"username": account.username, "role": account.role})
    else:
        response = _see_other(CONSOLE_PAGE)
    set_session_cookie(response, request, account.username)
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    """`POST /agent/logout` (with the CSRF header, or a same-origin form): end the session (204, or a redirect)."""
    if request.headers.get(CSRF_HEADER) == CSRF_VALUE:
        response: web.StreamResponse = web.Response(status=204)
    elif _same_origin(request) and request.headers.get("Origin") is not None:
        response = _see_other(LOGIN_PAGE)
    else:
        return _error(403, f"send the {CSRF_HEADER}: {CSRF_VALUE} header", "csrf_header_missing")
    response.del_cookie(COOKIE_NAME, path="/")
    return response


async def me(request: web.Request) -> web.StreamResponse:
    """`GET /api/v1/agent/me`: the signed-in agent `{"username", "role"}`, or 401."""
    account = await session_account(request)
    if account is None:
        return _error(401, "not signed in", "unauthorised")
    return web.json_response({"username": account.username, "role": account.role})
