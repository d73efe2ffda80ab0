"""Cancelling a ticket in chat and answering the rating question in words: actions on trackers, zh and en."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import handoff, tickets
from actions.runtime import Services
from actions.tickets import cancellation
from bot.db.models import CsatRating, Ticket
from bot.domain.lifecycle import TicketStatus
from tests.unit.actions_world import repair_slots, responses, slot, tracker


async def _open_ticket(svc: Services, sender: str) -> str:
    dispatcher = CollectingDispatcher()
    await tickets.ActionCreateTicket().run(dispatcher, tracker(sender, repair_slots()), {})
    async with svc.sessions() as session:
        return str((await session.execute(select(Ticket.number).where(Ticket.conversation_id == sender))).scalar_one())


def _answer(sender: str, number: str, intent: str, language: str = "zh") -> Any:
    return tracker(sender, {"awaiting": "cancel", "ticket_number": number, "language": language}, "", intent)


async def test_cancel_my_repair_asks_then_cancels(svc: Services) -> None:
    number = await _open_ticket(svc, "cx1")
    asked = CollectingDispatcher()
    events = await cancellation.ActionCancelTicket().run(asked, tracker("cx1", {}, "取消服务单", "cancel_ticket"), {})
    assert responses(asked) == ["cancel_confirm"] and asked.messages[0]["ticket_number"] == number
    assert slot("awaiting", "cancel") in events and slot("ticket_number", number) in events
    done = CollectingDispatcher()
    assert await cancellation.ActionConfirmCancel().run(done, _answer("cx1", number, "affirm"), {}) == [
        slot("awaiting", None)]
    assert responses(done) == ["ticket_cancelled"]
    assert (await svc.tickets.get(number)).status == TicketStatus.CANCELLED.value
    nothing = CollectingDispatcher()
    await cancellation.ActionCancelTicket().run(nothing, tracker("cx1", {}, "cancel my ticket", "cancel_ticket"), {})
    assert responses(nothing) == ["cancel_none_open"]  # nothing open any more


async def test_no_keeps_the_ticket(svc: Services) -> None:
    number = await _open_ticket(svc, "cx2")
    kept = CollectingDispatcher()
    await cancellation.ActionConfirmCancel().run(kept, _answer("cx2", number, "deny", "en"), {})
    assert responses(kept) == ["cancel_kept"]
    assert (await svc.tickets.get(number)).status != TicketStatus.CANCELLED.value


async def test_someone_elses_number_is_not_found_and_too_late_is_said(svc: Services) -> None:
    number = await _open_ticket(svc, "cx3")
    stranger = CollectingDispatcher()
    entity = [{"entity": "ticket_number", "value": number}]
    await cancellation.ActionCancelTicket().run(
        stranger, tracker("cx-other", {}, f"cancel {number}", "cancel_ticket", entities=entity), {})
    assert responses(stranger) == ["ticket_not_found"]
    await svc.tickets.transition(number, TicketStatus.ACCEPTED, "outlet:1")
    await svc.tickets.transition(number, TicketStatus.IN_REPAIR, "outlet:1")
    late = CollectingDispatcher()
    await cancellation.ActionCancelTicket().run(late, tracker("cx3", {}, f"取消 {number}", "cancel_ticket",
                                                              entities=entity), {})
    assert responses(late) == ["cancel_too_late"] and late.messages[0]["status"]
    assert (await svc.tickets.get(number)).status == TicketStatus.IN_REPAIR.value


async def test_several_open_tickets_are_offered_as_buttons(svc: Services) -> None:
    first = await _open_ticket(svc, "cx4")
    await tickets.ActionCreateTicket().run(CollectingDispatcher(), tracker("cx4", repair_slots(draft_id="d2")), {})
    dispatcher = CollectingDispatcher()
    await cancellation.ActionCancelTicket().run(dispatcher, tracker("cx4", {}, "取消报修", "cancel_ticket"), {})
    assert responses(dispatcher) == ["cancel_which"]
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert len(payloads) == 2 and any(first in p for p in payloads)
    assert all(p.startswith('/cancel_ticket{"ticket_number": "AS-') for p in payloads)


async def test_a_typed_rating_is_stored_whatever_the_nlu_made_of_it(svc: Services) -> None:
    """"4" reads as a choice, "五星" as out of scope, "4分" may be `nlu_fallback`: the rule sends them all here."""
    number = await _open_ticket(svc, "cx5")
    for sender, text, intent, language, score in (("cx5", "给4分", "nlu_fallback", "zh", 4),
                                                  ("cx6", "five!", "out_of_scope", "en", 5)):
        dispatcher = CollectingDispatcher()
        slots = {"awaiting": "csat", "csat_ticket": number, "language": language}
        events = await handoff.ActionStoreCsat().run(dispatcher, tracker(sender, slots, text, intent), {})
        assert responses(dispatcher) == ["csat_thanks"] and dispatcher.messages[0]["score"] == score
        assert slot("awaiting", None) in events
    async with svc.sessions() as session:
        ratings = (await session.execute(select(CsatRating.rating))).scalars().all()
    assert list(ratings) == [4]  # one rating per ticket: the first answer is kept


async def test_no_rating_twice_drops_the_question(svc: Services) -> None:
    slots = {"awaiting": "csat", "csat_ticket": "AS-20260101-ABC234"}
    first = CollectingDispatcher()
    assert await handoff.ActionStoreCsat().run(first, tracker("cx7", slots, "天气怎么样", "out_of_scope"), {}) == [
        slot("csat_score", None)]
    assert responses(first) == ["csat_invalid"]
    asked = [{"event": "bot", "timestamp": 1.0, "text": "请打 1 到 5 分。",
              "metadata": {"utter_action": "csat_invalid"}}]
    second = CollectingDispatcher()
    events = await handoff.ActionStoreCsat().run(second, tracker("cx7", slots, "查下天气", "out_of_scope", asked), {})
    assert responses(second) == ["fallback_suggest"] and slot("awaiting", None) in events
