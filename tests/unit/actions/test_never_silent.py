"""A turn that produced no message (a failed custom action) is answered with an apology in the customer's language,
unless the bot is paused for a human agent or the message was one of Rasa's silent commands."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from integrations.never_silent import APOLOGY, CountingOutput, answer_or_apologise, apology_for, paused_lookup


async def _silent(message: UserMessage) -> None:
    return None


async def _answers(message: UserMessage) -> None:
    await message.output_channel.send_response(message.sender_id, {"text": "您好"})


def _paused(value: bool | None) -> Any:
    async def lookup(sender_id: str) -> bool | None:
        return value
    return lookup


@pytest.mark.parametrize(("text", "language"), [("空调不制冷了", "zh"), ("my phone won't charge", "en"),
                                                ("iPhone屏幕碎了 how much", "zh"), ("", "en"), ("👍", "en")])
async def test_a_silent_turn_gets_an_apology_in_the_customers_language(text: str, language: str) -> None:
    collector = CollectingOutputChannel()
    await answer_or_apologise(_silent, UserMessage(text, collector, "c1"), _paused(False))
    assert [m["text"] for m in collector.messages] == [APOLOGY[language]]


async def test_an_answered_turn_gets_nothing_more() -> None:
    collector = CollectingOutputChannel()
    message = UserMessage("你好", collector, "c1")
    await answer_or_apologise(_answers, message, _paused(False))
    assert [m["text"] for m in collector.messages] == ["您好"]
    assert message.output_channel is collector, "the customer's own output channel is restored"


async def test_a_bot_paused_for_an_agent_stays_silent() -> None:
    collector = CollectingOutputChannel()
    await answer_or_apologise(_silent, UserMessage("还在吗", collector, "c1"), _paused(True))
    assert collector.messages == []


async def test_an_unknown_pause_state_still_apologises() -> None:
    collector = CollectingOutputChannel()
    await answer_or_apologise(_silent, UserMessage("还在吗", collector, "c1"), _paused(None))
    assert len(collector.messages) == 1


async def test_rasas_silent_commands_are_not_apologised_for() -> None:
    collector = CollectingOutputChannel()
    await answer_or_apologise(_silent, UserMessage("/restart", collector, "c1"), _paused(False))
    assert collector.messages == []


async def test_the_counting_output_passes_direct_sends_through() -> None:
    collector = CollectingOutputChannel()
    counting = CountingOutput(collector)
    await counting.send_text_message("c1", "a")
    await counting.send_text_with_buttons("c1", "b", [{"title": "t", "payload": "/p"}])
    await counting.send_response("c1", {"text": "c"})
    assert counting.sent == 3 and [m["text"] for m in collector.messages] == ["a", "b", "c"]
    assert counting.name() == collector.name() and counting.messages is collector.messages


class _Tracker:
    def __init__(self, paused: bool) -> None:
        self._paused = paused

    def is_paused(self) -> bool:
        return self._paused


class _Store:
    def __init__(self, trackers: dict[str, _Tracker], fail: bool = False) -> None:
        self.trackers, self.fail = trackers, fail

    async def retrieve(self, sender_id: str) -> _Tracker | None:
        if self.fail:
            raise ConnectionError("tracker store down")
        return self.trackers.get(sender_id)


class _Agent:
    def __init__(self, store: _Store) -> None:
        self.tracker_store = store


async def test_the_pause_state_comes_from_rasas_tracker_store() -> None:
    agent = _Agent(_Store({"p": _Tracker(True), "a": _Tracker(False)}))
    lookup = paused_lookup(lambda: agent)
    assert await lookup("p") is True and await lookup("a") is False and await lookup("new") is False
    assert await paused_lookup(lambda: None)("p") is None
    assert await paused_lookup(lambda: _Agent(_Store({}, fail=True)))("p") is None


def test_apology_language() -> None:
    assert apology_for("我的電視沒有畫面") == APOLOGY["zh"] and apology_for("TV no picture") == APOLOGY["en"]
