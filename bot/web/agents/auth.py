"""Agent console sign-in: `POST /agent/login`, `POST /agent/logout`, `GET /api/v1/agent/me`, and the session checks.

A session is a signed cookie (`agent_session`: HttpOnly, SameSite=Strict, Secure over HTTPS, 12 h; see
`bot/services/agents/sessions.py`). Requests that change something must also carry `X-Requested-With:
agent-console`: a header a cross-site form cannot send, on top of SameSite, against CSRF. The agent API accepts
either such a session or the `AGENT_API_TOKEN` Bearer token (`agent_endpoint`); the Bearer token is the operator's
integration credential and counts as a supervisor.
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

from bot.domain.errors import UpstreamError, ValidationError
from bot.services.agents.accounts import MAX_PASSWORD_CHARS, AgentAccount, AgentAccountService, AgentRole
from bot.services.agents.sessions import LoginThrottle, SessionCodec, session_secret
from bot.settings import Settings
from bot.web.errors import error_response, read_json_object
from bot.web.keys import AGENT_AUTH_KEY, AGENT_TOKEN_KEY, SERVICES_KEY, AgentAuth

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

COOKIE_NAME = "agent_session"
CSRF_HEADER, CSRF_VALUE = "X-Requested-With", "agent-console"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
AGENT_ACCOUNT = "agent_account"  # request key: the signed-in account (absent for Bearer-token requests)
LOGIN_PAGE, CONSOLE_PAGE = "/agent/login", "/agent"


def setup_agent_auth(app: web.Application, settings: Settings) -> None:
    """Mount sign-in and sign-out (accounts: `Services.agent_accounts`, once the resources are up)."""
    secret, generated = session_secret(settings.agent_session_secret)
    app[AGENT_AUTH_KEY] = AgentAuth(SessionCodec(secret), LoginThrottle(), generated)
    # aiohttp 3.9 types its signals against an older aiosignal: the handler is right, the stub is not.
    app.on_startup.append(_warn_if_generated)  # type: ignore[arg-type]
    app.router.add_post(LOGIN_PAGE, login)
    app.router.add_post("/agent/logout", logout)
    app.router.add_get("/api/v1/agent/me", me)


async def _warn_if_generated(app: web.Application) -> None:
    if app[AGENT_AUTH_KEY].secret_generated:
        logger.warning("agent.session_secret_generated: AGENT_SESSION_SECRET is unset, so agent sessions "
                       "end whenever the service restarts")


def _accounts(request: web.Request) -> AgentAccountService:
    services = request.app.get(SERVICES_KEY)
    if services is None:  # only before startup completes
        raise web.HTTPServiceUnavailable(reason="starting")
    return services.agent_accounts


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
        return error_response(403, f"send the {CSRF_HEADER}: {CSRF_VALUE} header", "csrf_header_missing")
    if role == AgentRole.SUPERVISOR.value and not account.is_supervisor:
        return error_response(403, "supervisors only", "forbidden")
    return None


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
        body = await read_json_object(request)
        username, password = body.get("username"), body.get("password")
        wants_json = True
    else:
        form = await request.post()
        username, password = form.get("username"), form.get("password")
        wants_json = False
    if not isinstance(username, str) or not isinstance(password, str) or not username.strip() or not password:
        raise ValidationError('send "username" and "password"')
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
        return error_response(403, f"send the {CSRF_HEADER}: {CSRF_VALUE} header", "csrf_header_missing")
    if request.content_type != "application/json" and not _same_origin(request):
        return error_response(403, "cross-site sign-in refused", "cross_site")
    username, password, wants_json = await _credentials(request)
    throttle = request.app[AGENT_AUTH_KEY].throttle
    wait = throttle.retry_after(username)
    if wait:
        logger.info("agent.login_throttled retry_after_s=%s", wait)
        if not wants_json:
            return _see_other(f"{LOGIN_PAGE}?error=throttled")
        return error_response(429, "too many failed sign-ins; try again later", "throttled", {"Retry-After": str(wait)})
    account = await _accounts(request).authenticate(username, password)
    if account is None:
        throttle.failed(username)
        logger.info("agent.login_failed")
        if not wants_json:
            return _see_other(f"{LOGIN_PAGE}?error=credentials")
        return error_response(401, "wrong username or password", "bad_credentials")
    throttle.succeeded(username)
    logger.info("agent.login_ok id=%s role=%s", account.id, account.role)
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
        return error_response(403, f"send the {CSRF_HEADER}: {CSRF_VALUE} header", "csrf_header_missing")
    response.del_cookie(COOKIE_NAME, path="/")
    return response


async def me(request: web.Request) -> web.StreamResponse:
    """`GET /api/v1/agent/me`: the signed-in agent `{"username", "role"}`, or 401."""
    account = await session_account(request)
    if account is None:
        return error_response(401, "not signed in", "unauthorised")
    return web.json_response({"username": account.username, "role": account.role})


def _bearer_matches(header: str, expected: str) -> bool:
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        return False
    return hmac.compare_digest(presented.strip().encode(), expected.encode())


def agent_endpoint(role: str | None = None) -> Callable[[Handler], Handler]:
    """Guard an agent API view: a console session or the `AGENT_API_TOKEN` Bearer token.

    A session needs the CSRF header on changes, and `role` if given (`"supervisor"`); the Bearer token counts as
    every role. The view's domain errors are answered by `error_middleware`; upstream failures (Rasa) are logged here.
    """
    return functools.partial(_agent_endpoint, role=role)


def _agent_endpoint(handler: Handler, role: str | None = None) -> Handler:
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
                return error_response(503, "agent API disabled", "agent_api_disabled")
            if not _bearer_matches(request.headers.get("Authorization", ""), expected):
                return error_response(401, "missing or wrong agent token", "unauthorised",
                                      {"WWW-Authenticate": "Bearer"})
        try:
            return await handler(request)
        except UpstreamError as exc:
            logger.warning("agent_api.upstream_failed path=%s error=%s", request.path, exc.message)
            raise

    return wrapped
