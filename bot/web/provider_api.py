"""The provider API (`/api/v1/provider/…`): an outlet works its tickets with its own API key.

Auth: `Authorization: Bearer <key>` or `X-Api-Key: <key>`; a missing, unknown or revoked key is 401. A ticket not
assigned to the key's outlet is 404, exactly like a number that does not exist. Domain errors map to status codes
in one place (`_STATUS_BY_ERROR`); error bodies are `{"error", "code"}`. Bodies are JSON objects of at most 64 KiB.
The acceptance-SLA sweeper runs beside the API (`SLA_SWEEP_INTERVAL_S` in `Settings.extra`, default 60, 0: off).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

from aiohttp import web

from bot.db.session import SessionFactory
from bot.domain.errors import (
    ConflictError,
    DomainError,
    IllegalTransitionError,
    InsufficientStockError,
    NotFoundError,
    ValidationError,
)
from bot.services.parts.service import PartsService
from bot.services.providers.keys import OutletIdentity, ProviderKeyService
from bot.services.providers.status import StatusUpdate
from bot.services.providers.tickets import ProviderTicketService
from bot.services.tickets.routing import RoutingService
from bot.services.tickets.service import TicketService
from bot.services.tickets.sla_sweeper import run_sla_sweeper
from bot.settings import Settings
from bot.web.provider_io import (
    PayloadTooLargeError,
    datetime_field,
    int_field,
    json_object,
    jsonable,
    query_int,
    request_id,
    string_field,
)

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ProviderHandler = Callable[[web.Request, OutletIdentity], Awaitable[web.StreamResponse]]

PROVIDER_KEYS_KEY = web.AppKey("provider_keys", ProviderKeyService)
PROVIDER_TICKETS_KEY = web.AppKey("provider_tickets", ProviderTicketService)
SLA_SWEEPER_KEY: web.AppKey[asyncio.Task[None] | None] = web.AppKey("sla_sweeper")

PREFIX = "/api/v1/provider"
DEFAULT_SWEEP_INTERVAL_S = 60.0
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="provider"'}
_STATUS_BY_ERROR: tuple[tuple[type[DomainError], int], ...] = (
    (ValidationError, 400),
    (NotFoundError, 404),
    (IllegalTransitionError, 409),
    (InsufficientStockError, 409),
    (ConflictError, 409),
)


def sweep_interval(settings: Settings) -> float:
    """The SLA sweep interval in seconds from `Settings.extra["SLA_SWEEP_INTERVAL_S"]` (default 60; 0 disables)."""
    raw = settings.extra.get("SLA_SWEEP_INTERVAL_S", "").strip()
    if not raw:
        return DEFAULT_SWEEP_INTERVAL_S
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"SLA_SWEEP_INTERVAL_S must be a number of seconds, not {raw[:20]!r}") from None
    return max(value, 0.0)


def setup_provider_api(app: web.Application, settings: Settings, sessions_key: web.AppKey[Any]) -> None:
    """Mount the provider endpoints and start the SLA sweeper after the database (`sessions_key`)."""
    interval = sweep_interval(settings)  # a bad value fails at start-up, not in the background
    app.cleanup_ctx.append(_provider_ctx(settings, sessions_key, interval))
    tickets = f"{PREFIX}/tickets"
    app.router.add_get(f"{PREFIX}/me", whoami)
    app.router.add_get(tickets, list_tickets)
    app.router.add_get(f"{tickets}/{{number}}", get_ticket)
    app.router.add_post(f"{tickets}/{{number}}/accept", accept_ticket)
    app.router.add_post(f"{tickets}/{{number}}/reject", reject_ticket)
    app.router.add_post(f"{tickets}/{{number}}/schedule", schedule_ticket)
    app.router.add_post(f"{tickets}/{{number}}/status", update_status)
    app.router.add_post(f"{tickets}/{{number}}/notes", add_note)


def _provider_ctx(
    settings: Settings, sessions_key: web.AppKey[Any], interval: float
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def provider(app: web.Application) -> AsyncIterator[None]:
        sessions = cast(SessionFactory, app[sessions_key])
        routing = RoutingService(sessions, refresh_interval_s=settings.routing_refresh_s)
        tickets = TicketService(sessions, routing)
        app[PROVIDER_KEYS_KEY] = ProviderKeyService(sessions)
        app[PROVIDER_TICKETS_KEY] = ProviderTicketService(sessions, tickets, PartsService(sessions))
        task: asyncio.Task[None] | None = None
        if interval > 0:
            task = asyncio.create_task(run_sla_sweeper(sessions, tickets, interval))
            logger.info("sla_sweeper_started interval_s=%s", interval)
        app[SLA_SWEEPER_KEY] = task
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return provider


def _error(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message, "code": code}, status=status, headers=headers)


def _presented_key(request: web.Request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("X-Api-Key", "").strip()


def _provider_endpoint(handler: ProviderHandler) -> Handler:
    """Authenticate the outlet's key, then translate the service's typed errors into JSON status codes."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        presented = _presented_key(request)
        outlet = await request.app[PROVIDER_KEYS_KEY].authenticate(presented) if presented else None
        if outlet is None:
            return _error(401, "missing, unknown or revoked API key", "unauthorised", _CHALLENGE)
        try:
            return await handler(request, outlet)
        except PayloadTooLargeError:
            return _error(413, "body larger than 64 KiB", "payload_too_large")
        except DomainError as exc:
            status = next((s for kind, s in _STATUS_BY_ERROR if isinstance(exc, kind)), 400)
            return _error(status, exc.message, exc.code)

    return wrapped


