"""NLU feedback service on a throwaway SQLite: masking on the way in, idempotency, the winner and agreement rules,
review decisions, the learned-examples export, and triage corrections read from a fake Rasa tracker."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db.models import NluExample, NluLabel
from bot.domain.errors import NotFoundError, UpstreamError, ValidationError
from bot.services.nlu_feedback.corrections import TriageCorrections
from bot.services.nlu_feedback.fields import conversation_hash, text_hash
from bot.services.nlu_feedback.service import NluFeedbackService
from bot.services.nlu_feedback.types import LabelView, latest_user_event, message_key_of, winner_of

CONVERSATION = "tg:4242"
START = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)


class Clock:
    """A clock that advances a second at every reading (so that "most recent" is well defined)."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def service(session_factory) -> NluFeedbackService:  # type: ignore[no-untyped-def]
    return NluFeedbackService(session_factory, clock=Clock())


async def _uncertain(service: NluFeedbackService, key: str = "1800000005.25", text: str = "空调不制冷，电话13812345678",
                     conversation: str = CONVERSATION, **overrides: Any) -> int | None:
    arguments: dict[str, Any] = {
        "conversation_id": conversation, "message_key": key, "channel": "telegram", "text": text, "language": "zh",
        "predicted": "report_fault", "confidence": 0.41, "candidates": ["report_fault", "complaint"],
    }
    arguments.update(overrides)
    return await service.record_uncertain(**arguments)


async def _count(session_factory, model: Any) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_record_uncertain_masks_hashes_and_is_idempotent(service: NluFeedbackService, session_factory) -> None:  # type: ignore[no-untyped-def]
    first = await _uncertain(service)
    again = await _uncertain(service, text="something else entirely")  # a retry of the same message
    assert first is not None and again == first
    assert await _count(session_factory, NluExample) == 1
    async with session_factory() as session:
        row = (await session.execute(select(NluExample))).scalar_one()
    assert row.text == "空调不制冷，电话[phone]" and "13812345678" not in row.text
    assert row.conversation_hash == hashlib.sha256(CONVERSATION.encode()).hexdigest() != CONVERSATION
    assert row.text_hash == text_hash("空调不制冷，电话[phone]")
    assert (row.origin, row.review_status, row.language, row.channel) == ("did_you_mean", "pending", "zh", "telegram")
    assert json.loads(row.candidates) == ["report_fault", "complaint"] and row.predicted_confidence == 0.41
    other = await _uncertain(service, conversation="tg:other")
    assert other not in (None, first)  # the same key in another conversation is another message


async def test_nothing_left_after_masking_is_not_stored(service: NluFeedbackService, session_factory) -> None:  # type: ignore[no-untyped-def]
    assert await _uncertain(service, text="13812345678") is None
    assert await _uncertain(service, text="  zhang@qq.com  ") is None
    assert await _count(session_factory, NluExample) == 0
    with pytest.raises(ValidationError):
        await _uncertain(service, origin="guess")


async def test_text_hash_ignores_case_width_and_spacing() -> None:
    assert text_hash("My TV  is broken") == text_hash("my tv is broken") == text_hash("ｍｙ ＴＶ is broken")
    assert text_hash("空調壞了") == text_hash("空调坏了")


async def test_record_label_updates_instead_of_duplicating(service: NluFeedbackService, session_factory) -> None:  # type: ignore[no-untyped-def]
    example_id = await _uncertain(service)
    assert await service.record_label(conversation_id=CONVERSATION, message_key="1800000005.25", label="complaint",
                                      source="customer", actor="whoever")
    assert await service.record_label(conversation_id=CONVERSATION, message_key="1800000005.25",
                                      label="report_fault", source="customer", actor="customer")
    assert await _count(session_factory, NluLabel) == 1  # the customer changed their mind: one label, updated
    item = await service.get(example_id or 0)
    assert [(lb.label, lb.source, lb.actor) for lb in item.labels] == [("report_fault", "customer", "customer")]
    assert not await service.record_label(conversation_id=CONVERSATION, message_key="1800000005.25",
                                          label="not_a_category", source="customer", actor="customer")
    assert not await service.record_label(conversation_id=CONVERSATION, message_key="1800000009.0",
                                          label="complaint", source="customer", actor="customer")
    assert not await service.record_label(conversation_id="tg:unknown", message_key="1800000005.25",
                                          label="complaint", source="customer", actor="customer")
    with pytest.raises(ValidationError):
        await service.record_label(conversation_id=CONVERSATION, message_key="1800000005.25", label="complaint",
                                   source="robot", actor="x")


