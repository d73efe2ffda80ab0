"""The agent API for human handoffs (`/api/v1/handoffs…`): list the queue, take a handoff, resume the bot.

Every endpoint needs `Authorization: Bearer <AGENT_API_TOKEN>` (without that setting the API answers 503) or a
signed-in agent's console session (cookie, plus the CSRF header on changes): `bot.web.agents.auth.agent_endpoint`.
Views raise the services' typed errors; `error_middleware` answers them (`bot/web/errors.py`: `{"error", "code"}`).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.domain.errors import ValidationError
from bot.services.handoff.types import HandoffView
from bot.settings import Settings
from bot.web.agents.auth import AGENT_ACCOUNT, agent_endpoint
from bot.web.errors import read_json_object
from bot.web.keys import AGENT_TOKEN_KEY, RASA_SERVICES_KEY, SERVICES_KEY

_MAX_ID = 2**31 - 1  # INTEGER primary keys; larger ids cannot exist and PostgreSQL would refuse them


def setup_handoff_api(app: web.Application, settings: Settings) -> None:
    """Mount the handoff endpoints; keep the agent API's Bearer token ("" when none is configured)."""
    app[AGENT_TOKEN_KEY] = settings.agent_api_token or ""
    app.router.add_get("/api/v1/handoffs", list_handoffs)
    app.router.add_post("/api/v1/handoffs/{handoff_id}/take", take_handoff)
    app.router.add_post("/api/v1/handoffs/{handoff_id}/resume", resume_handoff)


def _handoff_json(view: HandoffView) -> dict[str, Any]:
    body = asdict(view)
    body.pop("created")
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in body.items()}


def _handoff_id(request: web.Request) -> int:
    raw = request.match_info["handoff_id"]
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= _MAX_ID:
        raise ValidationError("handoff id must be a positive integer")
    return int(raw)


@agent_endpoint()
async def list_handoffs(request: web.Request) -> web.StreamResponse:
    """`GET /api/v1/handoffs?status=queued&limit=100`: a JSON list (default: queued and taken, oldest first)."""
    status = request.query.get("status") or None
    raw_limit = request.query.get("limit", "100")
    if not raw_limit.isascii() or not raw_limit.isdigit():
        raise ValidationError("limit must be a positive integer")
    views = await request.app[SERVICES_KEY].handoff.list_queue(status, int(raw_limit))
    return web.json_response([_handoff_json(v) for v in views])


@agent_endpoint()
async def take_handoff(request: web.Request) -> web.StreamResponse:
    """`POST /api/v1/handoffs/{id}/take` with `{"agent": "<name>"}`: the agent takes a queued handoff."""
    handoff_id = _handoff_id(request)
    agent = (await read_json_object(request)).get("agent")
    if AGENT_ACCOUNT in request:  # a signed-in agent takes it under their own name
        agent = request[AGENT_ACCOUNT].username
    if not isinstance(agent, str):
        raise ValidationError('body must be {"agent": "<name>"}')
    view = await request.app[SERVICES_KEY].handoff.take(handoff_id, agent)
    return web.json_response(_handoff_json(view))


@agent_endpoint()
async def resume_handoff(request: web.Request) -> web.StreamResponse:
    """`POST /api/v1/handoffs/{id}/resume`: give the conversation back to the bot, then close the handoff.

    Rasa is told first (`HandoffEngagement.resume`): if it cannot be reached the answer is 502 and the handoff stays
    as it was (taken), so the agent can retry; a resume the handoff's status does not allow is 409 before Rasa is
    touched.
    """
    view = await request.app[RASA_SERVICES_KEY].engagement.resume(_handoff_id(request))
    return web.json_response(_handoff_json(view))
