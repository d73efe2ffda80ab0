"""The provider API (`/api/v1/provider/…`): an outlet works its tickets with its own API key.

Auth: `Authorization: Bearer <key>` or `X-Api-Key: <key>`; a missing, unknown or revoked key is 401. A ticket not
assigned to the key's outlet is 404, exactly like a number that does not exist. Views raise the services' typed
errors; `error_middleware` answers them (`bot/web/errors.py`: one status table, bodies `{"error", "code"}`).
Bodies are JSON objects of at most 64 KiB. The acceptance-SLA sweeper runs with the other workers
(`bot/web/workers.py`).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.services.providers.keys import OutletIdentity
from bot.services.providers.status import StatusUpdate
from bot.services.providers.tickets import ProviderTicketService
from bot.web.errors import error_response, read_json_object
from bot.web.keys import SERVICES_KEY
from bot.web.providers.io import datetime_field, int_field, jsonable, query_int, request_id, string_field

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ProviderHandler = Callable[[web.Request, OutletIdentity], Awaitable[web.StreamResponse]]

PREFIX = "/api/v1/provider"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="provider"'}


def setup_provider_api(app: web.Application) -> None:
    """Mount the provider endpoints."""
    tickets = f"{PREFIX}/tickets"
    app.router.add_get(f"{PREFIX}/me", whoami)
    app.router.add_get(tickets, list_tickets)
    app.router.add_get(f"{tickets}/{{number}}", get_ticket)
    app.router.add_post(f"{tickets}/{{number}}/accept", accept_ticket)
    app.router.add_post(f"{tickets}/{{number}}/reject", reject_ticket)
    app.router.add_post(f"{tickets}/{{number}}/schedule", schedule_ticket)
    app.router.add_post(f"{tickets}/{{number}}/status", update_status)
    app.router.add_post(f"{tickets}/{{number}}/notes", add_note)


def _provider(request: web.Request) -> ProviderTicketService:
    return request.app[SERVICES_KEY].provider_tickets


def _presented_key(request: web.Request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("X-Api-Key", "").strip()


def _provider_endpoint(handler: ProviderHandler) -> Handler:
    """Authenticate the outlet's key before the view runs (its domain errors are answered by `error_middleware`)."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        presented = _presented_key(request)
        outlet = await request.app[SERVICES_KEY].provider_keys.authenticate(presented) if presented else None
        if outlet is None:
            return error_response(401, "missing, unknown or revoked API key", "unauthorised", _CHALLENGE)
        return await handler(request, outlet)

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
    page = await _provider(request).list_tickets(
        outlet, request.query.get("status") or None, query_int(request, "limit", 50),
        request.query.get("cursor") or None,
    )
    return web.json_response(jsonable(page))


@_provider_endpoint
async def get_ticket(request: web.Request, outlet: OutletIdentity) -> web.StreamResponse:
    """`GET /api/v1/provider/tickets/{number}`: one ticket with its events and part reservations."""
    return web.json_response(jsonable(await _provider(request).get(outlet, _number(request))))


@_provider_endpoint
async def accept_ticket(request: web.Request, outlet: OutletIdentity) -> web.StreamResponse:
    """`POST …/accept` (no body needed): accept; repeating it returns the current state."""
    await read_json_object(request, optional=True)
    view = await _provider(request).accept(outlet, _number(request), request_id(request))
    return web.json_response(jsonable(view))


@_provider_endpoint
async def reject_ticket(request: web.Request, outlet: OutletIdentity) -> web.StreamResponse:
    """`POST …/reject` with `{"reason"}`: decline; the ticket is re-routed to another eligible outlet."""
    reason = string_field(await read_json_object(request), "reason", required=True) or ""
    rejection = await _provider(request).reject(outlet, _number(request), reason, request_id(request))
    return web.json_response(jsonable(rejection))


@_provider_endpoint
async def schedule_ticket(request: web.Request, outlet: OutletIdentity) -> web.StreamResponse:
    """`POST …/schedule` with `{"at": "<ISO 8601 with offset>"}`: set or move the appointment."""
    at = datetime_field(await read_json_object(request), "at")
    view = await _provider(request).schedule(outlet, _number(request), at, request_id(request))
    return web.json_response(jsonable(view))


@_provider_endpoint
async def update_status(request: web.Request, outlet: OutletIdentity) -> web.StreamResponse:
    """`POST …/status` with `{"status", "notes"?, "part_code"?, "quantity"?}`: in_repair, waiting_parts, resolved."""
    body = await read_json_object(request)
    update = StatusUpdate(
        status=string_field(body, "status", required=True) or "",
        notes=string_field(body, "notes"),
        part_code=string_field(body, "part_code"),
        quantity=int_field(body, "quantity"),
    )
    view = await _provider(request).update_status(outlet, _number(request), update, request_id(request))
    return web.json_response(jsonable(view))


@_provider_endpoint
async def add_note(request: web.Request, outlet: OutletIdentity) -> web.StreamResponse:
    """`POST …/notes` with `{"text"}`: append a note to the ticket's history."""
    text = string_field(await read_json_object(request), "text", required=True) or ""
    view = await _provider(request).add_note(outlet, _number(request), text, request_id(request))
    return web.json_response(jsonable(view))
