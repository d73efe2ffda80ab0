"""Ticket creation on the real PostgreSQL: concurrent retries of one request still make one ticket."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.db.models import Brand, Ticket
from bot.db.session import create_async_db_engine, make_session_factory
from bot.domain.catalogue import ProductCategory
from bot.domain.taxonomy import Category
from bot.services.tickets.service import TicketService
from bot.services.tickets.types import NewTicket

pytestmark = pytest.mark.postgres


async def test_concurrent_retries_make_one_ticket_on_postgresql(pg_db_url: str) -> None:
    engine = create_async_db_engine(pg_db_url)
    sessions = make_session_factory(engine)
    try:
        async with sessions() as session, session.begin():
            brand = Brand(code="haier", name_zh="海尔", name_en="Haier", home_country="CN", aliases=[])
            session.add(brand)
        service = TicketService(sessions)
        new = NewTicket(
            idempotency_key="tg:42:confirm:1", category=Category.REPORT_FAULT, channel="telegram",
            channel_user_id="42", brand_id=brand.id, product_category=ProductCategory.REFRIGERATOR,
            symptom="冰箱不制冷",
        )
        views = await asyncio.gather(*(service.create(new) for _ in range(20)))
        assert len({v.number for v in views}) == 1
        assert sum(v.created for v in views) == 1
        async with sessions() as session:
            assert (await session.execute(select(func.count()).select_from(Ticket))).scalar_one() == 1
    finally:
        await engine.dispose()
