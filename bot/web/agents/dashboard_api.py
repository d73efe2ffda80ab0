"""`GET /api/v1/dashboard?from=YYYY-MM-DD&to=YYYY-MM-DD`: the supervisor dashboard's figures (supervisors only)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from bot.db.models import utcnow
from bot.domain.errors import ValidationError
from bot.web.agents.auth import agent_endpoint
from bot.web.keys import SERVICES_KEY

DEFAULT_DAYS = 30


def setup_dashboard_api(app: web.Application) -> None:
    """Mount the dashboard endpoint."""
    app.router.add_get("/api/v1/dashboard", dashboard)


def _day(request: web.Request, name: str, default: date) -> date:
    raw = request.query.get(name)
    if not raw:
        return default
    try:
        if len(raw) != 10:
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"'{name}' must be a date, YYYY-MM-DD") from None


def dashboard_json(found: Any) -> dict[str, Any]:
    """The dashboard as JSON (dates as ISO strings, the SLA total included)."""
    body = asdict(found)
    body["start"], body["end"] = found.start.isoformat(), found.end.isoformat()
    body["sla"]["total"] = found.sla.total
    return body


@agent_endpoint(role="supervisor")
async def dashboard(request: web.Request) -> web.StreamResponse:
    """Tickets per day by category, brand, region and status; SLA breaches; per-outlet acceptance and CSAT.

    Default range: the last 30 UTC days up to today; at most 366 days.
    """
    today = utcnow().date()
    end = _day(request, "to", today)
    start = _day(request, "from", end - timedelta(days=DEFAULT_DAYS - 1))
    found = await request.app[SERVICES_KEY].dashboard.build(start, end)
    return web.json_response(dashboard_json(found))
