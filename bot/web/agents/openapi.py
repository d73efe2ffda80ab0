"""The agent console's part of `/api/openapi.json`: sign-in, conversations, assist, take-over and the dashboard.

Merged by `bot.web.openapi`; error answers use the shared `Error` body (`bot.web.errors.openapi_error`).
"""

from __future__ import annotations

from typing import Any

from bot.services.agents.conversations import MAX_CONVERSATIONS
from bot.services.dashboard.service import MAX_DAYS
from bot.web.agents.auth import COOKIE_NAME, CSRF_HEADER, CSRF_VALUE
from bot.web.agents.console import MAX_CONVERSATION_ID
from bot.web.errors import openapi_error

Schema = dict[str, Any]

#: The agent API also accepts a signed-in agent's session cookie (`agent_session`, set by `POST /agent/login`; changes
#: then need the CSRF header). The document names only the Bearer scheme, as the operator's integrations use it.
AGENT_SECURITY: list[dict[str, list[str]]] = [{"agentBearer": []}]
SESSION_NOTE = f"Also open to a signed-in agent ({COOKIE_NAME} cookie; changes need {CSRF_HEADER}: {CSRF_VALUE})."
TAGS = [{"name": "agent console", "description": "Agents sign in, follow conversations, take them over"},
        {"name": "dashboard", "description": "Supervisors' figures"}]

_STR: Schema = {"type": "string"}
_NSTR: Schema = {"type": "string", "nullable": True}
_TIME: Schema = {"type": "string", "format": "date-time"}
_INT: Schema = {"type": "integer"}
_ERRORS = {
    "400": "Malformed input or a value out of range", "401": "Not signed in and no valid agent token",
    "403": "Missing CSRF header, or supervisors only", "409": "Another agent has the conversation",
    "502": "Rasa failed or cannot be reached",
    "503": "No agent token configured and not signed in",
}


def _obj(properties: dict[str, Schema]) -> Schema:
    return {"type": "object", "properties": properties}


def _array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def _responses(ok: Schema, *codes: str) -> dict[str, Any]:
    out: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {"schema": ok}}}}
    out.update({code: openapi_error(_ERRORS[code]) for code in codes})
    return out


_CID = {"name": "conversation_id", "in": "path", "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_CONVERSATION_ID}}
_HANDOFF = {"$ref": "#/components/schemas/Handoff"}
_SERIES = _array(_obj({"key": _STR, "label_zh": _STR, "label_en": _STR, "counts": _array(_INT), "total": _INT}))
_ASSIST = _obj({
    "conversation_id": _STR, "channel": _NSTR, "paused": {"type": "boolean"}, "language": _STR,
    "transcript": _array(_obj({"who": {"type": "string", "enum": ["user", "bot", "agent", "system"]},
                               "text": _STR, "at": {**_TIME, "nullable": True}})),
    "triage": {**_obj({"intent": _STR, "confidence": {"type": "number"}, "category": _STR, "urgency": _STR,
                       "language": _STR, "entities": _array(_obj({"entity": _STR, "value": _STR})),
                       "message_key": {**_NSTR, "description": "The triaged message: what a triage correction names"}}),
               "nullable": True},
    "draft": _obj({k: _NSTR for k in ("category", "urgency", "language", "brand", "brand_name", "product_category",
                                      "product_model", "symptom", "error_code", "location", "phone")}),
    "outlets": _array(_obj({"outlet_id": _INT, "code": _STR, "name_zh": _STR, "name_en": _STR, "address": _STR,
                            "phone": _NSTR, "opening_hours": _STR, "distance_km": {"type": "number"}})),
    "parts": _array(_obj({"part_number": _STR, "name_zh": _STR, "name_en": _STR, "kind": _STR, "available": _INT,
                          "nearest": _NSTR, "eta_days": {"type": "integer", "nullable": True}})),
    "suggestions": _array(_STR), "handoff": {"allOf": [_HANDOFF], "nullable": True}, "notes": _array(_STR),
})
_DASHBOARD = _obj({
    "start": {"type": "string", "format": "date"}, "end": {"type": "string", "format": "date"},
    "days": _array(_STR), "total_tickets": _INT, "by_category": _SERIES, "by_brand": _SERIES, "by_region": _SERIES,
    "by_status": _SERIES,
    "sla": _obj({"late_accepts": _INT, "open_overdue": _INT, "timeouts": _INT, "total": _INT, "by_day": _array(_INT)}),
    "outlets": _array(_obj({
        "outlet_id": _INT, "code": _STR, "name_zh": _STR, "name_en": _STR, "offers": _INT, "accepted": _INT,
        "rejected": _INT, "acceptance_rate": {"type": "number", "nullable": True},
        "median_accept_minutes": {"type": "number", "nullable": True},
        "csat_average": {"type": "number", "nullable": True}, "csat_count": _INT,
    })),
})


def _date_param(name: str, description: str) -> Schema:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", "format": "date"}}


def agent_console_paths() -> dict[str, Any]:
    """The console's operations."""
    me = _obj({"username": _STR, "role": {"type": "string", "enum": ["agent", "supervisor"]}})
    return {
        "/api/v1/agent/me": {"get": {
            "tags": ["agent console"], "summary": f"The signed-in agent (needs the {COOKIE_NAME} session cookie)",
            "security": [], "responses": _responses(me, "401"),
        }},
        "/api/v1/conversations": {"get": {
            "tags": ["agent console"], "summary": "Conversations our database knows, most recently active first",
            "description": SESSION_NOTE,
            "security": AGENT_SECURITY,
            "parameters": [{"name": "limit", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_CONVERSATIONS}}],
            "responses": _responses(_array(_obj({
                "conversation_id": _STR, "channel": _STR, "last_activity": _TIME, "handoff_id": _INT,
                "handoff_status": _NSTR, "handoff_agent": _NSTR, "ticket_number": _NSTR,
            })), "400", "401", "503"),
        }},
        "/api/v1/conversations/{conversation_id}/assist": {"get": {
            "tags": ["agent console"], "security": AGENT_SECURITY, "parameters": [_CID],
            "summary": "Transcript, live triage, ticket draft, nearest outlets, parts on hand, suggested replies",
            "description": SESSION_NOTE,
            "responses": _responses(_ASSIST, "400", "401", "502", "503"),
        }},
        "/api/v1/conversations/{conversation_id}/takeover": {"post": {
            "tags": ["agent console"], "security": AGENT_SECURITY, "parameters": [_CID],
            "summary": "Pause the bot and take the conversation (queued for it first when needed)",
            "description": SESSION_NOTE,
            "requestBody": {"required": False, "content": {"application/json": {"schema": _obj({
                "agent": {"type": "string", "description": "Required with the Bearer token"}})}}},
            "responses": _responses(_HANDOFF, "400", "401", "403", "409", "502", "503"),
        }},
        "/api/v1/dashboard": {"get": {
            "tags": ["dashboard"], "security": AGENT_SECURITY, "summary": "Supervisor dashboard figures",
            "description": SESSION_NOTE + " Signed-in agents need the supervisor role.",
            "parameters": [_date_param("from", "First UTC day (default: 29 days before 'to')"),
                           _date_param("to", f"Last UTC day (default: today); at most {MAX_DAYS} days")],
            "responses": _responses(_DASHBOARD, "400", "401", "403", "503"),
        }},
    }
