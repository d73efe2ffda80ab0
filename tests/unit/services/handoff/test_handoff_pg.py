"""One open handoff per conversation on the real PostgreSQL, under real concurrency, on the migrated schema."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.db import migrate
from bot.db.models import Handoff
from bot.db.session import create_async_db_engine, make_session_factory
from bot.domain.errors import IllegalTransitionError
from bot.services.handoff.service import HandoffService

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pg_sessions(pg_url: str) -> AsyncIterator:  # type: ignore[type-arg]
    migrate.upgrade(pg_url)  # the migration's partial unique index, not create_all's
    # Pool large enough that every caller holds its own connection at once.
    engine = create_async_db_engine(pg_url, pool_size=30, max_overflow=5)
    yield make_session_factory(engine)
    await engine.dispose()


async def test_concurrent_opens_make_one_open_handoff(pg_sessions) -> None:  # type: ignore[no-untyped-def]
    services = [HandoffService(pg_sessions) for _ in range(25)]
    views = await asyncio.gather(
        *(s.open("tg:42", "telegram", "zh", "requested", f"attempt {i}") for i, s in enumerate(services))
    )
    assert len({v.id for v in views}) == 1
    assert sum(v.created for v in views) == 1
    async with pg_sessions() as session:
        assert (await session.execute(select(func.count()).select_from(Handoff))).scalar_one() == 1


async def test_partial_unique_index_allows_history_but_one_open(pg_sessions) -> None:  # type: ignore[no-untyped-def]
    service = HandoffService(pg_sessions)
    first = await service.open("wx:7", "wechat", "zh", "safety", "燃气味")
    await service.close(first.id)
    second = await service.open("wx:7", "wechat", "zh", "complaint", "投诉")
    assert second.created and second.id != first.id
    with pytest.raises(IntegrityError):
        async with pg_sessions() as session, session.begin():
            session.add(Handoff(conversation_id="wx:7", channel="wechat", language="zh", reason="fallback",
                                summary="", status="taken"))


async def test_concurrent_takes_have_one_winner(pg_sessions) -> None:  # type: ignore[no-untyped-def]
    opened = await HandoffService(pg_sessions).open("rest:1", "rest", "en", "fallback", "")
    results = await asyncio.gather(
        *(HandoffService(pg_sessions).take(opened.id, f"agent-{i}") for i in range(20)), return_exceptions=True
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, IllegalTransitionError) for r in results if isinstance(r, BaseException))
