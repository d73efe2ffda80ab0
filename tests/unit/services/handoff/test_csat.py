"""CSAT service and dispatcher on SQLite: one rating per ticket, outlet scores, asking each customer once."""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.db.models import CsatRating, CsatRequest, Ticket
from bot.domain.errors import TicketNotFoundError, UpstreamError, ValidationError
from bot.services.customers.outbox import CustomerOutbox
from bot.services.handoff.csat import CsatService
from bot.services.handoff.csat_dispatch import CSAT_ASK_ACTION, CSAT_TICKET_SLOT, dispatch_due
from bot.services.periodic import run_periodic
from tests.factories import make_outlet, unique


async def _ticket(session_factory, number: str, status: str = "resolved", **kw: Any) -> Ticket:  # type: ignore[no-untyped-def]
    values: dict[str, Any] = dict(
        number=number, idempotency_key=unique("key"), category="report_fault", status=status, channel="telegram",
        language="en", conversation_id=f"conv-{number}",
    )
    values.update(kw)
    async with session_factory() as session, session.begin():
        ticket = Ticket(**values)
        session.add(ticket)
    return ticket


async def _outlet_id(session_factory) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as session, session.begin():
        return (await make_outlet(session, 22.5, 113.9)).id


class RecordingBridge:
    """Records ask_for_rating calls; fails for the conversations listed in `failing`."""

    def __init__(self, failing: frozenset[str] = frozenset()) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.failing = failing

    async def ask_for_rating(
        self, conversation_id: str, ticket_number: str, output_channel: str = "latest"
    ) -> list[dict[str, Any]]:
        self.calls.append((conversation_id, ticket_number, output_channel))
        if conversation_id in self.failing:
            raise UpstreamError("Rasa answered 500 to tracker/events", status=500)
        if output_channel == "latest":
            return []  # Rasa sent it itself
        return [{"recipient_id": conversation_id, "text": f"Rate {ticket_number}", "buttons": [{"title": "1"}]}]


async def test_record_stores_outlet_and_is_idempotent(session_factory) -> None:  # type: ignore[no-untyped-def]
    outlet = await _outlet_id(session_factory)
    await _ticket(session_factory, "AS-20260101-AAAAAA", assigned_outlet_id=outlet)
    service = CsatService(session_factory)
    first = await service.record("as 20260101 aaaaaa", 4, "telegram", "conv-1")
    again = await service.record("AS-20260101-AAAAAA", 1, "rest", None)
    assert first.created and not again.created
    assert (again.id, again.rating, again.channel, again.outlet_id) == (first.id, 4, "telegram", outlet)
    assert first.ticket_number == "AS-20260101-AAAAAA" and first.conversation_id == "conv-1"
    async with session_factory() as session:
        assert [r.rating for r in (await session.execute(select(CsatRating))).scalars()] == [4]


async def test_concurrent_ratings_keep_one(session_factory) -> None:  # type: ignore[no-untyped-def]
    await _ticket(session_factory, "AS-20260101-BBBBBB")
    service = CsatService(session_factory)
    views = await asyncio.gather(*(service.record("AS-20260101-BBBBBB", r, "rest", "c") for r in (1, 2, 3, 4, 5)))
    assert sum(v.created for v in views) == 1 and len({(v.id, v.rating) for v in views}) == 1


async def test_record_rejects_bad_ratings_and_unknown_tickets(session_factory) -> None:  # type: ignore[no-untyped-def]
    await _ticket(session_factory, "AS-20260101-CCCCCC")
    service = CsatService(session_factory)
    for rating in (0, 6, -1, True, "5", 4.5):
        with pytest.raises(ValidationError):
            await service.record("AS-20260101-CCCCCC", rating, "rest", None)  # type: ignore[arg-type]
    with pytest.raises(TicketNotFoundError):
        await service.record("AS-20260101-ZZZZZZ", 5, "rest", None)
    with pytest.raises(TicketNotFoundError):
        await service.record("not a ticket", 5, "rest", None)
    async with session_factory() as session:
        assert (await session.execute(select(CsatRating))).first() is None