async def test_message_keys_from_timestamps() -> None:
    assert message_key_of(1_800_000_005.25) == "1800000005.250000" == message_key_of("1800000005.25")
    assert message_key_of(1_800_000_005) == "1800000005.000000" == message_key_of("1800000005")
    # the action server's form (f"{timestamp:.6f}") and the tracker's float meet
    assert message_key_of(1_733_312_345.6789012) == f"{1_733_312_345.6789012:.6f}" == "1733312345.678901"
    assert message_key_of(None) is None and message_key_of(True) is None and message_key_of(float("nan")) is None
    assert message_key_of("a" * 65) is None and message_key_of("a" * 64) == "a" * 64
    events = [{"event": "user", "text": "hi", "timestamp": 1.0}, {"event": "bot", "text": "yes"},
              {"event": "user", "text": "  ", "timestamp": 2.0}]
    assert latest_user_event(events) == events[0] and latest_user_event([]) is None


def _label(label: str, source: str, minute: int, actor: str = "a") -> LabelView:
    return LabelView(label, source, actor, START + timedelta(minutes=minute))


@pytest.mark.parametrize(("labels", "winner", "agreement"), [
    ([], None, 0.0),
    ([_label("complaint", "customer", 0)], "complaint", 1.0),
    ([_label("complaint", "customer", 0), _label("report_fault", "agent", 1), _label("report_fault", "agent", 2, "b")],
     "report_fault", 0.6667),
    # a tie goes to the most recent label
    ([_label("complaint", "customer", 5), _label("report_fault", "agent", 1)], "complaint", 0.5),
    ([_label("complaint", "customer", 1), _label("report_fault", "agent", 5)], "report_fault", 0.5),
    # the supervisor overrules any majority
    ([_label("complaint", "customer", 0), _label("complaint", "agent", 1), _label("greet", "supervisor", 2)],
     "greet", 0.3333),
    ([_label("greet", "supervisor", 9, "s1"), _label("complaint", "supervisor", 3, "s2")], "greet", 0.5),
])
def test_winner_and_agreement(labels: list[LabelView], winner: str | None, agreement: float) -> None:
    result = winner_of(labels)
    assert (result.label, result.agreement) == (winner, agreement)


async def test_record_correction_creates_or_reuses_the_example(service: NluFeedbackService, session_factory) -> None:  # type: ignore[no-untyped-def]
    arguments: dict[str, Any] = {
        "conversation_id": CONVERSATION, "message_key": "1800000005.25", "text": "ignored on a retry",
        "channel": "rest", "language": "en", "predicted": "report_fault", "confidence": 0.41, "label": "complaint",
        "agent": "alice",
    }
    existing = await _uncertain(service)
    assert await service.record_correction(**arguments) == existing  # the example the bot recorded
    assert await service.record_correction(**arguments) == existing  # a retry
    assert await service.record_correction(**{**arguments, "label": "return_refund"}) == existing
    item = await service.get(existing or 0)
    assert item.origin == "did_you_mean"
    assert [(lb.label, lb.actor) for lb in item.labels] == [("return_refund", "alice")]
    fresh = await service.record_correction(**{**arguments, "message_key": "1800000099.5", "text": "我叫王小明 退货"})
    new_item = await service.get(fresh)
    assert new_item.origin == "agent" and new_item.text == "我叫[name] 退货" and new_item.language == "en"
    for bad in ({"label": "nope"}, {"agent": " "}, {"message_key": "x" * 65}):
        with pytest.raises(ValidationError):
            await service.record_correction(**{**arguments, "message_key": "1800000100.0", **bad})
    with pytest.raises(ValidationError):
        await service.record_correction(**{**arguments, "message_key": "1800000101.0", "text": "13812345678"})
    assert await _count(session_factory, NluExample) == 2


async def test_api_created_examples_without_a_key_use_the_text_hash(service: NluFeedbackService) -> None:
    first = await service.record_correction(conversation_id=CONVERSATION, message_key="", text="fridge is warm",
                                            channel="api", language="en", predicted=None, confidence=None,
                                            label="report_fault", agent="alice")
    second = await service.record_correction(conversation_id=CONVERSATION, message_key="", text="fridge is warm",
                                             channel="api", language="en", predicted=None, confidence=None,
                                             label="report_fault", agent="bob")
    assert first == second and len((await service.get(first)).labels) == 2


async def test_review_queue_is_newest_first_with_paging_and_filters(service: NluFeedbackService) -> None:
    ids = [await _uncertain(service, key=f"18000000{i:02d}.0", text=f"空调坏了 {i} 次", confidence=0.1 * i)
           for i in range(1, 6)]
    await service.record_label(conversation_id=CONVERSATION, message_key="1800000005.0", label="complaint",
                               source="customer", actor="customer")
    page = await service.review_queue(limit=2)
    assert [i.id for i in page] == [ids[4], ids[3]]
    assert page[0].winner == "complaint" and page[0].agreement == 1.0 and page[0].labels[0].source == "customer"
    assert page[1].winner is None and page[1].labels == ()
    rest = await service.review_queue(limit=50, before_id=page[-1].id)
    assert [i.id for i in rest] == [ids[2], ids[1], ids[0]]
    low = await service.review_queue(max_confidence=0.25)
    assert [i.id for i in low] == [ids[1], ids[0]]
    assert await service.review_queue(status="accepted") == []
    for bad in ({"status": "done"}, {"limit": 0}, {"limit": 201}):
        with pytest.raises(ValidationError):
            await service.review_queue(**bad)


