"""Actions one step past the happy path: parts for the customer's product, accidental damage, a hazard inside a
form, the queue's order, intake that asks for the problem."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import forms, parts, tickets, warranty
from actions.runtime import Services
from bot.db.models import Brand, PartReservation
from bot.domain.taxonomy import Priority
from bot.domain.warranty import Remedy
from bot.nlu.extraction.urgency import ticket_priority
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
    tracker,
)


@pytest.mark.parametrize(("category", "kind_of"), [("phone", "phone"), ("laptop", "laptop")])
async def test_a_part_is_the_customer_products_never_a_sibling_products(
    svc: Services, category: str, kind_of: str
) -> None:
    """华为手机电池 is a phone battery, not a MateBook's; a MateBook battery is a laptop's."""
    found = await parts.find_part(svc, tracker("p3", {"part": "battery", "product_category": category}),
                                  await _brand_id(svc, "huawei"))
    assert found is not None and found.category == kind_of and found.kind == "battery"


async def test_a_model_we_do_not_know_gets_no_other_models_part(svc: Services) -> None:
    slots = {"part": "battery", "product_category": "phone", "product_model": "Galaxy S3000"}
    assert await parts.find_part(svc, tracker("p4", slots), await _brand_id(svc, "samsung")) is None


async def test_stock_without_a_location_is_in_stock_and_asks_where(svc: Services) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"brand": "huawei", "part": "battery", "product_category": "phone"}
    await parts.ActionPartsAvailability().run(dispatcher, tracker("p5", slots, "电池有货吗"), {})
    assert responses(dispatcher) == ["parts_in_stock"]
    assert "城市" in dispatcher.messages[0]["where"]


async def test_a_part_is_reserved_only_on_a_ticket_for_the_product_it_fits(svc: Services) -> None:
    created = CollectingDispatcher()
    await tickets.ActionCreateTicket().run(created, tracker("p6", repair_slots()), {})  # an air conditioner
    dispatcher = CollectingDispatcher()
    slots = {"brand": "huawei", "part": "battery", "product_category": "laptop", "geo": BEIJING}
    events = await parts.ActionPartsAvailability().run(dispatcher, tracker("p6", slots, "电池有货吗"), {})
    offer = next(e["value"] for e in events if e.get("name") == "offered_part")
    assert offer["category"] == "laptop"
    await parts.ActionReservePart().run(CollectingDispatcher(), tracker("p6", {"offered_part": offer}, "好"), {})
    async with svc.sessions() as session:
        [ticket_id] = (await session.execute(select(PartReservation.ticket_id).where(
            PartReservation.idempotency_key.like("p6:%")))).scalars().all()
    assert ticket_id is None  # held for the customer, not on the air conditioner's ticket


async def _brand_id(svc: Services, code: str) -> int:
    async with svc.sessions() as session:
        return int((await session.execute(select(Brand.id).where(Brand.code == code))).scalar_one())


@pytest.mark.parametrize(("language", "said", "expected"), [
    ("zh", "手机摔坏了，还在保修期吗", "人为损坏"),
    ("zh", "手機進水了，保修嗎", "人为损坏"),  # traditional
    ("en", "I dropped my phone and the screen cracked, is it covered?", "Accidental damage"),
])
async def test_warranty_for_a_dropped_phone_is_a_paid_repair(
    svc: Services, language: str, said: str, expected: str
) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"brand": "huawei", "purchase_date": (TODAY - timedelta(days=3)).isoformat(), "language": language}
    await warranty.ActionWarrantyDecision().run(dispatcher, tracker("w2", slots, said, "warranty_query"), {})
    [message] = dispatcher.messages
    assert expected in message["reasons"]
    assert message["next_step"] == warranty.NEXT_STEP[Remedy.PAID_REPAIR][0 if language == "en" else 1]


@pytest.mark.parametrize(("language", "text"), [
    ("zh", "等等，手机现在开始冒烟了！"), ("en", "wait, it's smoking now!"),
])
async def test_a_hazard_typed_inside_a_form_gets_advice_and_a_person_first(
    svc: Services, language: str, text: str
) -> None:
    """Asked for the location, the customer reports smoke: advice and a safety handoff, not "couldn't find that
    place"; the hazard is not kept as the location."""
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "urgency", "value": "safety", "start": 0, "end": 2}]
    asked = form_tracker(f"safety-{language}", text, {"language": language, "requested_slot": "location"},
                         {"location": text}, entities)

    events = await forms.ValidateRepairForm().run(dispatcher, asked, REPAIR_DOMAIN)

    assert responses(dispatcher) == ["safety_advice", "handoff_queued"]
    assert events == [slot("urgency", None), *HANDED_OVER]
    assert await handoff_reasons(svc, f"safety-{language}") == ["safety"]