async def test_database_checks_the_rating_range(session_factory) -> None:  # type: ignore[no-untyped-def]
    ticket = await _ticket(session_factory, "AS-20260101-DDDDDD")
    with pytest.raises(IntegrityError):
        async with session_factory() as session, session.begin():
            session.add(CsatRating(ticket_id=ticket.id, rating=7, channel="rest"))


async def test_outlet_score(session_factory) -> None:  # type: ignore[no-untyped-def]
    outlet, other = await _outlet_id(session_factory), await _outlet_id(session_factory)
    service = CsatService(session_factory)
    for suffix, rating, assigned in (("AAAAA2", 5, outlet), ("AAAAA3", 4, outlet), ("AAAAA4", 4, outlet),
                                     ("AAAAA5", 1, other), ("AAAAA6", 1, None)):
        await _ticket(session_factory, f"AS-20260101-{suffix}", assigned_outlet_id=assigned)
        await service.record(f"AS-20260101-{suffix}", rating, "rest", None)
    score = await service.outlet_score(outlet)
    assert (score.outlet_id, score.count, score.average) == (outlet, 3, 4.33)
    assert (await service.outlet_score(other)).average == 1.0
    empty = await service.outlet_score(999)
    assert (empty.count, empty.average) == (0, None)


async def test_due_requests_and_mark_requested(session_factory) -> None:  # type: ignore[no-untyped-def]
    service = CsatService(session_factory)
    await _ticket(session_factory, "AS-20260101-DUE222", language="zh", channel="wechat")
    await _ticket(session_factory, "AS-20260101-DUE333")
    await _ticket(session_factory, "AS-20260101-NOCONV", conversation_id=None)
    await _ticket(session_factory, "AS-20260101-REPAIR", status="in_repair")
    await _ticket(session_factory, "AS-20260101-CLOSED", status="closed")
    await _ticket(session_factory, "AS-20260101-RATED2")
    await service.record("AS-20260101-RATED2", 5, "telegram", None)
    due = await service.due_requests()
    assert [d.ticket_number for d in due] == ["AS-20260101-DUE222", "AS-20260101-DUE333"]
    assert (due[0].conversation_id, due[0].channel, due[0].language) == ("conv-AS-20260101-DUE222", "wechat", "zh")
    assert len(await service.due_requests(limit=1)) == 1
    assert await service.mark_requested("AS-20260101-DUE222") is True
    assert await service.mark_requested("AS-20260101-DUE222") is False
    assert [d.ticket_number for d in await service.due_requests()] == ["AS-20260101-DUE333"]
    with pytest.raises(TicketNotFoundError):
        await service.mark_requested("AS-20260101-ZZZZZZ")
    with pytest.raises(ValidationError):
        await service.due_requests(limit=0)


async def test_concurrent_marks_ask_once(session_factory) -> None:  # type: ignore[no-untyped-def]
    await _ticket(session_factory, "AS-20260101-ONCE22")
    service = CsatService(session_factory)
    results = await asyncio.gather(*(service.mark_requested("AS-20260101-ONCE22") for _ in range(6)))
    assert sorted(results) == [False] * 5 + [True]
    async with session_factory() as session:
        assert len((await session.execute(select(CsatRequest))).all()) == 1


async def test_dispatch_asks_each_due_customer_once(session_factory) -> None:  # type: ignore[no-untyped-def]
    for suffix in ("AAAAA7", "AAAAA8"):
        await _ticket(session_factory, f"AS-20260101-{suffix}")
    service, bridge = CsatService(session_factory), RecordingBridge()
    assert await dispatch_due(service, bridge) == 2  # type: ignore[arg-type]
    assert bridge.calls == [
        ("conv-AS-20260101-AAAAA7", "AS-20260101-AAAAA7", "latest"),
        ("conv-AS-20260101-AAAAA8", "AS-20260101-AAAAA8", "latest"),
    ]
    assert (CSAT_TICKET_SLOT, CSAT_ASK_ACTION) == ("csat_ticket", "action_ask_csat")
    assert await dispatch_due(service, bridge) == 0  # type: ignore[arg-type]
    assert len(bridge.calls) == 2