async def test_review_decisions(service: NluFeedbackService) -> None:
    labelled = await _uncertain(service, key="1800000001.0")
    bare = await _uncertain(service, key="1800000002.0", text="冰箱不冷")
    assert labelled is not None and bare is not None
    await service.record_label(conversation_id=CONVERSATION, message_key="1800000001.0", label="complaint",
                               source="customer", actor="customer")
    accepted = await service.review(labelled, decision="accept", label=None, supervisor="sam")
    assert (accepted.review_status, accepted.final_label, accepted.reviewed_by) == ("accepted", "complaint", "sam")
    assert accepted.reviewed_at is not None
    with pytest.raises(ValidationError):  # nothing to accept yet
        await service.review(bare, decision="accept", label=None, supervisor="sam")
    with pytest.raises(ValidationError):
        await service.review(bare, decision="relabel", label=None, supervisor="sam")
    with pytest.raises(ValidationError):
        await service.review(bare, decision="maybe", label=None, supervisor="sam")
    with pytest.raises(NotFoundError):
        await service.review(9999, decision="reject", label=None, supervisor="sam")
    relabelled = await service.review(bare, decision="relabel", label="report_fault", supervisor="sam")
    assert (relabelled.review_status, relabelled.final_label, relabelled.winner) == ("accepted", "report_fault",
                                                                                      "report_fault")
    assert [(lb.source, lb.actor) for lb in relabelled.labels] == [("supervisor", "sam")]
    again = await service.review(bare, decision="relabel", label="complaint", supervisor="sam")
    assert len(again.labels) == 1 and again.final_label == "complaint"  # the supervisor's label was updated
    rejected = await service.review(labelled, decision="reject", label=None, supervisor="lead")
    assert (rejected.review_status, rejected.final_label, rejected.reviewed_by) == ("rejected", None, "lead")
    assert [i.id for i in await service.review_queue(status="rejected")] == [labelled]


async def test_learned_examples_rules(service: NluFeedbackService, session_factory) -> None:  # type: ignore[no-untyped-def]
    async def example(key: str, text: str, labels: list[tuple[str, str, str]], decision: str = "accept") -> int:
        example_id = await _uncertain(service, key=key, text=text)
        assert example_id is not None
        for label, source, actor in labels:
            if source == "supervisor":
                await service.review(example_id, decision="relabel", label=label, supervisor=actor)
            else:
                await service.record_label(conversation_id=CONVERSATION, message_key=key, label=label, source=source,
                                           actor=actor)
        if decision and not any(source == "supervisor" for _, source, _ in labels):
            await service.review(example_id, decision=decision, label=None, supervisor="sam")
        return example_id

    unanimous = await example("1.0", "冰箱不制冷", [("report_fault", "customer", "customer"),
                                                ("report_fault", "agent", "alice")])
    split = await example("2.0", "安装师傅一直不来", [("complaint", "customer", "customer"),
                                                 ("installation_request", "agent", "alice"),
                                                 ("installation_request", "agent", "bob")])
    overruled = await example("3.0", "我要退货", [("complaint", "customer", "customer"),
                                             ("complaint", "agent", "alice"), ("return_refund", "supervisor", "sam")])
    await example("4.0", "rejected text", [("greet", "customer", "customer")], decision="reject")
    await _uncertain(service, key="5.0", text="still pending")
    learned = {e.id: e for e in await service.learned_examples(since=None, min_agreement=0.0)}
    assert set(learned) == {unanimous, split, overruled}
    assert (learned[unanimous].label, learned[unanimous].agreement) == ("report_fault", 1.0)
    assert (learned[split].label, learned[split].agreement) == ("installation_request", 0.6667)
    assert (learned[overruled].label, learned[overruled].agreement) == ("return_refund", 0.3333)
    assert learned[unanimous].text == "冰箱不制冷" and learned[unanimous].language == "zh"
    assert {e.id for e in await service.learned_examples(since=None, min_agreement=0.5)} == {unanimous, split}
    assert {e.id for e in await service.learned_examples(since=None, min_agreement=1.0)} == {unanimous}
    assert await service.learned_examples(since=date(2027, 1, 1), min_agreement=0.0) == []
    assert len(await service.learned_examples(since=date(2026, 12, 1), min_agreement=0.0)) == 3
    with pytest.raises(ValidationError):
        await service.learned_examples(since=None, min_agreement=1.5)
    # a label that arrives after acceptance keeps the recorded verdict's label current
    await service.record_label(conversation_id=CONVERSATION, message_key="2.0", label="complaint", source="agent",
                               actor="bob")
    assert (await service.get(split)).final_label == "complaint"  # now 2:1 for complaint


