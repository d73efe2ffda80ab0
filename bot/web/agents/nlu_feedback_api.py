"""Learning from corrections over HTTP: an agent's triage correction, the supervisors' review queue and its page.

* `POST /api/v1/conversations/{conversation_id}/triage-correction` `{"message_key", "label", "agent"?}` (agents and
  supervisors): the customer's words and the model's parse are read from the conversation's Rasa tracker, never
  taken from the client → 201 `{"id", "message_key", "label"}`, the same for a repeat.
* `GET /api/v1/nlu/review?status=pending&limit=50&before=<id>&max_confidence=` and `POST /api/v1/nlu/review/{id}`
  `{"decision": "accept"|"reject"|"relabel", "label"?, "supervisor"?}`: supervisors only (403 for agents).
* `GET /agent/review`: the review page (supervisors; agents get 403, strangers the sign-in page).

Authentication is the agent API's (`bot.web.agents.auth.agent_endpoint`): a console session (changes with
`X-Requested-With: agent-console`) or `Authorization: Bearer $AGENT_API_TOKEN`, which counts as a supervisor and
must then name the agent or supervisor in the body. Errors are answered by `error_middleware`.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.domain.errors import ValidationError
from bot.domain.taxonomy import Category
from bot.services.nlu_feedback.service import MAX_REVIEW_PAGE
from bot.services.nlu_feedback.types import MAX_MESSAGE_KEY, Decision, ReviewItem, ReviewStatus, message_key_of
from bot.web.agents.auth import AGENT_ACCOUNT, LOGIN_PAGE, agent_endpoint, session_account
from bot.web.agents.console import MAX_CONVERSATION_ID, PAGE_HEADERS, STATIC_DIR
from bot.web.errors import openapi_error, read_json_object
from bot.web.keys import RASA_SERVICES_KEY, SERVICES_KEY

CORRECTION_PATH = "/api/v1/conversations/{conversation_id}/triage-correction"
REVIEW_PATH = "/api/v1/nlu/review"
REVIEW_PAGE = "/agent/review"
MAX_BODY_BYTES = 4 * 1024
_MAX_ID = 2**31 - 1



def setup_nlu_feedback_api(app: web.Application) -> None:
    """Mount the endpoints and the review page."""
    app.router.add_post(CORRECTION_PATH, triage_correction)
    app.router.add_get(REVIEW_PATH, review_queue)
    app.router.add_post(REVIEW_PATH + "/{example_id}", review_example)
    app.router.add_get(REVIEW_PAGE, review_page)


async def review_page(request: web.Request) -> web.StreamResponse:
    """`GET /agent/review`: the supervisors' review queue page."""
    account = await session_account(request)
    if account is None:
        return web.Response(status=303, headers={"Location": f"{LOGIN_PAGE}?next={quote(request.path)}"})
    response = web.FileResponse(STATIC_DIR / ("review.html" if account.is_supervisor else "forbidden.html"),
                                headers=PAGE_HEADERS)
    if not account.is_supervisor:
        response.set_status(403)
    return response


def _person(request: web.Request, body: dict[str, Any], field: str) -> str:
    """The signed-in account's name, else (Bearer token) the body's `field`."""
    if AGENT_ACCOUNT in request:
        return str(request[AGENT_ACCOUNT].username)
    value = body.get(field)
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 64:
        raise ValidationError(f'with the agent token, name the {field}: {{"{field}": "<name>"}}')
    return value.strip()


def _conversation_id(request: web.Request) -> str:
    cid = request.match_info["conversation_id"]
    if not 1 <= len(cid) <= MAX_CONVERSATION_ID or not cid.isprintable() or cid in {".", ".."}:
        raise ValidationError(f"conversation id must be 1..{MAX_CONVERSATION_ID} printable characters")
    return cid


def _item_json(item: ReviewItem) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value.isoformat() if isinstance(value, datetime) else value

    body: dict[str, Any] = plain(asdict(item))
    return body