async def test_the_handoff_queue_puts_hazards_first_then_complaints_then_age(svc: Services) -> None:
    for conversation, reason in [("q-1", "requested"), ("q-2", "complaint"), ("q-3", "safety"), ("q-4", "fallback")]:
        await svc.handoff.open(conversation_id=conversation, channel="rest", language="zh", reason=reason,
                               summary="", ticket_number=None)
    queue = [h.conversation_id for h in await svc.handoff.list_queue() if h.conversation_id.startswith("q-")]
    assert queue == ["q-3", "q-2", "q-1", "q-4"]


def test_a_ticket_for_a_hazard_is_filed_at_safety_priority() -> None:
    assert ticket_priority(None, "手机电池鼓包了") == Priority.SAFETY
    assert ticket_priority("safety", "不开机") == Priority.SAFETY
    assert ticket_priority("high", "battery drains fast") == Priority.HIGH
    assert ticket_priority(None, "没有冒烟，就是不开机") == Priority.NORMAL


@pytest.mark.parametrize(("text", "entities", "expected"), [
    ("/report_fault", [], False),  # the menu button
    ("手机", [{"entity": "product_category", "start": 0, "end": 2}], False),
    ("华为 P60", [{"entity": "brand", "start": 0, "end": 2}, {"entity": "product_model", "start": 3, "end": 6}], False),
    ("my Dell laptop",
     [{"entity": "brand", "start": 3, "end": 7}, {"entity": "product_category", "start": 8, "end": 14}], False),
    ("我的华为手机开不了机",
     [{"entity": "brand", "start": 2, "end": 4}, {"entity": "product_category", "start": 4, "end": 6}], True),
    ("空调坏了", [{"entity": "product_category", "start": 0, "end": 2}], True),
    ("E1", [{"entity": "error_code", "start": 0, "end": 2}], True),
])
def test_a_message_that_only_names_the_product_is_no_problem(
    text: str, entities: list[dict[str, Any]], expected: bool
) -> None:
    assert forms.describes_a_problem({"text": text, "entities": entities}) is expected


async def test_after_the_report_a_fault_button_the_problem_is_asked(svc: Services) -> None:
    """The product named first is not taken for the problem: the form goes on to ask what is wrong."""
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "product_category", "value": "phone", "start": 0, "end": 2}]
    named = form_tracker("intake-1", "手机", {"language": "zh", "requested_slot": "product_category"},
                         {"product_category": "phone", "symptom": "手机"}, entities)
    events = await forms.ValidateRepairForm().run(dispatcher, named, REPAIR_DOMAIN)
    assert slot("symptom", None) in events and slot("product_category", "phone") in events


async def test_a_problem_already_given_is_never_replaced_by_a_later_message(svc: Services) -> None:
    earlier = [{"event": "slot", "timestamp": None, "name": "symptom", "value": "空调不制冷 E1"}]
    text = "北京市海淀区中关村大街27号，麻烦快点"
    latest = {"text": text, "intent": {"name": "report_fault", "confidence": 0.7}, "entities": []}
    events = [*earlier, {"event": "user", "timestamp": 1700000000.5, "text": text, "parse_data": latest},
              {"event": "slot", "timestamp": None, "name": "symptom", "value": text}]
    tracker_ = Tracker("intake-2", {"language": "zh", "requested_slot": "location", "symptom": text}, latest, events,
                       False, None, {"name": "repair_form"}, "action_listen")
    out = await forms.ValidateRepairForm().run(CollectingDispatcher(), tracker_, REPAIR_DOMAIN)
    assert slot("symptom", "空调不制冷 E1") in out