class TrackerRasa:
    """The assist Rasa calls (tracker, parse) from canned data."""

    def __init__(self, tracker: dict[str, Any] | None = None, status: int | None = None) -> None:
        self.body, self.status = tracker or {}, status

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        if self.status is not None:
            raise UpstreamError(f"Rasa answered {self.status} to tracker", status=self.status)
        return self.body

    async def parse(self, text: str) -> dict[str, Any]:
        raise AssertionError("corrections never parse: the tracker's parse data is used")


def tracker_with(*users: dict[str, Any]) -> dict[str, Any]:
    return {"sender_id": CONVERSATION, "latest_input_channel": "telegram", "slots": {"language": "en"},
            "events": [{"event": "action", "name": "action_listen", "timestamp": 1.0}, *users,
                       {"event": "bot", "text": "Sorry?", "timestamp": 1_800_000_010.0}]}


USER = {"event": "user", "text": "my name is Tom Hanks, fridge warm, call 07911 123456", "timestamp": 1_800_000_005.5,
        "input_channel": "telegram",
        "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.3},
                       "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.3},
                                          {"name": "complaint", "confidence": 0.44}],
                       "entities": [{"entity": "language", "value": "en"}]}}


@pytest.fixture
def corrections(service: NluFeedbackService) -> Iterator[tuple[TriageCorrections, NluFeedbackService]]:
    yield TriageCorrections(TrackerRasa(tracker_with(USER)), service), service


async def test_triage_correction_reads_text_and_parse_from_the_tracker(
    corrections: tuple[TriageCorrections, NluFeedbackService],
) -> None:
    triage, service = corrections
    example_id = await triage.correct(CONVERSATION, "1800000005.5", "report_fault", "alice")
    assert await triage.correct(CONVERSATION, "1800000005.5", "report_fault", "alice") == example_id
    item = await service.get(example_id)
    assert item.text == "my name is [name], fridge warm, call [phone]"
    assert (item.predicted_intent, item.predicted_confidence, item.language, item.channel) == (
        "complaint", 0.44, "en", "telegram")
    assert item.origin == "agent" and [(lb.label, lb.actor) for lb in item.labels] == [("report_fault", "alice")]
    async with service._sessions() as session:  # noqa: SLF001 - the stored row, not its view
        row = await session.get(NluExample, example_id)
    assert row is not None and row.conversation_hash == conversation_hash(CONVERSATION)


async def test_the_action_and_the_console_name_the_same_message(
    corrections: tuple[TriageCorrections, NluFeedbackService],
) -> None:
    triage, service = corrections
    timestamp = 1_733_312_345.6789012  # as Rasa stamps events: more digits than the action server's key keeps
    user = {**USER, "timestamp": timestamp}
    recorded = await _uncertain(service, key=f"{timestamp:.6f}", text=str(user["text"]))  # the "did you mean" action
    console = TriageCorrections(TrackerRasa(tracker_with(user)), service)
    assert await console.correct(CONVERSATION, message_key_of(timestamp), "report_fault", "alice") == recorded
    assert triage is not None


async def test_triage_correction_errors(service: NluFeedbackService) -> None:
    good = TriageCorrections(TrackerRasa(tracker_with(USER)), service)
    with pytest.raises(ValidationError):
        await good.correct(CONVERSATION, "1800000005.5", "bogus", "alice")
    with pytest.raises(NotFoundError):
        await good.correct(CONVERSATION, "1800000006.0", "complaint", "alice")  # no such message
    with pytest.raises(NotFoundError):
        await TriageCorrections(TrackerRasa(tracker_with()), service).correct(CONVERSATION, "1.0", "greet", "a")
    with pytest.raises(NotFoundError):
        await TriageCorrections(TrackerRasa(status=404), service).correct(CONVERSATION, "1.0", "greet", "a")
    with pytest.raises(UpstreamError):
        await TriageCorrections(TrackerRasa(status=500), service).correct(CONVERSATION, "1.0", "greet", "a")
    payload = {**USER, "text": "/choose{\"category\": \"complaint\"}", "timestamp": 1_800_000_007.0}
    with pytest.raises(ValidationError):
        await TriageCorrections(TrackerRasa(tracker_with(payload)), service).correct(
            CONVERSATION, "1800000007.0", "complaint", "alice")
