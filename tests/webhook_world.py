"""A small routable network with webhooks: three outlets near the customer, authorised for Gree air conditioners,
and tickets from a customer with a phone number (tests.fakes.webhook_receiver receives what they send)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from bot.db.session import SessionFactory
from bot.domain.catalogue import ProductCategory
from bot.domain.taxonomy import Category
from bot.services.tickets.routing import RoutingService
from bot.services.tickets.service import TicketService
from bot.services.tickets.types import NewTicket
from bot.services.webhooks.config import WebhookConfigService
from tests.fakes.webhook_receiver import Receiver
from tests.provider_world import CUSTOMER, authorised_outlets

PHONE = "13812345678"
#: Outlet codes, nearest to the customer first.
OFFSETS = {"WH-A": 0.005, "WH-B": 0.02, "WH-C": 0.05}


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
    async with sessions() as session, session.begin():
        brand, ids = await authorised_outlets(session, OFFSETS, phone="+8675512345678")
        brand_id = brand.id
    tickets = TicketService(sessions, RoutingService(sessions, refresh_interval_s=0.0))
    return Network(sessions, brand_id, ids, tickets, WebhookConfigService(sessions))
