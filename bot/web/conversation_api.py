"""Agents write to customers: `POST /api/v1/conversations/{conversation_id}/messages`, and the customer outbox's
worker that delivers those messages and the ticket updates (`bot.services.customers.outbox`).

The endpoint uses the agent API's authentication and error mapping (`handoff_api._agent_endpoint`). A conversation
exists for it when a ticket or a handoff came from it (our own records, not Rasa's: Rasa would create a tracker for
any id it is asked about); otherwise 404. The message is queued (202) and reaches the customer within a round of
the worker (`CUSTOMER_OUTBOX_INTERVAL_S`, default 2 s; 0 disables the worker).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

from aiohttp import web

from bot.db.session import SessionFactory
from bot.domain.errors import ValidationError
from bot.services.customers.message_types import (
    MAX_AGENT_CHARS,
    MAX_CLIENT_ID_CHARS,
    MAX_CONVERSATION_CHARS,
    MAX_TEXT_CHARS,
)
from bot.services.customers.outbox import CustomerOutbox
from bot.services.periodic import run_periodic
from bot.settings import Settings
from bot.web.agent_auth import AGENT_ACCOUNT
from bot.web.handoff_api import BRIDGE_KEY, _agent_endpoint
from bot.web.provider_io import PayloadTooLargeError, read_body

logger = logging.getLogger(__name__)

MESSAGES_PATH = "/api/v1/conversations/{conversation_id}/messages"
MAX_BODY_BYTES = 16 * 1024  # a 2,000-character message is at most 8 KiB of JSON-escaped UTF-8

CUSTOMER_OUTBOX_KEY = web.AppKey("customer_outbox", CustomerOutbox)
CUSTOMER_OUTBOX_TASK_KEY: web.AppKey[asyncio.Task[None] | None] = web.AppKey("customer_outbox_task")


def setup_conversation_api(app: web.Application, settings: Settings, sessions_key: web.AppKey[Any]) -> None:
    """Mount the endpoint; create the outbox (and start its worker) after the database and the Rasa bridge."""
    if settings.customer_outbox_interval_s < 0:
        raise ValueError("CUSTOMER_OUTBOX_INTERVAL_S must be 0 (off) or a positive number of seconds")
    app.cleanup_ctx.append(_outbox_ctx(settings, sessions_key))
    app.router.add_post(MESSAGES_PATH, post_message)


def _outbox_ctx(
    settings: Settings, sessions_key: web.AppKey[Any]
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def outbox_ctx(app: web.Application) -> AsyncIterator[None]:
        sessions = cast(SessionFactory, app[sessions_key])
        # Rasa's HTTP API is only on with a token (bot/launcher.py): without one, nothing can be pushed.
        outbox = CustomerOutbox(sessions, app[BRIDGE_KEY] if settings.rasa_token else None)
        app[CUSTOMER_OUTBOX_KEY] = outbox
        task: asyncio.Task[None] | None = None
        interval = settings.customer_outbox_interval_s
        if interval > 0:
            task = asyncio.create_task(run_periodic("customer_outbox", interval, outbox.run_once))
            logger.info("customer_outbox_started interval_s=%s push=%s", interval, bool(settings.rasa_token))
        app[CUSTOMER_OUTBOX_TASK_KEY] = task
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return outbox_ctx


def _error(status: int, message: str, code: str) -> web.Response:
    return web.json_response({"error": message, "code": code}, status=status)


async def _body(request: web.Request) -> dict[str, Any]:
    raw = await read_body(request, MAX_BODY_BYTES)
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ValidationError("body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ValidationError("body must be a JSON object")
    return body


@_agent_endpoint
async def post_message(request: web.Request) -> web.StreamResponse:
    """`POST …/messages` with `{"text", "agent", "client_id"?}` → 202 `{"id", "status"}` (the same for a repeat)."""
    conversation_id = request.match_info["conversation_id"]
    if not 1 <= len(conversation_id) <= MAX_CONVERSATION_CHARS:
        raise ValidationError(f"conversation id must be 1..{MAX_CONVERSATION_CHARS} characters")
    try:
        body = await _body(request)
    except PayloadTooLargeError:
        return _error(413, f"body larger than {MAX_BODY_BYTES // 1024} KiB", "payload_too_large")
    agent = body.get("agent")
    if AGENT_ACCOUNT in request:  # a signed-in agent writes under their own name
        agent = request[AGENT_ACCOUNT].username
    queued = await request.app[CUSTOMER_OUTBOX_KEY].enqueue_agent_message(
        conversation_id, body.get("text"), agent, body.get("client_id")
    )
    return web.json_response({"id": queued.id, "status": queued.status}, status=202)


def openapi_paths() -> dict[str, Any]:
    """This endpoint's part of `/api/openapi.json` (merged by `bot.web.openapi`)."""
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
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
            "400": {"description": "Malformed body or a value out of range", **error},
            "401": {"description": "Missing or wrong agent credentials", **error},
            "404": {"description": "No ticket or handoff came from this conversation", **error},
            "409": {"description": "client_id already used for a different message", **error},
            "413": {"description": f"Body larger than {MAX_BODY_BYTES // 1024} KiB", **error},
            "503": {"description": "The agent API is disabled (no token configured)", **error},
        },
    }}}
