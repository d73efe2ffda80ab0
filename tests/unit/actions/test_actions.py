"""Custom actions run on trackers against a seeded SQLite network: tickets, status, handoff, parts, CSAT, failures."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions import forms, handoff, parts, tickets, warranty
from actions.runtime import Services, use_services
from bot.db.models import Handoff, PartReservation, Ticket, TicketEvent
from bot.db.session import create_async_db_engine, make_session_factory
from bot.services.tickets.warranty import utc_today
from tests.unit.actions_world import (
    BEIJING,
    HANDED_OVER,
    REPAIR_DOMAIN,
    TODAY,
    form_tracker,
    handoff_reasons,
    repair_slots,
    responses,
    slot,
    ticket_count,
    tracker,
)


async def test_confirmed_repair_creates_one_routed_ticket_even_when_retried(svc: Services) -> None:
    action, first, second = tickets.ActionCreateTicket(), CollectingDispatcher(), CollectingDispatcher()
    events = await action.run(first, tracker("repair-1", repair_slots()), {})
    await action.run(second, tracker("repair-1", repair_slots()), {})  # Rasa retries the same confirmation

    assert responses(first) == ["ticket_created"] and responses(second) == ["ticket_created"]
    number = first.messages[0]["ticket_number"]
    assert second.messages[0]["ticket_number"] == number
    assert {"event": "slot", "timestamp": None, "name": "ticket_number", "value": number} in events
    assert await ticket_count(svc, "repair-1") == 1
    async with svc.sessions() as session:
        ticket = (await session.execute(select(Ticket).where(Ticket.number == number))).scalar_one()
        kinds = (await session.execute(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id))).scalars()
        assert ticket.status == "routed" and ticket.assigned_outlet_id is not None
        assert list(kinds) == ["created", "routed"]
    assert float(first.messages[0]["distance_km"]) < 200


async def test_a_new_summary_is_a_new_request(svc: Services) -> None:
    action = tickets.ActionCreateTicket()
    await action.run(CollectingDispatcher(), tracker("repair-2", repair_slots(draft_id="a")), {})
    await action.run(CollectingDispatcher(), tracker("repair-2", repair_slots(draft_id="b")), {})
    assert await ticket_count(svc, "repair-2") == 2


async def test_installation_answers_with_the_visit_day(svc: Services) -> None:
    slots = repair_slots(awaiting="installation", preferred_date=(TODAY + timedelta(days=2)).isoformat(),
                         symptom=None, language="en")
    dispatcher = CollectingDispatcher()
    await tickets.ActionCreateTicket().run(dispatcher, tracker("inst-1", slots), {})
    assert responses(dispatcher) in (["installation_created"], ["ticket_created_mail_in"], ["ticket_created_unrouted"])
    async with svc.sessions() as session:
        ticket = (await session.execute(select(Ticket).where(Ticket.conversation_id == "inst-1"))).scalar_one()
    assert ticket.category == "installation_request" and ticket.service_type == "installation"


async def test_status_only_for_the_customer_who_opened_the_ticket(svc: Services) -> None:
    created = CollectingDispatcher()
    await tickets.ActionCreateTicket().run(created, tracker("owner", repair_slots()), {})
    number = created.messages[0]["ticket_number"]
    mention = [{"entity": "ticket_number", "value": number}]
    mine, theirs, unknown, listed = (CollectingDispatcher() for _ in range(4))
    action = tickets.ActionTicketStatus()
    await action.run(mine, tracker("owner", {"ticket_number": number}, number, "ticket_status", entities=mention), {})
    await action.run(theirs, tracker("other", {"ticket_number": number}, number, "ticket_status", entities=mention), {})
    bogus = [{"entity": "ticket_number", "value": "AS-20200101-ZZZZZZ"}]
    await action.run(unknown, tracker("owner", {"ticket_number": "AS-20200101-ZZZZZZ"}, "x", "ticket_status",
                                      entities=bogus), {})
    await action.run(listed, tracker("owner", {}, "进度", "ticket_status"), {})
    assert responses(mine) == ["ticket_status_one"] and mine.messages[0]["status"] == "已派单至服务网点"
    assert responses(theirs) == ["ticket_not_found"]
    assert responses(unknown) == ["ticket_not_found"]
    assert responses(listed) == ["ticket_status_one"]


async def test_complaint_is_high_priority_and_linked_to_the_latest_ticket(svc: Services) -> None:
    await tickets.ActionCreateTicket().run(CollectingDispatcher(), tracker("angry", repair_slots()), {})
    dispatcher = CollectingDispatcher()
    text = "师傅态度太差了，电话13812345678，我要投诉"
    await tickets.ActionCreateComplaint().run(dispatcher, tracker("angry", {}, text, "complaint"), {})
    await tickets.ActionCreateComplaint().run(CollectingDispatcher(), tracker("angry", {}, text, "complaint"), {})
    assert responses(dispatcher) == ["complaint_created"] and "AS-" in dispatcher.messages[0]["linked"]
    async with svc.sessions() as session:
        complaint = (await session.execute(select(Ticket).where(
            Ticket.conversation_id == "angry", Ticket.category == "complaint"))).scalar_one()
    assert complaint.priority == "high" and complaint.parent_ticket_id is not None
    assert "13812345678" not in (complaint.symptom or "")


async def test_handoff_pauses_and_queues_one_record(svc: Services) -> None:
    first, second = CollectingDispatcher(), CollectingDispatcher()
    events = await handoff.ActionHandoff().run(first, tracker("h1", {}, "转人工", "request_human"), {})
    await handoff.ActionHandoff().run(second, tracker("h1", {}, "转人工", "request_human"), {})
    assert responses(first) == ["handoff_queued"]
    assert any(e["event"] == "pause" for e in events)
    async with svc.sessions() as session:
        rows = (await session.execute(select(Handoff).where(Handoff.conversation_id == "h1"))).scalars().all()
    assert len(rows) == 1 and rows[0].status == "queued" and rows[0].reason == "requested"


async def test_safety_gives_advice_before_the_handoff(svc: Services) -> None:
    dispatcher = CollectingDispatcher()
    events = await handoff.ActionSafetyHandoff().run(
        dispatcher, tracker("s1", {"urgency": "safety"}, "电池鼓包冒烟", "report_fault"), {})
    assert responses(dispatcher) == ["safety_advice", "handoff_queued"]
    assert any(e["event"] == "pause" for e in events)


async def test_parts_offer_and_a_single_reservation(svc: Services) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"brand": "huawei", "part": "battery", "geo": BEIJING}
    events = await parts.ActionPartsAvailability().run(dispatcher, tracker("p1", slots, "电池有货吗"), {})
    assert responses(dispatcher) in (["parts_in_stock"], ["parts_out_of_stock"])
    if responses(dispatcher) == ["parts_out_of_stock"]:
        pytest.fail("the seeded network stocks Huawei phone batteries")
    offer = next(e["value"] for e in events if e.get("name") == "offered_part")
    reserve = parts.ActionReservePart()
    for _ in range(2):
        done = CollectingDispatcher()
        await reserve.run(done, tracker("p1", {"offered_part": offer, "awaiting": "reservation"}, "好"), {})
        assert responses(done) == ["parts_reserved"]
    async with svc.sessions() as session:
        count = (await session.execute(select(func.count()).select_from(PartReservation).where(
            PartReservation.idempotency_key.like("p1:%")))).scalar_one()
    assert count == 1


async def test_unknown_part_is_a_helpful_reask(svc: Services) -> None:
    dispatcher = CollectingDispatcher()
    await parts.ActionPartsAvailability().run(dispatcher, tracker("p2", {"brand": "huawei", "part": "量子引擎"}), {})
    assert responses(dispatcher) == ["parts_not_found"]


async def test_warranty_in_china_within_fifteen_days_offers_an_exchange(svc: Services) -> None:
    dispatcher = CollectingDispatcher()
    bought = (TODAY - timedelta(days=10)).isoformat()
    slots = {"brand": "haier", "purchase_date": bought}
    await warranty.ActionWarrantyDecision().run(dispatcher, tracker("w1", slots), {})
    assert responses(dispatcher) == ["warranty_decision"]
    assert "换新" in dispatcher.messages[0]["reasons"] and "退货退款" not in dispatcher.messages[0]["reasons"]


async def test_csat_rating_is_stored_once(svc: Services) -> None:
    created = CollectingDispatcher()
    await tickets.ActionCreateTicket().run(created, tracker("rate", repair_slots()), {})
    number = created.messages[0]["ticket_number"]
    dispatcher = CollectingDispatcher()
    slots = {"csat_ticket": number, "csat_score": "4", "awaiting": "csat"}
    await handoff.ActionStoreCsat().run(dispatcher, tracker("rate", slots, '/inform{"csat_score": "4"}'), {})
    assert responses(dispatcher) == ["csat_thanks"] and dispatcher.messages[0]["score"] == 4
    score = await svc.csat.outlet_score(int((await svc.tickets.get(number)).assigned_outlet_id or 0))
    assert score.count == 1 and score.average == 4


TOMORROW = "<tomorrow>"


@pytest.mark.parametrize(("slot", "value", "expected", "response"), [
    ("phone", "13812345678", "+8613812345678", None),
    ("phone", "12345", None, "invalid_phone"),
    ("location", "上海市浦东新区", "上海市浦东新区", None),
    ("location", "火星基地七号", None, "invalid_location"),
    ("preferred_date", "明天", TOMORROW, None),
    ("preferred_date", "2019-01-01", None, "invalid_preferred_date"),
    ("purchase_date", "2099-01-01", None, "invalid_purchase_date"),
    ("brand", "是格力的", "gree", None),
    ("brand", "山寨牌", None, "invalid_brand"),
    ("brand", "it's a Bosch", None, "brand_not_serviced"),
    ("product_category", "是台空调", "air_conditioner", None),
    ("product_category", "自行车", None, "invalid_product_category"),
])
async def test_slot_validation(
    svc: Services, slot: str, value: str, expected: str | None, response: str | None
) -> None:
    dispatcher = CollectingDispatcher()
    validator = getattr(forms.ValidateRepairForm(), f"validate_{slot}")
    result = validator(value, dispatcher, tracker("v"), {})
    if hasattr(result, "__await__"):
        result = await result
    if expected == TOMORROW:  # read the clock now, not at collection: a run may cross midnight
        expected = (utc_today() + timedelta(days=1)).isoformat()
    assert result[slot] == expected
    assert responses(dispatcher) == ([response] if response else [])


@pytest.mark.parametrize(("text", "slots", "expected"), [
    ("where can I fix my iPhone in London", {}, "phone"),
    ("MacBook 屏幕闪烁", {}, "laptop"),
    ("it won't turn on", {"brand": "apple", "product_model": "iPhone 15"}, "phone"),
    ("it won't turn on", {}, None),
    ("my fridge again", {"product_category": "washing_machine"}, None),  # already known: not overwritten
])
async def test_product_category_inferred_from_product_lines_and_models(
    svc: Services, text: str, slots: dict[str, Any], expected: str | None
) -> None:
    extracted = await forms.ValidateRepairForm().extract_product_category(
        CollectingDispatcher(), tracker("infer", slots, text=text), {}
    )
    assert extracted == ({"product_category": expected} if expected else {})


async def test_database_failure_is_a_prompt_apology(tmp_path: Path) -> None:
    engine = create_async_db_engine(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    use_services(Services.from_sessions(make_session_factory(engine)))
    try:
        dispatcher = CollectingDispatcher()
        started = time.monotonic()
        events = await tickets.ActionCreateTicket().run(dispatcher, tracker("down", repair_slots()), {})
        assert time.monotonic() - started < 2.0
        assert responses(dispatcher) == ["service_unavailable"] and events == []
    finally:
        use_services(None)
        await engine.dispose()


# --- brands we do not service: the form refers the customer to a person -------------------------------------


async def test_an_unserved_brand_answer_is_referred_to_a_person(svc: Services) -> None:
    dispatcher = CollectingDispatcher()
    asked = form_tracker("unserved-1", "it's a Bosch", {"language": "en", "requested_slot": "brand"},
                         {"brand": "it's a Bosch"})

    events = await forms.ValidateRepairForm().run(dispatcher, asked, REPAIR_DOMAIN)

    assert responses(dispatcher) == ["brand_not_serviced", "handoff_queued"]
    assert dispatcher.messages[0]["unserved_brand"] == "Bosch"
    assert events == [slot("brand", None), slot("unserved_brand", "Bosch"), *HANDED_OVER]
    assert await handoff_reasons(svc, "unserved-1") == ["unserved_brand"]


async def test_an_unserved_brand_in_the_request_itself_is_referred_at_once(svc: Services) -> None:
    dispatcher = CollectingDispatcher()
    text = "我家的博世洗碗机漏水了"
    entities = [{"entity": "unserved_brand", "value": "Bosch", "start": 3, "end": 5}]
    first = form_tracker("unserved-2", text, {"language": "zh"}, {}, entities)

    events = await forms.ValidateRepairForm().run(dispatcher, first, REPAIR_DOMAIN)

    assert responses(dispatcher) == ["brand_not_serviced", "handoff_queued"]
    assert dispatcher.messages[0]["unserved_brand"] == "博世"  # named in the customer's language
    assert events == [slot("brand", None), slot("unserved_brand", "Bosch"), *HANDED_OVER]
    assert await handoff_reasons(svc, "unserved-2") == ["unserved_brand"]


async def test_a_served_brand_goes_on_with_the_form(svc: Services) -> None:
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "brand", "value": "gree", "start": 0, "end": 2},
                {"entity": "unserved_brand", "value": "Bosch", "start": 3, "end": 5}]
    answer = form_tracker("served-1", "格力，不是博世", {"language": "zh", "requested_slot": "brand"},
                          {"brand": "gree"}, entities)

    events = await forms.ValidateRepairForm().run(dispatcher, answer, REPAIR_DOMAIN)

    assert events == [slot("brand", "gree")] and responses(dispatcher) == []
    assert await handoff_reasons(svc, "served-1") == []


async def test_unserved_brand_with_the_database_down_still_stops_the_form(tmp_path: Path) -> None:
    engine = create_async_db_engine(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    use_services(Services.from_sessions(make_session_factory(engine)))
    try:
        dispatcher = CollectingDispatcher()
        entities = [{"entity": "unserved_brand", "value": "Whirlpool", "start": 3, "end": 12}]
        first = form_tracker("down-2", "my Whirlpool dryer", {"language": "en"}, {}, entities)

        events = await forms.ValidateRepairForm().run(dispatcher, first, REPAIR_DOMAIN)

        assert responses(dispatcher) == ["brand_not_serviced", "service_unavailable"]
        assert dispatcher.messages[0]["unserved_brand"] == "Whirlpool"
        assert events == [slot("brand", None), slot("unserved_brand", "Whirlpool"),
                          {"event": "active_loop", "timestamp": None, "name": None}, slot("requested_slot", None)]
    finally:
        use_services(None)
        await engine.dispose()

