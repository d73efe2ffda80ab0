"""Dashboard aggregations on a seeded set of tickets, events and ratings, with exact expected numbers, on SQLite and
(marked) PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest

from bot.db.models import Brand, CsatRating, Ticket, TicketEvent
from bot.db.session import SessionFactory, create_async_db_engine, make_session_factory
from bot.domain.errors import ValidationError
from bot.services.dashboard.service import DashboardService
from tests.factories import make_outlet, make_provider

NOW = datetime(2026, 11, 5, tzinfo=timezone.utc)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


async def seed(sessions: SessionFactory) -> None:
    """Six tickets (five created 1–3 Nov), their routing history and four ratings; see the expectations below."""
    async with sessions() as session, session.begin():
        gree = Brand(code="gree", name_zh="格力", name_en="Gree", home_country="CN", aliases=[])
        midea = Brand(code="midea", name_zh="美的", name_en="Midea", home_country="CN", aliases=[])
        session.add_all([gree, midea])
        await session.flush()
        provider = await make_provider(session)
        o1 = await make_outlet(session, 22.5, 113.9, provider=provider, code="OUT-1")
        o2 = await make_outlet(session, 22.6, 113.9, provider=provider, code="OUT-2")

        def ticket(n: int, created: datetime, category: str, brand: Brand | None, country: str | None,
                   adcode: str | None, status: str, due: datetime | None) -> Ticket:
            return Ticket(number=f"AS-2026110{n}-TEST{n}X", idempotency_key=f"k{n}", category=category,
                          channel="rest", brand_id=brand.id if brand else None, country=country, adcode=adcode,
                          status=status, sla_accept_due_at=due, created_at=created, updated_at=created)

        t1 = ticket(1, at(1, 10), "report_fault", gree, "CN", "440305", "accepted", at(1, 11))
        t2 = ticket(2, at(1, 12), "report_fault", gree, "CN", "110105", "accepted", at(1, 13, 20))
        t3 = ticket(3, at(2, 9), "installation_request", midea, "GB", None, "routed", at(2, 10))
        t4 = ticket(4, at(2, 15), "complaint", None, None, None, "new", None)
        t5 = ticket(5, at(3, 8), "report_fault", midea, "CN", "440106", "rerouted", at(3, 10))
        t6 = ticket(6, at(31, 22, month=10), "report_fault", gree, "CN", "440305", "accepted", at(31, 23, 30, 10))
        session.add_all([t1, t2, t3, t4, t5, t6])
        await session.flush()

        def event(t: Ticket, kind: str, when: datetime, outlet: Any, actor: str = "outlet") -> TicketEvent:
            return TicketEvent(ticket_id=t.id, kind=kind, at=when, actor=actor, outlet_id=outlet.id, data={})

        session.add_all([
            event(t1, "routed", at(1, 10), o1), event(t1, "accepted", at(1, 10, 30), o1),
            event(t2, "routed", at(1, 12), o1), event(t2, "rejected", at(1, 12, 20), o1),
            event(t2, "rerouted", at(1, 12, 20), o2), event(t2, "accepted", at(1, 14), o2),
            event(t3, "routed", at(2, 9), o2),
            event(t5, "routed", at(3, 8), o1), event(t5, "rejected", at(3, 9), o1, actor="system:sla"),
            event(t5, "rerouted", at(3, 9), o2),
            event(t6, "routed", at(31, 23, month=10), o1), event(t6, "accepted", at(1, 0, 30), o1),
        ])
        session.add_all([
            CsatRating(ticket_id=t1.id, outlet_id=o1.id, rating=5, channel="rest", created_at=at(2, 12)),
            CsatRating(ticket_id=t6.id, outlet_id=o1.id, rating=2, channel="rest", created_at=at(1, 12)),
            CsatRating(ticket_id=t2.id, outlet_id=o2.id, rating=4, channel="rest", created_at=at(3, 12)),
            CsatRating(ticket_id=t3.id, outlet_id=o2.id, rating=1, channel="rest", created_at=at(4, 12)),
        ])


def _series(found: Any) -> list[tuple[str, list[int], int]]:
    return [(s.key, list(s.counts), s.total) for s in found]


async def check_dashboard(sessions: SessionFactory) -> None:
    await seed(sessions)
    board = await DashboardService(sessions, clock=lambda: NOW).build(date(2026, 11, 1), date(2026, 11, 3))
    assert board.days == ("2026-11-01", "2026-11-02", "2026-11-03")
    assert board.total_tickets == 5
    assert _series(board.by_category) == [
        ("report_fault", [2, 0, 1], 3), ("complaint", [0, 1, 0], 1), ("installation_request", [0, 1, 0], 1)]
    assert _series(board.by_brand) == [("gree", [2, 0, 0], 2), ("midea", [0, 1, 1], 2), ("unknown", [0, 1, 0], 1)]
    assert (board.by_brand[0].label_zh, board.by_brand[0].label_en) == ("格力", "Gree")
    assert _series(board.by_region) == [
        ("CN-44", [1, 0, 1], 2), ("CN-11", [1, 0, 0], 1), ("GB", [0, 1, 0], 1), ("unknown", [0, 1, 0], 1)]
    assert (board.by_region[0].label_zh, board.by_region[0].label_en) == ("广东", "Guangdong")
    assert _series(board.by_status) == [
        ("accepted", [2, 0, 0], 2), ("new", [0, 1, 0], 1), ("rerouted", [0, 0, 1], 1), ("routed", [0, 1, 0], 1)]
    sla = board.sla
    assert (sla.late_accepts, sla.open_overdue, sla.timeouts, sla.total, sla.by_day) == (1, 2, 1, 4, (1, 1, 2))
    summary = [(o.code, o.offers, o.accepted, o.rejected, o.acceptance_rate, o.median_accept_minutes,
                o.csat_average, o.csat_count) for o in board.outlets]
    assert summary == [
        ("OUT-1", 3, 2, 2, 0.5, 60.0, 3.5, 2),
        ("OUT-2", 3, 1, 0, 1.0, 100.0, 4.0, 1),
    ]
    empty = await DashboardService(sessions, clock=lambda: NOW).build(date(2025, 1, 1), date(2025, 1, 2))
    assert empty.total_tickets == 0 and empty.by_category == () and empty.outlets == ()
    assert empty.sla.by_day == (0, 0)


async def test_dashboard_aggregations_on_sqlite(session_factory) -> None:  # type: ignore[no-untyped-def]
    await check_dashboard(session_factory)


@pytest.mark.postgres
async def test_dashboard_aggregations_on_postgresql(pg_db_url: str) -> None:
    engine = create_async_db_engine(pg_db_url)
    try:
        await check_dashboard(make_session_factory(engine))
    finally:
        await engine.dispose()


async def test_range_is_checked(session_factory) -> None:  # type: ignore[no-untyped-def]
    service = DashboardService(session_factory)
    with pytest.raises(ValidationError):
        await service.build(date(2026, 11, 3), date(2026, 11, 1))
    with pytest.raises(ValidationError):
        await service.build(date(2025, 1, 1), date(2026, 1, 2))
    with pytest.raises(ValidationError):
        await service.build(date.max, date.max)
    assert len((await service.build(date(2025, 1, 1), date(2026, 1, 1))).days) == 366


async def test_brands_beyond_the_top_ten_are_summed(session_factory) -> None:  # type: ignore[no-untyped-def]
    async with session_factory() as session, session.begin():
        for i in range(12):
            brand = Brand(code=f"b{i:02d}", name_zh=f"品牌{i}", name_en=f"Brand {i}", home_country="CN", aliases=[])
            session.add(brand)
            await session.flush()
            for n in range(12 - i):
                session.add(Ticket(number=f"AS-{i:02d}{n:02d}", idempotency_key=f"k{i}-{n}", category="report_fault",
                                   channel="rest", brand_id=brand.id, created_at=at(1, 10), updated_at=at(1, 10)))
    board = await DashboardService(session_factory, clock=lambda: NOW).build(date(2026, 11, 1), date(2026, 11, 1))
    assert [s.key for s in board.by_brand] == [f"b{i:02d}" for i in range(10)] + ["other"]
    assert board.by_brand[-1].total == 2 + 1 and board.by_brand[-1].counts == (3,)
