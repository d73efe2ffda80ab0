"""End to end on the trained model: a message the NLU is unsure about gets "did you mean" buttons naming the
candidate needs in the customer's language; choosing one starts that flow with the original message and stores
the customer's label (masked) for review; "something else" shows the menu; a second miss goes to a person.

The unsure messages are ours and deliberately vague; the test uses the first that the model is unsure about (a
retrained model may be sure about some of them), and fails if it is sure about all of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.stack import Stack, running_stack

CHOOSE = re.compile(r'^/choose\{"need": "(?P<need>[a-z_]+)"\}$')
VAGUE = {
    "zh": ["售后那边的事情，我想问一下", "关于那个东西的问题，麻烦看看", "上次说的那个事情怎么样了呀",
           "我想咨询一下售后，电话 13812345678", "那个机器的事，你们到底管不管"],
    "en": ["about the thing from last week", "need some help with the service thing",
           "hi, question about my order and the repair guy", "what about that issue I mentioned",
           "can someone look into this for me, call 13812345678"],
}
MENU_PAYLOADS = {"/report_fault", "/ticket_status"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("did_you_mean")) as running:
        yield running


def _buttons(replies: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [button for reply in replies for button in reply.get("buttons") or []]


def _unsure(stack: Stack, language: str, sender: str) -> tuple[str, str, list[dict[str, Any]]]:
    """The first vague message the model asks about: its conversation, text and replies (each try on a fresh
    conversation)."""
    for number, text in enumerate(VAGUE[language]):
        replies = stack.say(f"{sender}-{number}", text)
        if any(CHOOSE.match(button["payload"]) for button in _buttons(replies)):
            return f"{sender}-{number}", text, replies
    pytest.fail(f"the model was sure about every vague {language} message: {VAGUE[language]}")


@pytest.mark.slow
@pytest.mark.parametrize(("language", "script"), [("zh", r"[\u4e00-\u9fff]"), ("en", r"^[\x00-\x7f’…—–]+$")])
def test_choosing_a_need_starts_its_flow_and_stores_the_label(stack: Stack, language: str, script: str) -> None:
    sender, _, replies = _unsure(stack, language, f"dym-choose-{language}")
    buttons = _buttons(replies)
    needs = [CHOOSE.match(b["payload"]).group("need") for b in buttons if CHOOSE.match(b["payload"])]  # type: ignore[union-attr]
    assert needs[-1] == "other" and 3 <= len(needs) <= 4 and len(set(needs)) == len(needs), needs
    assert all(re.search(script, b["title"]) for b in buttons), buttons  # titles in the customer's language
    question = " ".join(str(r.get("text") or "") for r in replies)
    assert re.search(script, question.strip()), question

    chosen = needs[0]
    answer = stack.say(sender, buttons[0]["payload"])
    assert answer, "the chosen flow said nothing"
    assert not any(CHOOSE.match(b["payload"]) for b in _buttons(answer)), answer  # not asked again
    [(label, origin, text)] = stack.query(
        "SELECT l.label, e.origin, e.text FROM nlu_labels l JOIN nlu_examples e ON e.id = l.example_id "
        "WHERE l.source = 'customer' AND e.language = ? ORDER BY l.id DESC LIMIT 1", language)
    assert label == chosen and "13812345678" not in text, (label, origin, text)


@pytest.mark.slow
def test_something_else_shows_the_menu_and_a_second_miss_goes_to_a_person(stack: Stack) -> None:
    sender, text, replies = _unsure(stack, "en", "dym-other")
    other = next(b for b in _buttons(replies) if b["payload"] == '/choose{"need": "other"}')
    menu = stack.say(sender, other["payload"])
    assert MENU_PAYLOADS <= {b["payload"] for b in _buttons(menu)}, menu
    assert not stack.query("SELECT id FROM handoffs WHERE conversation_id = ?", sender)

    # The same unsure message right after the menu: a second miss, and a person takes over.
    handed = stack.say(sender, text)
    rows = stack.query("SELECT status, reason FROM handoffs WHERE conversation_id = ?", sender)
    assert rows == [("queued", "fallback")], json.dumps(handed, ensure_ascii=False)