@agent_endpoint()
async def triage_correction(request: web.Request) -> web.StreamResponse:
    """`POST …/triage-correction` `{"message_key", "label"}` → 201 `{"id", "message_key", "label"}` (idempotent)."""
    cid = _conversation_id(request)
    body = await read_json_object(request, MAX_BODY_BYTES)
    key, label = body.get("message_key"), body.get("label")
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_MESSAGE_KEY:
        raise ValidationError(f"message_key must be a string of 1..{MAX_MESSAGE_KEY} characters")
    if not isinstance(label, str) or label not in {c.value for c in Category}:
        raise ValidationError("label must be one of the 11 triage categories")
    agent = _person(request, body, "agent")
    example_id = await request.app[RASA_SERVICES_KEY].corrections.correct(cid, key, label, agent)
    return web.json_response({"id": example_id, "message_key": message_key_of(key), "label": label}, status=201)


def _query_int(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= _MAX_ID:
        raise ValidationError(f"{name} must be a positive integer")
    return int(raw)


@agent_endpoint(role="supervisor")
async def review_queue(request: web.Request) -> web.StreamResponse:
    """`GET /api/v1/nlu/review`: `{"items": [...], "next_before": <id>|null}`, newest first."""
    status = request.query.get("status") or ReviewStatus.PENDING.value
    limit = _query_int(request, "limit") or 50
    raw_confidence = request.query.get("max_confidence")
    max_confidence = None
    if raw_confidence:
        try:
            max_confidence = float(raw_confidence)
        except ValueError:
            raise ValidationError("max_confidence must be a number between 0 and 1") from None
        if not 0.0 <= max_confidence <= 1.0:
            raise ValidationError("max_confidence must be a number between 0 and 1")
    items = await request.app[SERVICES_KEY].nlu_feedback.review_queue(
        status=status, limit=limit, before_id=_query_int(request, "before"), max_confidence=max_confidence
    )
    next_before = items[-1].id if len(items) == limit else None
    return web.json_response({"items": [_item_json(i) for i in items], "next_before": next_before})


@agent_endpoint(role="supervisor")
async def review_example(request: web.Request) -> web.StreamResponse:
    """`POST /api/v1/nlu/review/{id}` `{"decision", "label"?}`: accept, reject or relabel → the example."""
    raw = request.match_info["example_id"]
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= _MAX_ID:
        raise ValidationError("example id must be a positive integer")
    body = await read_json_object(request, MAX_BODY_BYTES)
    decision, label = body.get("decision"), body.get("label")
    if not isinstance(decision, str) or decision not in {d.value for d in Decision}:
        raise ValidationError("decision must be accept, reject or relabel")
    if label is not None and not isinstance(label, str):
        raise ValidationError("label must be a string")
    supervisor = _person(request, body, "supervisor")
    item = await request.app[SERVICES_KEY].nlu_feedback.review(int(raw), decision=decision, label=label,
                                                      supervisor=supervisor)
    return web.json_response(_item_json(item))


def openapi_paths() -> dict[str, Any]:
    """These endpoints' part of `/api/openapi.json` (merged by `bot.web.openapi`)."""
    security: list[dict[str, list[str]]] = [{"agentBearer": []}]
    session_note = ("Also open to a signed-in agent (agent_session cookie; changes need X-Requested-With: "
                    "agent-console).")
    descriptions = {
        "400": "Malformed input, a label that is not a category, or nothing to learn once masked",
        "401": "Not signed in and no valid agent token", "403": "Missing CSRF header, or supervisors only",
        "404": "Unknown conversation, message or example", "413": f"Body larger than {MAX_BODY_BYTES // 1024} KiB",
        "502": "Rasa failed or cannot be reached",
        "503": "No agent token configured and not signed in",
    }

    def errors(*codes: str) -> dict[str, Any]:
        return {code: openapi_error(descriptions[code]) for code in codes}

    categories = [c.value for c in Category]
    string: dict[str, Any] = {"type": "string"}
    nullable_string: dict[str, Any] = {"type": "string", "nullable": True}
    label_view = {"type": "object", "properties": {
        "label": {"type": "string", "enum": categories}, "source": {"type": "string",
                                                                     "enum": ["customer", "agent", "supervisor"]},
        "actor": string, "at": {"type": "string", "format": "date-time"}}}
    item = {"type": "object", "properties": {
        "id": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}, "channel": string,
        "language": {"type": "string", "enum": ["zh", "en", "mixed"]},
        "text": {"type": "string", "description": "Masked: phones, IMEIs, serials, tickets, e-mails, addresses, "
                                                  "names as [phone], [imei], …"},
        "predicted_intent": nullable_string, "predicted_confidence": {"type": "number", "nullable": True},
        "candidates": {"type": "array", "items": string},
        "origin": {"type": "string", "enum": ["did_you_mean", "agent", "low_confidence"]},
        "review_status": {"type": "string", "enum": [s.value for s in ReviewStatus]},
        "reviewed_by": nullable_string, "reviewed_at": {"type": "string", "format": "date-time", "nullable": True},
        "final_label": nullable_string, "labels": {"type": "array", "items": label_view},
        "winner": nullable_string, "agreement": {"type": "number", "minimum": 0, "maximum": 1},
    }}
    cid = {"name": "conversation_id", "in": "path", "required": True,
           "schema": {"type": "string", "minLength": 1, "maxLength": MAX_CONVERSATION_ID}}
    example_id = {"name": "example_id", "in": "path", "required": True,
                  "schema": {"type": "integer", "minimum": 1, "maximum": _MAX_ID}}
    tags = ["nlu feedback"]
    return {
        CORRECTION_PATH: {"post": {
            "tags": tags, "security": security, "parameters": [cid],
            "summary": "Correct the live triage of a customer message (text and parse read from Rasa's tracker)",
            "description": session_note,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["message_key", "label"], "properties": {
                    "message_key": {"type": "string", "minLength": 1, "maxLength": MAX_MESSAGE_KEY,
                                    "description": "`triage.message_key` of the assist payload"},
                    "label": {"type": "string", "enum": categories},
                    "agent": {"type": "string", "maxLength": 64, "description": "Required with the Bearer token"},
                }}}}},
            "responses": {
                "201": {"description": "Recorded (also for a repeat)", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"id": {"type": "integer"}, "message_key": string,
                                                     "label": {"type": "string", "enum": categories}}}}}},
                **errors("400", "401", "403", "404", "413", "502", "503"),
            },
        }},
        REVIEW_PATH: {"get": {
            "tags": tags, "security": security, "summary": "The review queue, newest first (supervisors)",
            "description": session_note + " Signed-in agents need the supervisor role.",
            "parameters": [
                {"name": "status", "in": "query", "schema": {"type": "string",
                                                            "enum": [s.value for s in ReviewStatus]}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                           "maximum": MAX_REVIEW_PAGE, "default": 50}},
                {"name": "before", "in": "query", "description": "`next_before` of the previous page",
                 "schema": {"type": "integer", "minimum": 1}},
                {"name": "max_confidence", "in": "query", "schema": {"type": "number", "minimum": 0, "maximum": 1}},
            ],
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"items": {"type": "array", "items": item},
                                                     "next_before": {"type": "integer", "nullable": True}}}}}},
                **errors("400", "401", "403", "503"),
            },
        }},
        REVIEW_PATH + "/{example_id}": {"post": {
            "tags": tags, "security": security, "parameters": [example_id],
            "summary": "Accept, reject or relabel an example (relabel adds the supervisor's label and accepts)",
            "description": session_note + " Signed-in agents need the supervisor role.",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["decision"], "properties": {
                    "decision": {"type": "string", "enum": [d.value for d in Decision]},
                    "label": {"type": "string", "enum": categories, "description": "Required for relabel"},
                    "supervisor": {"type": "string", "maxLength": 64,
                                   "description": "Required with the Bearer token"},
                }}}}},
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": item}}},
                          **errors("400", "401", "403", "404", "413", "503")},
        }},
    }
