"""A provider's webhook receiver for tests, and a small routable network with webhooks.

The receiver checks signatures with its own HMAC code (hashlib/hmac here, nothing imported from our signer), so a
bug in the signer cannot hide behind the same bug in the check.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.db.models import Authorisation, Brand
from bot.db.session import SessionFactory
from bot.domain.catalogue import ProductCategory
from bot.domain.taxonomy import Category
from bot.geo.types import Location
from bot.services.tickets.routing import RoutingService
from bot.services.tickets.service import TicketService
from bot.services.tickets.types import NewTicket
from bot.services.webhooks.config import WebhookConfigService
from tests.factories import make_outlet, make_provider

CUSTOMER = Location(lat=22.540, lon=113.930, country="CN", adcode="440305")
PHONE = "13812345678"
#: Outlet codes, nearest to the customer first.
OFFSETS = {"WH-A": 0.005, "WH-B": 0.02, "WH-C": 0.05}


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
class Receiver:
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

    async def close(self) -> None:
        """Stop listening."""
        if self.server is not None:
            await self.server.close()

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


@dataclass
class Network:
    """Three authorised outlets near the customer, the services over them."""

    sessions: SessionFactory
    brand_id: int
    outlet_ids: dict[str, int]
    tickets: TicketService
    config: WebhookConfigService

    async def hook(self, receiver: Receiver, code: str) -> str:
        """Configure `code`'s webhook to point at the receiver; returns (and tells the receiver) the secret."""
        done = await self.config.configure(code, receiver.url(code))
        receiver.secrets[code] = done.secret
        return done.secret

    async def routed_ticket(self, **overrides: Any) -> str:
        """A new ticket from a customer with a phone number, routed to the nearest outlet; its number."""
        values: dict[str, Any] = dict(
            idempotency_key=f"wh-{uuid.uuid4().hex}", category=Category.REPORT_FAULT, channel="rest",
            channel_user_id=f"user-{uuid.uuid4().hex[:6]}", language="zh", brand_id=self.brand_id,
            product_category=ProductCategory.AIR_CONDITIONER, symptom=f"空调不制冷，回电 {PHONE}",
            location=CUSTOMER, location_text="广东省深圳市南山区科技园科苑路15号", phone=PHONE,
        )
        values.update(overrides)
        return (await self.tickets.create(NewTicket(**values), route=True)).number


async def build_network(sessions: SessionFactory) -> Network:
    """Brand, provider and the outlets of `OFFSETS`, each authorised to repair the brand's air conditioners."""
    ids: dict[str, int] = {}
    async with sessions() as session, session.begin():
        brand = Brand(code=f"b{uuid.uuid4().hex[:6]}", name_zh="格力", name_en="Gree", home_country="CN", aliases=[])
        session.add(brand)
        await session.flush()
        provider = await make_provider(session)
        for code, offset in OFFSETS.items():
            outlet = await make_outlet(
                session, CUSTOMER.lat + offset, CUSTOMER.lon, provider=provider, code=code, adcode="440305",
                service_radius_km=50.0, phone="+8675512345678",
            )
            session.add(Authorisation(outlet_id=outlet.id, brand_id=brand.id, category="air_conditioner",
                                      service_type="repair", valid_from=date(2020, 1, 1)))
            ids[code] = outlet.id
        brand_id = brand.id
    tickets = TicketService(sessions, RoutingService(sessions, refresh_interval_s=0.0))
    return Network(sessions, brand_id, ids, tickets, WebhookConfigService(sessions))