async def test_the_device_the_customer_named_is_stored_on_the_ticket(svc: Services) -> None:
    """IMEI, serial number, model and purchase date were recognised but never saved with the ticket."""
    from bot.db.models import Device, ProductModel, Ticket

    slots = repair_slots(product_model="KFR-35GW/NhZaB1W", imei="490154203237518", serial="GR-7731-A",
                         purchase_date="2024-05-01", draft_id="dev1")
    await tickets.ActionCreateTicket().run(CollectingDispatcher(), tracker("dev1", slots), {})
    unknown = repair_slots(product_model="KFR-99XX", imei="123456789012345", draft_id="dev2")  # bad Luhn digit
    await tickets.ActionCreateTicket().run(CollectingDispatcher(), tracker("dev2", unknown), {})
    async with svc.sessions() as session:
        rows = (await session.execute(
            select(Ticket.conversation_id, Ticket.symptom, Device.imei, Device.serial, Device.purchase_date,
                   ProductModel.code)
            .join(Device, Device.id == Ticket.device_id, isouter=True)
            .join(ProductModel, ProductModel.id == Device.model_id, isouter=True)
            .where(Ticket.conversation_id.in_(["dev1", "dev2"])).order_by(Ticket.conversation_id)
        )).all()
    (_, _, imei, serial, bought, code), (_, symptom, no_imei, *_rest) = rows
    assert (imei, serial, str(bought), code) == ("490154203237518", "GR-7731-A", "2024-05-01", "KFR-35GW/NhZaB1W")
    assert no_imei is None and "[KFR-99XX]" in symptom  # not in the catalogue: the outlet still reads the model


async def test_the_ticket_keeps_the_customers_script_for_later_updates(svc: Services) -> None:
    from bot.db.models import Ticket

    for sender, text in (("hant1", "我的冷氣機壞了，請派師傅"), ("hans1", "我的空调坏了"), ("hant2", "ok")):
        events = [] if sender != "hant2" else [{"event": "user", "timestamp": 1.0, "text": "冷氣機不製冷",
                                                 "parse_data": {}, "input_channel": "rest"}]
        slots = repair_slots(draft_id=sender)
        await tickets.ActionCreateTicket().run(CollectingDispatcher(), tracker(sender, slots, text, events=events), {})
    async with svc.sessions() as session:
        languages = dict((await session.execute(select(Ticket.conversation_id, Ticket.language).where(
            Ticket.conversation_id.in_(["hant1", "hans1", "hant2"])))).all())
    assert languages == {"hant1": "zh-Hant", "hans1": "zh", "hant2": "zh-Hant"}  # "ok" keeps the script


@pytest.mark.parametrize(("category", "expected"), [("phone", "centres_mail_in"), ("refrigerator", "centres_none")])
async def test_far_from_every_outlet_only_what_can_be_posted_is_offered_a_parcel(
    svc: Services, category: str, expected: str
) -> None:
    from actions import routing

    remote = {"lat": 33.0, "lon": 87.5, "country": "CN", "adcode": None, "label": "西藏那曲"}  # no outlet in range
    dispatcher = CollectingDispatcher()
    slots = {"brand": "huawei" if category == "phone" else "haier", "product_category": category, "geo": remote}
    await routing.ActionFindServiceCentres().run(dispatcher, tracker("far1", slots, "最近的维修点"), {})
    assert responses(dispatcher) == [expected]


async def test_a_failed_action_logs_where_it_failed_but_never_what_the_customer_said(
    svc: Services, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = "customer +8613812345678 at 北京市海淀区中关村大街27号"

    async def broken(new: Any) -> Any:
        raise RuntimeError(said)

    monkeypatch.setattr(svc.tickets, "file_request", broken)
    caplog.set_level(logging.DEBUG, logger="actions.base")
    dispatcher = CollectingDispatcher()
    events = await tickets.ActionCreateTicket().run(dispatcher, tracker("fail-1", repair_slots()), {})
    assert responses(dispatcher) == ["service_unavailable"] and events == []
    logged = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "actions.base"]
    assert [(level, text.split()[0]) for level, text in logged] == [
        (logging.ERROR, "action.failed"), (logging.DEBUG, "action.failed_traceback")]
    assert "error=RuntimeError" in logged[0][1] and "in broken" in logged[1][1] and "RuntimeError" in logged[1][1]
    assert not any("13812345678" in text or "中关村" in text for _, text in logged)
    assert all(r.exc_info is None for r in caplog.records if r.name == "actions.base")
