"""End to end over REST on the trained model: 60 realistic first messages (tests/api/e2e/first_messages.py) each start
the right flow with every detail they gave kept in the conversation's slots.

The share is the figure the issue asks for (target ≥ 95%); the test fails below FLOOR and prints every miss.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.e2e.first_messages import OPENINGS, Opening
from tests.stack import Stack, running_stack

#: The share of openings that must start the right flow with their details (the issue's target).
FLOOR = 0.95


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("first_messages")) as running:
        yield running


def _tracker(stack: Stack, sender: str) -> dict[str, Any]:
    token = stack.tokens()["RASA_TOKEN"]
    with urllib.request.urlopen(f"{stack.rasa_url}/conversations/{sender}/tracker?token={token}", timeout=30) as r:
        tracker: dict[str, Any] = json.load(r)
    return tracker


def _miss(stack: Stack, number: int, opening: Opening) -> str | None:
    """Why the opening failed, or None."""
    sender = f"first-{number:02d}"
    replies = stack.say(sender, opening.text)
    tracker = _tracker(stack, sender)
    events = tracker.get("events") or []
    last_user = max(i for i, e in enumerate(events) if e.get("event") == "user")
    actions = [e.get("name") for e in events[last_user:] if e.get("event") == "action"]
    if opening.flow not in actions:
        intent = (events[last_user].get("parse_data") or {}).get("intent", {}).get("name")
        return f"flow {actions} (intent {intent}), wanted {opening.flow}"
    slots = tracker.get("slots") or {}
    lost = [name for name in opening.details if not slots.get(name)]
    if lost:
        return f"details lost: {lost}"
    if not replies:
        return "no reply"
    return None


@pytest.mark.slow
def test_first_messages_start_the_right_flow_with_every_detail(stack: Stack) -> None:
    misses = {opening.text: why for n, opening in enumerate(OPENINGS) if (why := _miss(stack, n, opening))}
    share = 1 - len(misses) / len(OPENINGS)
    print(f"first messages: {len(OPENINGS) - len(misses)}/{len(OPENINGS)} = {share:.3f}")
    for text, why in misses.items():
        print(f"  MISS {text!r}: {why}")
    assert share >= FLOOR, json.dumps(misses, ensure_ascii=False, indent=1)