def _number(request: web.Request) -> str:
    return request.match_info["number"]


@_provider_endpoint
async def whoami(request: web.Request, outlet: OutletIdentity) -> web.StreamResponse:
    """`GET /api/v1/provider/me`: which outlet and key the request authenticated as."""
    return web.json_response({"outlet_code": outlet.outlet_code, "key_prefix": outlet.key_prefix})


@_provider_endpoint
async def list_tickets(request: web.Request, outlet: OutletIdentity) -> web.StreamResponse:
    """`GET /api/v1/provider/tickets?status=&limit=&cursor=`: the outlet's tickets, newest first."""
    page = await request.app[PROVIDER_TICKETS_KEY].list_tickets(
        outlet, request.query.get("status") or None, query_int(request, "limit", 50),
        request.query.get("cursor") or None,
    )
    return web.json_response(jsonable(page))


@_provider_endpoint
async def get_ticket(request: web.Request, outlet: OutletIdentity) -> web.StreamResponse:
    """`GET /api/v1/provider/tickets/{number}`: one ticket with its events and part reservations."""
    return web.json_response(jsonable(await request.app[PROVIDER_TICKETS_KEY].get(outlet, _number(request))))


@_provider_endpoint
async def accept_ticket(request: web.Request, outlet: OutletIdentity) -> web.StreamResponse:
    """`POST …/accept` (no body needed): accept; repeating it returns the current state."""
    await json_object(request, optional=True)
    view = await request.app[PROVIDER_TICKETS_KEY].accept(outlet, _number(request), request_id(request))
    return web.json_response(jsonable(view))


@_provider_endpoint
async def reject_ticket(request: web.Request, outlet: OutletIdentity) -> web.StreamResponse:
    """`POST …/reject` with `{"reason"}`: decline; the ticket is re-routed to another eligible outlet."""
    reason = string_field(await json_object(request), "reason", required=True) or ""
    rejection = await request.app[PROVIDER_TICKETS_KEY].reject(outlet, _number(request), reason, request_id(request))
    return web.json_response(jsonable(rejection))


@_provider_endpoint
async def schedule_ticket(request: web.Request, outlet: OutletIdentity) -> web.StreamResponse:
    """`POST …/schedule` with `{"at": "<ISO 8601 with offset>"}`: set or move the appointment."""
    at = datetime_field(await json_object(request), "at")
    view = await request.app[PROVIDER_TICKETS_KEY].schedule(outlet, _number(request), at, request_id(request))
    return web.json_response(jsonable(view))


@_provider_endpoint
async def update_status(request: web.Request, outlet: OutletIdentity) -> web.StreamResponse:
    """`POST …/status` with `{"status", "notes"?, "part_code"?, "quantity"?}`: in_repair, waiting_parts, resolved."""
    body = await json_object(request)
    update = StatusUpdate(
        status=string_field(body, "status", required=True) or "",
        notes=string_field(body, "notes"),
        part_code=string_field(body, "part_code"),
        quantity=int_field(body, "quantity"),
    )
    view = await request.app[PROVIDER_TICKETS_KEY].update_status(outlet, _number(request), update, request_id(request))
    return web.json_response(jsonable(view))


@_provider_endpoint
async def add_note(request: web.Request, outlet: OutletIdentity) -> web.StreamResponse:
    """`POST …/notes` with `{"text"}`: append a note to the ticket's history."""
    text = string_field(await json_object(request), "text", required=True) or ""
    view = await request.app[PROVIDER_TICKETS_KEY].add_note(outlet, _number(request), text, request_id(request))
    return web.json_response(jsonable(view))
