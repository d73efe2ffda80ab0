"""Handoff service on SQLite: idempotent open, one open handoff per conversation, lifecycle, summaries, bad input."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.db.models import Handoff
from bot.domain.errors import HandoffNotFoundError, IllegalTransitionError, NotFoundError, ValidationError
from bot.domain.handoff import MAX_SUMMARY_CHARS, clean_summary, mask_phone_numbers
from bot.services.handoff.service import HandoffService


async def _open(service: HandoffService, conversation: str = "tg:42", **kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = dict(channel="telegram", language="zh", reason="requested", summary="空调不制冷")
    args.update(kw)
    return await service.open(conversation, **args)  # type: ignore[arg-type]


async def _rows(session_factory) -> list[Handoff]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return list((await session.execute(select(Handoff).order_by(Handoff.id))).scalars())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("客户电话13812345678，请回电", "客户电话******78，请回电"),
        ("call +86 138-1234-5678 now", "call ******78 now"),
        ("座机 (010) 6552-9988", "座机 (******88"),
        ("tel13812345678", "tel******78"),
        ("全角１３８１２３４５６７８", "全角******７８"),
        ("IMEI 356938035643809", "IMEI ******09"),
        # not phone numbers: ticket numbers, dates, prices, serials stay readable
        ("工单 AS-20260101-234567 已建", "工单 AS-20260101-234567 已建"),
        ("SN20240511 买于 2024-05-01 价格 1999.00", "SN20240511 买于 2024-05-01 价格 1999.00"),
    ],
)
def test_mask_phone_numbers(text: str, expected: str) -> None:
    assert mask_phone_numbers(text) == expected


def test_clean_summary_masks_before_it_trims() -> None:
    long = "很" * (MAX_SUMMARY_CHARS - 5) + " 13812345678"  # the number straddles the limit
    cleaned = clean_summary(long)
    assert len(cleaned) == MAX_SUMMARY_CHARS and cleaned.endswith("…")
    assert "138" not in cleaned and "1234" not in cleaned
    assert clean_summary("  短  ") == "短"


async def test_open_is_idempotent_per_conversation(session_factory) -> None:  # type: ignore[no-untyped-def]
    service = HandoffService(session_factory)
    first = await _open(service, summary="电话 13812345678，工单 AS-20260101-ABC234", ticket_number="as20260101abc234")
    again = await _open(service, reason="complaint", summary="other")
    other = await _open(service, "tg:43")
    assert first.created and not again.created and other.created
    assert again.id == first.id and again.reason == "requested" and other.id != first.id
    assert first.status == "queued" and first.agent is None and first.taken_at is None
    assert first.ticket_number == "AS-20260101-ABC234"
    assert first.summary == "电话 ******78，工单 AS-20260101-ABC234"
    assert first.created_at.tzinfo is timezone.utc
    [stored, _] = await _rows(session_factory)
    assert "13812345678" not in stored.summary


async def test_concurrent_opens_make_one_handoff(session_factory) -> None:  # type: ignore[no-untyped-def]
    service = HandoffService(session_factory)
    views = await asyncio.gather(*(_open(service) for _ in range(8)))
    assert len({v.id for v in views}) == 1 and sum(v.created for v in views) == 1
    assert len(await _rows(session_factory)) == 1


async def test_closed_handoff_frees_the_conversation(session_factory) -> None:  # type: ignore[no-untyped-def]
    service = HandoffService(session_factory)
    first = await _open(service)
    await service.close(first.id)
    assert await service.get_open("tg:42") is None
    second = await _open(service, reason="safety")
    assert second.created and second.id != first.id and second.reason == "safety"
    assert (await service.get_open("tg:42")) == replace(second, created=False)


async def test_database_refuses_a_second_open_handoff(session_factory) -> None:  # type: ignore[no-untyped-def]
    def row(status: str) -> Handoff:
        return Handoff(conversation_id="c", channel="rest", language="en", reason="fallback", summary="", status=status)

    async with session_factory() as session, session.begin():
        session.add_all([row("closed"), row("closed"), row("queued")])  # closed ones do not count
    with pytest.raises(IntegrityError):
        async with session_factory() as session, session.begin():
            session.add(row("taken"))
    with pytest.raises(IntegrityError):  # CHECK constraint on status
        async with session_factory() as session, session.begin():
            session.add(Handoff(conversation_id="d", channel="rest", language="en", reason="fallback",
                                summary="", status="lost"))


async def test_lifecycle_take_then_close(session_factory) -> None:  # type: ignore[no-untyped-def]
    service = HandoffService(session_factory)
    opened = await _open(service)
    taken = await service.take(opened.id, "  agent-7 ")
    assert (taken.status, taken.agent) == ("taken", "agent-7") and taken.taken_at is not None
    with pytest.raises(IllegalTransitionError):
        await service.take(opened.id, "agent-8")
    closed = await service.close(opened.id)
    assert closed.status == "closed" and closed.closed_at is not None and closed.agent == "agent-7"
    with pytest.raises(IllegalTransitionError):
        await service.close(opened.id)
    with pytest.raises(IllegalTransitionError):
        await service.take(opened.id, "agent-8")
    queued = await _open(service, "tg:99")
    assert (await service.close(queued.id)).status == "closed"  # an agent may dismiss without taking


async def test_concurrent_takes_have_one_winner(session_factory) -> None:  # type: ignore[no-untyped-def]
    service = HandoffService(session_factory)
    opened = await _open(service)
    results = await asyncio.gather(*(service.take(opened.id, f"agent-{i}") for i in range(6)), return_exceptions=True)
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, IllegalTransitionError) for r in results if isinstance(r, BaseException))
    assert (await service.get(opened.id)).agent == winners[0].agent  # type: ignore[union-attr]


async def test_list_queue(session_factory) -> None:  # type: ignore[no-untyped-def]
    service = HandoffService(session_factory)
    a, b, c = [await _open(service, f"c{i}") for i in range(3)]
    await service.take(b.id, "agent")
    await service.close(c.id)
    assert [v.id for v in await service.list_queue()] == [a.id, b.id]
    assert [v.id for v in await service.list_queue("queued")] == [a.id]
    assert [v.id for v in await service.list_queue("taken")] == [b.id]
    assert [v.id for v in await service.list_queue("closed")] == [c.id]
    assert len(await service.list_queue(limit=1)) == 1
    with pytest.raises(ValidationError):
        await service.list_queue("lost")
    with pytest.raises(ValidationError):
        await service.list_queue(limit=0)


async def test_unknown_id_and_bad_input(session_factory) -> None:  # type: ignore[no-untyped-def]
    service = HandoffService(session_factory)
    for call in (service.get(404), service.take(404, "agent"), service.close(404)):
        with pytest.raises(HandoffNotFoundError) as caught:
            await call
        assert isinstance(caught.value, NotFoundError)
    bad_opens: list[dict[str, object]] = [
        {"reason": "bored"}, {"channel": ""}, {"language": "x" * 9}, {"ticket_number": "12345"},
    ]
    for kw in bad_opens:
        with pytest.raises(ValidationError):
            await _open(service, **kw)
    with pytest.raises(ValidationError):
        await _open(service, "")
    opened = await _open(service)
    for agent in ("", "   ", "a" * 65):
        with pytest.raises(ValidationError):
            await service.take(opened.id, agent)
    assert len(await _rows(session_factory)) == 1
    assert (await service.get(opened.id)).status == "queued"
