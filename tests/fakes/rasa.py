"""A fake of Rasa's HTTP API (the three endpoints our service calls) that records every request it receives.

Start it with `async with FakeRasa() as rasa:` (or `start()`/`close()`); `closed_port_url()` is a Rasa that is down.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.fakes.server import LocalServer

_ACTIONS = ("tracker/events", "execute", "trigger_intent")


@dataclass
class RecordedRequest:
    """One request as the fake received it: raw path (as Sanic would route it), query and JSON body."""

    method: str
    raw_path: str
    query: dict[str, str]
    body: Any


@dataclass
class FakeRasa(LocalServer):
    """Answers `status` after `delay_s` to POST /conversations/<id>/{tracker/events,execute,trigger_intent}.

    `statuses` overrides `status` per endpoint, keyed by its last path part(s): `{"execute": 404}`; `answers`
    adds keys to the JSON answered there (`{"execute": {"messages": [...]}}`, what a collecting channel got).
    """

    status: int = 200
    delay_s: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    server: TestServer | None = None

    async def start(self) -> str:
        """Start listening on a free local port; returns the base URL."""
        app = web.Application()
        for action in _ACTIONS:
            app.router.add_post(f"/conversations/{{conversation_id:.+}}/{action}", self._handle)
        self.server = TestServer(app)
        await self.server.start_server()
        return str(self.server.make_url("")).rstrip("/")


    async def _handle(self, request: web.Request) -> web.Response:
        raw_path = request.raw_path.split("?", 1)[0]
        self.requests.append(RecordedRequest(request.method, raw_path, dict(request.query), await request.json()))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        action = next(a for a in _ACTIONS if raw_path.endswith(f"/{a}"))
        status = self.statuses.get(action, self.status)
        return web.json_response({"ok": status < 300, **self.answers.get(action, {})}, status=status)


def closed_port_url() -> str:
    """A local URL nobody listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
