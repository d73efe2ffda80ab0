"""A small service network for provider-API tests: three authorised outlets near Shenzhen, a part in stock, and
tickets routed by the real routing service. Everything is created through the caller's session factory."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Authorisation, Brand, utcnow
from bot.db.session import SessionFactory
from bot.domain.catalogue import ProductCategory
from bot.domain.taxonomy import Category
from bot.geo.types import Location
from bot.services.parts.service import PartsService
from bot.services.providers.keys import OutletIdentity, ProviderKeyService
from bot.services.providers.tickets import ProviderTicketService
from bot.services.tickets.routing import RoutingService
from bot.services.tickets.service import TicketService
from bot.services.tickets.types import NewTicket
from tests.factories import make_outlet, make_part, make_provider, make_stock, make_warehouse

CUSTOMER = Location(lat=22.540, lon=113.930, country="CN", adcode="440305")
#: Outlet codes, nearest to the customer first (so routing tries A, then B, then C).
OUTLET_OFFSETS = {"OUT-A": 0.005, "OUT-B": 0.02, "OUT-C": 0.05}
PART_CODE = "SCR-TEST-1"


@dataclass
class World:
    """Ids of the network, the services over it, and one API key per outlet."""

    sessions: SessionFactory
    brand_id: int
    outlet_ids: dict[str, int]
    part_id: int
    warehouse_id: int
    tickets: TicketService
    provider: ProviderTicketService
    keys: ProviderKeyService
    api_keys: dict[str, str] = field(default_factory=dict)

    def identity(self, code: str) -> OutletIdentity:
        """The identity a request with `code`'s key authenticates as."""
        return OutletIdentity(self.outlet_ids[code], code, self.api_keys.get(code, "psk_x")[:12])

    def code_of(self, outlet_id: int | None) -> str:
        """The code of an outlet id."""
        return next(code for code, oid in self.outlet_ids.items() if oid == outlet_id)

    async def routed_ticket(self, **overrides: Any) -> str:
        """A new ticket, routed to the nearest eligible outlet that has not rejected it; its number."""
        fields: dict[str, Any] = dict(
            idempotency_key=f"test-{uuid.uuid4().hex}", category=Category.REPORT_FAULT, channel="rest",
            channel_user_id="user-1", language="zh", brand_id=self.brand_id,
            product_category=ProductCategory.AIR_CONDITIONER, symptom="空调不制冷", location=CUSTOMER,
            location_text="深圳南山科技园", phone="13812345678",
        )
        fields.update(overrides)
        view = await self.tickets.create(NewTicket(**fields), route=True)
        return view.number


async def authorised_outlets(
    session: AsyncSession, offsets: Mapping[str, float], **outlet_fields: Any
) -> tuple[Brand, dict[str, int]]:
    """Gree (a fresh code), one provider and its outlets `offsets` degrees north of `CUSTOMER`, each authorised to
    repair Gree's air conditioners; the brand and the outlet ids by code. `outlet_fields` go to every outlet."""
    brand = Brand(code=f"b{uuid.uuid4().hex[:6]}", name_zh="格力", name_en="Gree", home_country="CN", aliases=[])
    session.add(brand)
    await session.flush()
    provider = await make_provider(session)
    ids: dict[str, int] = {}
    for code, offset in offsets.items():
        outlet = await make_outlet(
            session, CUSTOMER.lat + offset, CUSTOMER.lon, provider=provider, code=code, adcode="440305",
            service_radius_km=50.0, **outlet_fields,
        )
        session.add(Authorisation(outlet_id=outlet.id, brand_id=brand.id, category="air_conditioner",
                                  service_type="repair", valid_from=date(2020, 1, 1)))
        ids[code] = outlet.id
    return brand, ids


async def build_world(
    sessions: SessionFactory, clock: Any = utcnow, outlets: dict[str, float] | None = None, stock: int = 5
) -> World:
    """Brand, outlets with repair authorisations for air conditioners, a part stocked near OUT-A, and keys."""
    async with sessions() as session, session.begin():
        brand, ids = await authorised_outlets(session, outlets or OUTLET_OFFSETS, acceptance_sla_minutes=60)
        part = await make_part(session, brand=brand, part_number=PART_CODE, category="air_conditioner")
        warehouse = await make_warehouse(session, CUSTOMER.lat, CUSTOMER.lon + 0.01)
        await make_stock(session, part, warehouse, on_hand=stock)
        brand_id, part_id, warehouse_id = brand.id, part.id, warehouse.id
    routing = RoutingService(sessions, refresh_interval_s=0.0)
    tickets = TicketService(sessions, routing, clock=clock)
    keys = ProviderKeyService(sessions, clock=clock)
    provider_service = ProviderTicketService(sessions, tickets, PartsService(sessions), clock=clock)
    world = World(sessions, brand_id, ids, part_id, warehouse_id, tickets, provider_service, keys)
    for code in ids:
        world.api_keys[code] = (await keys.issue(code)).key
    return world


def fixed_clock(moment: datetime) -> Any:
    """A clock that always answers `moment`."""
    return lambda: moment
