"""A provider's webhook receiver for tests (the network it receives from is `tests.webhook_world`).

The receiver checks signatures with its own HMAC code (hashlib/hmac here, nothing imported from our signer), so a
bug in the signer cannot hide behind the same bug in the check.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.fakes.server import LocalServer


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a receiver computes, written from the documented scheme."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


@dataclass
class Received:
    """One request as the receiver saw it."""

    path: str
    delivery_id: str
    timestamp: str
    signature_ok: bool
    fresh: bool
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        """The parsed body."""
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


@dataclass
class Receiver(LocalServer):
    """Records every POST to `/hook/<outlet code>`; answers from `plan` (popped per request), then 200."""

    secrets: dict[str, str] = field(default_factory=dict)  # outlet code → secret
    plan: list[int] = field(default_factory=list)
    delay_s: float = 0.0
    received: list[Received] = field(default_factory=list)
    server: TestServer | None = None

    async def start(self) -> None:
        """Listen on 127.0.0.1 (a free port)."""
        app = web.Application()
        app.router.add_post("/hook/{code}", self._handle)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()


    def url(self, code: str) -> str:
        """The webhook URL of an outlet."""
        assert self.server is not None
        return str(self.server.make_url(f"/hook/{code}"))

    def for_outlet(self, code: str) -> list[Received]:
        """What arrived for one outlet."""
        return [r for r in self.received if r.path.endswith(f"/{code}")]

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        timestamp = request.headers.get("X-Webhook-Timestamp", "")
        secret = self.secrets.get(request.match_info["code"], "")
        signature = request.headers.get("X-Webhook-Signature", "")
        ok = bool(secret) and hmac.compare_digest(expected_signature(secret, timestamp, body), signature)
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= 300
        self.received.append(
            Received(request.path, request.headers.get("X-Webhook-Id", ""), timestamp, ok, fresh, body)
        )
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        status = self.plan.pop(0) if self.plan else 200
        return web.json_response({"ok": status < 300}, status=status)

