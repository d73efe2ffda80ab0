"""End to end: when Rasa cannot reach the action server, the customer still gets an answer at once — an apology in
their language — instead of silence; turns that need no custom action are answered as usual."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from integrations.never_silent import APOLOGY
from tests.stack import Stack, free_port, running_stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # The action server runs, but Rasa is pointed at a port where nothing listens: every custom action fails.
    broken = f"http://127.0.0.1:{free_port()}/webhook"
    with running_stack(tmp_path_factory.mktemp("actions_down"), env={"ACTION_SERVER_URL": broken}) as running:
        yield running


@pytest.mark.slow
@pytest.mark.parametrize(("sender", "text", "language"), [
    ("down-zh", "帮我查一下服务单 AS-20261201-ABCDEF 的进度", "zh"),
    ("down-en", "what's the status of my ticket AS-20261201-ABCDEF", "en"),
])
def test_a_failed_action_is_answered_with_an_apology_within_two_seconds(
    stack: Stack, sender: str, text: str, language: str
) -> None:
    stack.say(f"{sender}-warm", "hi")  # the first turn of a fresh server also loads lazily-built parts
    started = time.monotonic()
    replies = stack.say(sender, text)
    elapsed = time.monotonic() - started
    assert [r.get("text") for r in replies] == [APOLOGY[language]], replies
    assert elapsed < 2.0, f"answered after {elapsed:.2f} s"
    assert "turn.silent_apology" in stack.log


@pytest.mark.slow
def test_a_turn_without_custom_actions_is_answered_normally(stack: Stack) -> None:
    replies = stack.say("down-greet", "你好")
    assert replies and all(r.get("text") != APOLOGY["zh"] for r in replies), replies