async def test_concurrent_dispatchers_ask_once(session_factory) -> None:  # type: ignore[no-untyped-def]
    for suffix in ("BBBBB2", "BBBBB3", "BBBBB4"):
        await _ticket(session_factory, f"AS-20260101-{suffix}")
    bridge = RecordingBridge()
    sent = await asyncio.gather(*(dispatch_due(CsatService(session_factory), bridge) for _ in range(3)))  # type: ignore[arg-type]
    assert sum(sent) == 3
    assert sorted(c[0] for c in bridge.calls) == [f"conv-AS-20260101-{s}" for s in ("BBBBB2", "BBBBB3", "BBBBB4")]


async def test_a_failed_send_is_logged_without_pii_and_not_retried(  # type: ignore[no-untyped-def]
    session_factory, caplog: pytest.LogCaptureFixture
) -> None:
    await _ticket(session_factory, "AS-20260101-FAIL22", conversation_id="tg:secret-user")
    await _ticket(session_factory, "AS-20260101-OKAY22")
    bridge = RecordingBridge(failing=frozenset({"tg:secret-user"}))
    caplog.set_level(logging.INFO)
    service = CsatService(session_factory)
    assert await dispatch_due(service, bridge) == 1  # type: ignore[arg-type]
    assert [c[0] for c in bridge.calls] == ["tg:secret-user", "conv-AS-20260101-OKAY22"]
    assert "csat.request_failed ticket=AS-20260101-FAIL22" in caplog.text
    assert "secret-user" not in caplog.text
    assert await service.due_requests() == []  # marked before sending: at most once
    assert await dispatch_due(service, bridge) == 0  # type: ignore[arg-type]
    assert len(bridge.calls) == 2


async def test_dispatcher_loop_survives_a_failed_round(caplog: pytest.LogCaptureFixture) -> None:
    class FlakyCsat:
        rounds = 0

        async def due_requests(self, limit: int = 50) -> list[object]:
            self.rounds += 1
            if self.rounds == 1:
                raise RuntimeError("database went away")
            return []

    csat = FlakyCsat()
    step = functools.partial(dispatch_due, csat, RecordingBridge())  # type: ignore[arg-type]
    task = asyncio.create_task(run_periodic("csat_dispatch", 0.01, step, first_delay_s=0))
    for _ in range(100):
        if csat.rounds >= 3:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert csat.rounds >= 3
    assert "csat_dispatch.round_failed" in caplog.text


async def test_a_web_chat_customer_gets_the_question_to_poll_with_rating_buttons(  # type: ignore[no-untyped-def]
    session_factory,
) -> None:
    """The web chat cannot be pushed to: Rasa collects the question, and the page polls it with 1–5 buttons."""
    sender = "web:" + "a" * 32
    await _ticket(session_factory, "AS-20260101-WEB222", channel="rest", conversation_id=sender, language="zh")
    await _ticket(session_factory, "AS-20260101-TGM222")  # telegram: pushed by Rasa, nothing to poll
    service, bridge = CsatService(session_factory), RecordingBridge()
    assert await dispatch_due(service, bridge) == 2  # type: ignore[arg-type]
    assert bridge.calls == [
        (sender, "AS-20260101-WEB222", "collector"),
        ("conv-AS-20260101-TGM222", "AS-20260101-TGM222", "latest"),
    ]
    polled = await CustomerOutbox(session_factory, None).web_chat_messages(sender, 0)
    assert [(m.kind, m.text) for m in polled] == [("csat", "Rate AS-20260101-WEB222")]
    assert [b["title"] for b in polled[0].buttons] == ["1分", "2分", "3分", "4分", "5分"]
    assert polled[0].buttons[3]["payload"] == '/inform{"csat_score": "4"}'
    assert await CustomerOutbox(session_factory, None).web_chat_messages("conv-AS-20260101-TGM222", 0) == []
    assert await dispatch_due(service, bridge) == 0  # type: ignore[arg-type]  # asked once
    assert len(await CustomerOutbox(session_factory, None).web_chat_messages(sender, 0)) == 1
