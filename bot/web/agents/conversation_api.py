"""Agents write to customers: `POST /api/v1/conversations/{conversation_id}/messages`.

The endpoint uses the agent API's authentication (`bot.web.agents.auth.agent_endpoint`); errors are answered by
`error_middleware`. A conversation exists for it when a ticket or a handoff came from it (our own records, not
Rasa's: Rasa would create a tracker for any id it is asked about); otherwise 404. The message is queued (202) in
the customer outbox (`bot.services.customers.outbox`) and reaches the customer within a round of its worker
(`bot/web/workers.py`: `CUSTOMER_OUTBOX_INTERVAL_S`, default 2 s; 0 disables the worker).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.domain.errors import ValidationError
from bot.services.customers.message_types import (
    MAX_AGENT_CHARS,
    MAX_CLIENT_ID_CHARS,
    MAX_CONVERSATION_CHARS,
    MAX_TEXT_CHARS,
)
from bot.web.agents.auth import AGENT_ACCOUNT, agent_endpoint
from bot.web.errors import openapi_error, read_json_object
from bot.web.keys import SERVICES_KEY

MESSAGES_PATH = "/api/v1/conversations/{conversation_id}/messages"
MAX_BODY_BYTES = 16 * 1024  # a 2,000-character message is at most 8 KiB of JSON-escaped UTF-8


def setup_conversation_api(app: web.Application) -> None:
    """Mount the endpoint."""
    app.router.add_post(MESSAGES_PATH, post_message)


@agent_endpoint()
async def post_message(request: web.Request) -> web.StreamResponse:
    """`POST …/messages` with `{"text", "agent", "client_id"?}` → 202 `{"id", "status"}` (the same for a repeat)."""
    conversation_id = request.match_info["conversation_id"]
    if not 1 <= len(conversation_id) <= MAX_CONVERSATION_CHARS:
        raise ValidationError(f"conversation id must be 1..{MAX_CONVERSATION_CHARS} characters")
    body = await read_json_object(request, MAX_BODY_BYTES)
    agent = body.get("agent")
    if AGENT_ACCOUNT in request:  # a signed-in agent writes under their own name
        agent = request[AGENT_ACCOUNT].username
    queued = await request.app[SERVICES_KEY].customer_outbox.enqueue_agent_message(
        conversation_id, body.get("text"), agent, body.get("client_id")
    )
    return web.json_response({"id": queued.id, "status": queued.status}, status=202)


def openapi_paths() -> dict[str, Any]:
    """This endpoint's part of `/api/openapi.json` (merged by `bot.web.openapi`)."""
    request_schema = {
        "type": "object", "required": ["text"],
        "properties": {
            "text": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT_CHARS,
                     "description": "Plain text; line breaks allowed, no other control characters"},
            "agent": {"type": "string", "minLength": 1, "maxLength": MAX_AGENT_CHARS,
                      "description": "Required with the Bearer token; a signed-in agent's own name is used"},
            "client_id": {"type": "string", "minLength": 1, "maxLength": MAX_CLIENT_ID_CHARS,
                          "description": "The console's message id: a repeat returns the first message"},
        },
    }
    queued = {"type": "object", "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string", "enum": ["pending", "sent", "failed", "pollable"]},
    }}
    return {MESSAGES_PATH: {"post": {
        "tags": ["conversations"], "summary": "Queue an agent's message to the customer, on the customer's channel",
        "security": [{"agentBearer": []}],
        "parameters": [{"name": "conversation_id", "in": "path", "required": True,
                        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_CONVERSATION_CHARS}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": request_schema}}},
        "responses": {
            "202": {"description": "Queued", "content": {"application/json": {"schema": queued}}},
            "400": openapi_error("Malformed body or a value out of range"),
            "401": openapi_error("Missing or wrong agent credentials"),
            "404": openapi_error("No ticket or handoff came from this conversation"),
            "409": openapi_error("client_id already used for a different message"),
            "413": openapi_error(f"Body larger than {MAX_BODY_BYTES // 1024} KiB"),
            "503": openapi_error("The agent API is disabled (no token configured)"),
        },
    }}}
