"""The OpenAPI 3 description of our JSON APIs (provider API and agent handoff API), served at `/api/openapi.json`.

Built from code so that status lists, limits and enumerations come from the modules that enforce them. Every error
answer of every operation has the one shared body, the `Error` schema (`bot.web.errors`).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot import __version__
from bot.domain.lifecycle import TicketStatus
from bot.services.providers.status import MAX_QUANTITY, UPDATABLE
from bot.services.providers.tickets import MAX_NOTE_CHARS, MAX_PAGE, MAX_REASON_CHARS, MAX_REQUEST_ID
from bot.web.agents.conversation_api import openapi_paths as conversation_paths
from bot.web.agents.nlu_feedback_api import openapi_paths as nlu_feedback_paths
from bot.web.agents.openapi import TAGS as AGENT_TAGS
from bot.web.agents.openapi import agent_console_paths
from bot.web.errors import MAX_BODY_BYTES, openapi_error, openapi_error_schema
from bot.web.providers.api import PREFIX
from bot.web.providers.telegram_webhook import openapi_paths as provider_telegram_paths

OPENAPI_PATH = "/api/openapi.json"
Schema = dict[str, Any]

_TIME: Schema = {"type": "string", "format": "date-time"}
_NULLABLE_STRING: Schema = {"type": "string", "nullable": True}
_NULLABLE_TIME: Schema = {"type": "string", "format": "date-time", "nullable": True}
_NULLABLE_NUMBER: Schema = {"type": "number", "nullable": True}
_NULLABLE_INT: Schema = {"type": "integer", "nullable": True}
_DESCRIPTIONS = {
    "200": "OK",
    "400": "Malformed body or a value out of range",
    "401": "Missing, unknown or revoked credentials",
    "404": "No such ticket assigned to this outlet (or no such record)",
    "409": "Not allowed in the ticket's current status, or not enough stock",
    "413": f"Body larger than {MAX_BODY_BYTES // 1024} KiB",
    "502": "An upstream service (Rasa) failed",
    "503": "The API is disabled (no token configured)",
}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _responses(ok: str | None, *codes: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if ok is not None:
        out["200"] = {"description": "OK", "content": {"application/json": {"schema": _ref(ok)}}}
    for code in codes:
        out[code] = openapi_error(_DESCRIPTIONS[code])
    return out


def _body(schema: str, required: bool = True) -> Schema:
    return {"required": required, "content": {"application/json": {"schema": _ref(schema)}}}


_NUMBER_PARAM: Schema = {
    "name": "number", "in": "path", "required": True, "description": "Ticket number, AS-YYYYMMDD-XXXXXX",
    "schema": {"type": "string", "example": "AS-20261201-7KQ4MZ"},
}
_IDEMPOTENCY_PARAM: Schema = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "Optional: a repeat of a request with the same key returns the current state, changing nothing",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_REQUEST_ID},
}
_PROVIDER_SECURITY: list[dict[str, list[str]]] = [{"providerBearer": []}, {"providerApiKey": []}]


def _ticket_action(summary: str, body: str | None, ok: str = "ProviderTicket") -> Schema:
    operation: Schema = {
        "tags": ["provider"], "summary": summary, "security": _PROVIDER_SECURITY,
        "parameters": [_NUMBER_PARAM, _IDEMPOTENCY_PARAM],
        "responses": _responses(ok, "400", "401", "404", "409", "413"),
    }
    if body is not None:
        operation["requestBody"] = _body(body)
    else:
        operation["requestBody"] = {
            "required": False, "content": {"application/json": {"schema": {"type": "object"}}},
        }
    return operation


def _provider_paths() -> dict[str, Any]:
    tickets = f"{PREFIX}/tickets"
    status_param = {
        "name": "status", "in": "query", "required": False,
        "schema": {"type": "string", "enum": [s.value for s in TicketStatus]},
    }
    limit_param = {
        "name": "limit", "in": "query", "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 50},
    }
    cursor_param = {
        "name": "cursor", "in": "query", "required": False, "description": "`next_cursor` of the previous page",
        "schema": {"type": "string"},
    }
    return {
        f"{PREFIX}/me": {"get": {
            "tags": ["provider"], "summary": "The outlet and key this request authenticates as",
            "security": _PROVIDER_SECURITY, "responses": _responses("Me", "401"),
        }},
        tickets: {"get": {
            "tags": ["provider"], "summary": "The outlet's tickets, newest first", "security": _PROVIDER_SECURITY,
            "parameters": [status_param, limit_param, cursor_param],
            "responses": _responses("TicketPage", "400", "401"),
        }},
        f"{tickets}/{{number}}": {"get": {
            "tags": ["provider"], "summary": "One ticket with its events and part reservations",
            "security": _PROVIDER_SECURITY, "parameters": [_NUMBER_PARAM],
            "responses": _responses("ProviderTicket", "401", "404"),
        }},
        f"{tickets}/{{number}}/accept": {"post": _ticket_action("Accept a routed ticket (idempotent)", None)},
        f"{tickets}/{{number}}/reject": {"post": _ticket_action(
            "Decline; the ticket is re-routed to the next eligible outlet", "RejectRequest", "Rejection"
        )},
        f"{tickets}/{{number}}/schedule": {"post": _ticket_action(
            "Set or move the appointment (status scheduled)", "ScheduleRequest"
        )},
        f"{tickets}/{{number}}/status": {"post": _ticket_action(
            "in_repair, waiting_parts (optionally reserving a part) or resolved (with notes)", "StatusRequest"
        )},
        f"{tickets}/{{number}}/notes": {"post": _ticket_action("Append a note", "NoteRequest")},
    }


def _handoff_paths() -> dict[str, Any]:
    agent: list[dict[str, list[str]]] = [{"agentBearer": []}]
    handoff_id = {"name": "handoff_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    return {
        "/api/v1/handoffs": {"get": {
            "tags": ["handoffs"], "summary": "Handoffs waiting for or taken by agents", "security": agent,
            "parameters": [
                {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["queued", "taken", "closed"]}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 100}},
            ],
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {
                    "schema": {"type": "array", "items": _ref("Handoff")}}}},
                **_responses(None, "400", "401", "503"),
            },
        }},
        "/api/v1/handoffs/{handoff_id}/take": {"post": {
            "tags": ["handoffs"], "summary": "An agent takes a queued handoff", "security": agent,
            "parameters": [handoff_id], "requestBody": _body("TakeRequest"),
            "responses": _responses("Handoff", "400", "401", "404", "409", "413", "503"),
        }},
        "/api/v1/handoffs/{handoff_id}/resume": {"post": {
            "tags": ["handoffs"], "summary": "Give the conversation back to the bot and close the handoff",
            "security": agent, "parameters": [handoff_id],
            "responses": _responses("Handoff", "400", "401", "404", "409", "502", "503"),
        }},
    }


def _schemas() -> dict[str, Schema]:
    event = _obj({
        "at": _TIME, "kind": {"type": "string"}, "actor": {"type": "string"},
        "from_status": _NULLABLE_STRING, "to_status": _NULLABLE_STRING, "data": {"type": "object"},
    })
    reservation = _obj({
        "id": {"type": "integer"}, "part_id": {"type": "integer"}, "part_number": {"type": "string"},
        "warehouse_id": {"type": "integer"}, "quantity": {"type": "integer"},
        "status": {"type": "string", "enum": ["reserved", "released", "consumed"]},
    })
    contact = _obj({"phone": _NULLABLE_STRING, "language": {"type": "string"}, "location_text": _NULLABLE_STRING})
    ticket = _obj({
        "number": {"type": "string"}, "status": {"type": "string", "enum": [s.value for s in TicketStatus]},
        "category": {"type": "string"}, "priority": {"type": "string"}, "service_type": {"type": "string"},
        "language": {"type": "string"}, "brand_id": _NULLABLE_INT, "product_category": _NULLABLE_STRING,
        "model_id": _NULLABLE_INT, "symptom": _NULLABLE_STRING, "country": _NULLABLE_STRING,
        "adcode": _NULLABLE_STRING, "lat": _NULLABLE_NUMBER, "lon": _NULLABLE_NUMBER,
        "sla_accept_due_at": _NULLABLE_TIME, "sla_resolve_due_at": _NULLABLE_TIME, "appointment_at": _NULLABLE_TIME,
        "created_at": _TIME, "updated_at": _TIME,
        "contact": {"allOf": [_ref("Contact")], "nullable": True, "description": "Only once the outlet accepted it"},
        "events": {"type": "array", "items": _ref("Event")},
        "reservations": {"type": "array", "items": _ref("Reservation")},
    }, ["number", "status"])
    return {
        "Error": openapi_error_schema(),
        "Me": _obj({"outlet_code": {"type": "string"}, "key_prefix": {"type": "string"}}),
        "Event": event, "Reservation": reservation, "Contact": contact, "ProviderTicket": ticket,
        "TicketPage": _obj({"items": {"type": "array", "items": _ref("ProviderTicket")},
                            "next_cursor": _NULLABLE_STRING}),
        "Rejection": _obj({"number": {"type": "string"}, "status": {"type": "string", "enum": ["rejected"]},
                           "reason": {"type": "string"}, "rejected_at": _TIME}),
        "RejectRequest": _obj({"reason": {"type": "string", "minLength": 1, "maxLength": MAX_REASON_CHARS}},
                              ["reason"]),
        "ScheduleRequest": _obj({"at": {"type": "string", "format": "date-time",
                                        "description": "In the future, with a UTC offset"}}, ["at"]),
        "StatusRequest": _obj({
            "status": {"type": "string", "enum": [s.value for s in UPDATABLE]},
            "notes": {"type": "string", "maxLength": MAX_NOTE_CHARS, "description": "Required for resolved"},
            "part_code": {"type": "string", "maxLength": 64, "description": "waiting_parts: a part to reserve"},
            "quantity": {"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY, "default": 1},
        }, ["status"]),
        "NoteRequest": _obj({"text": {"type": "string", "minLength": 1, "maxLength": MAX_NOTE_CHARS}}, ["text"]),
        "TakeRequest": _obj({"agent": {"type": "string", "minLength": 1, "maxLength": 64}}, ["agent"]),
        "Handoff": _obj({
            "id": {"type": "integer"}, "conversation_id": {"type": "string"}, "channel": {"type": "string"},
            "language": {"type": "string"}, "reason": {"type": "string"}, "summary": {"type": "string"},
            "ticket_number": _NULLABLE_STRING, "status": {"type": "string"}, "agent": _NULLABLE_STRING,
            "created_at": _TIME, "taken_at": _NULLABLE_TIME,
            "closed_at": _NULLABLE_TIME,
        }),
    }


def build_openapi() -> dict[str, Any]:
    """The OpenAPI 3.0 document, as a fresh dict."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "After-sales bot APIs", "version": __version__,
                 "description": "Provider API (per-outlet API keys) and agent handoff API (agent token)."},
        "tags": [{"name": "provider", "description": "Outlets work their tickets"},
                 {"name": "handoffs", "description": "Agents take and resume human handoffs"},
                 {"name": "conversations", "description": "Agents write to customers on their own channel"},
                 {"name": "telegram", "description": "The provider bot's Telegram webhook"},
                 {"name": "nlu feedback", "description": "Triage corrections and the supervisors' review queue"},
                 *AGENT_TAGS],
        "paths": {**_provider_paths(), **_handoff_paths(), **conversation_paths(), **agent_console_paths(),
                  **provider_telegram_paths(), **nlu_feedback_paths()},
        "components": {
            "securitySchemes": {
                "providerBearer": {"type": "http", "scheme": "bearer", "description": "An outlet's API key"},
                "providerApiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key",
                                   "description": "The same key, as a header"},
                "agentBearer": {"type": "http", "scheme": "bearer", "description": "AGENT_API_TOKEN"},
            },
            "schemas": _schemas(),
        },
    }


async def openapi_json(request: web.Request) -> web.StreamResponse:
    """`GET /api/openapi.json`: the document (public: it describes, it grants nothing)."""
    return web.json_response(build_openapi())


def setup_openapi(app: web.Application) -> None:
    """Serve the OpenAPI document."""
    app.router.add_get(OPENAPI_PATH, openapi_json)
