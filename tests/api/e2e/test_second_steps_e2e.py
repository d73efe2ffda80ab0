"""End to end over REST, one step past the happy path: the outlet resolves the repair and the web-chat customer
rates it (buttons and typed); a customer cancels their ticket in chat; a customer writing traditional Chinese is
answered in traditional."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from bot.nlu.text.script import script_of
from tests.stack import ROOT, Stack, running_stack

TICKET = re.compile(r"AS-\d{8}-[A-HJ-NP-Z2-9]{6}")
FRIDGE_REPORT = ["我的海尔冰箱不制冷", "上海市浦东新区", "13912345678", "确认"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("second_steps"), env={"CSAT_DISPATCH_INTERVAL_S": "1"}) as running:
        yield running


def _texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text", "")) for r in replies)


def _web_sender() -> str:
    return "web:" + uuid.uuid4().hex


def _report(stack: Stack, sender: str, turns: list[str]) -> str:
    replies: list[dict[str, Any]] = []
    for text in turns:
        replies = stack.say(sender, text)
    found = TICKET.search(_texts(replies))
    assert found, _texts(replies)
    return found.group()


def _provider(stack: Stack, key: str, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        f"{stack.service_url}/api/v1/provider{path}", method="POST", data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _resolve_as_the_outlet(stack: Stack, number: str) -> int:
    [(outlet_id,)] = stack.query("SELECT assigned_outlet_id FROM tickets WHERE number = ?", number)
    issued = subprocess.run(
        [sys.executable, "-m", "bot", "provider-key", "--outlet", str(outlet_id)], cwd=ROOT, check=True,
        capture_output=True, text=True, timeout=120, env=dict(os.environ, BOT_VAR_DIR=str(stack.var_dir)),
    )
    key = issued.stdout.strip()
    _provider(stack, key, f"/tickets/{number}/accept", {})
    _provider(stack, key, f"/tickets/{number}/status", {"status": "in_repair"})
    done = {"status": "resolved", "notes": "更换了温控器"}
    assert _provider(stack, key, f"/tickets/{number}/status", done)["status"] == "resolved"
    return int(outlet_id)


def _poll_rating_question(stack: Stack, sender: str, timeout_s: float = 45.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        url = f"{stack.service_url}/chat/updates?sender={sender}&after=0"
        with urllib.request.urlopen(url, timeout=10) as response:
            questions = [m for m in json.load(response)["messages"] if m["kind"] == "csat"]
        if questions:
            return dict(questions[0])
        time.sleep(1)
    raise AssertionError(f"no rating question was polled in {timeout_s:.0f}s:\n{stack.log[-3000:]}")


@pytest.mark.slow
@pytest.mark.parametrize("answer", ["button", "typed"])
def test_a_web_chat_customer_rates_the_resolved_repair(stack: Stack, answer: str) -> None:
    sender = _web_sender()
    number = _report(stack, sender, FRIDGE_REPORT)
    outlet_id = _resolve_as_the_outlet(stack, number)
    question = _poll_rating_question(stack, sender)
    assert number in question["text"] and "打分" in question["text"]
    assert [b["title"] for b in question["buttons"]] == ["1分", "2分", "3分", "4分", "5分"]
    said = question["buttons"][3]["payload"] if answer == "button" else "给4分吧"
    assert "感谢" in _texts(stack.say(sender, said))
    assert stack.query(
        "SELECT r.rating, r.outlet_id, r.channel FROM csat_ratings r JOIN tickets t ON t.id = r.ticket_id "
        "WHERE t.number = ?", number) == [(4, outlet_id, "rest")]
    # The rating is no longer owed: a new need starts its flow instead of "please rate from 1 to 5".
    after = _texts(stack.say(sender, "我的美的空调不制冷了"))
    assert after and "1 到 5" not in after, after


@pytest.mark.slow
@pytest.mark.parametrize(("turns", "cancel", "yes", "done"), [
    (FRIDGE_REPORT, "取消服务单", "确定", "已取消"),
    (["My Haier fridge stopped cooling", "Shanghai Pudong", "+86 139 1234 5678", "yes"], "please cancel my repair",
     "yes", "is cancelled"),
])
def test_a_customer_cancels_their_ticket_in_chat(stack: Stack, turns: list[str], cancel: str, yes: str,
                                                 done: str) -> None:
    sender = _web_sender()
    number = _report(stack, sender, turns)
    asked = _texts(stack.say(sender, cancel))
    assert number in asked, asked
    assert done in _texts(stack.say(sender, yes))
    [(status,)] = stack.query("SELECT status FROM tickets WHERE number = ?", number)
    assert status == "cancelled"
    assert stack.query(
        "SELECT e.actor FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.number = ? "
        "AND e.kind = 'cancelled'", number) == [("rest:customer",)]


@pytest.mark.slow
def test_traditional_chinese_is_answered_in_traditional(stack: Stack) -> None:
    sender = _web_sender()
    first = _texts(stack.say(sender, "我的冷氣機不製冷了，請幫忙維修"))
    assert script_of(first) == "hant", first
    later = _texts(stack.say(sender, "ok"))  # a Latin answer keeps the customer's script
    assert script_of(later) != "hans", later
    simplified = _texts(stack.say(_web_sender(), "我的空调不制冷了，请帮忙维修"))
    assert script_of(simplified) == "hans", simplified


@pytest.mark.slow
@pytest.mark.parametrize(("answer", "next_question"), [("yes", "phone number"), ("no", "Where are you")])
def test_a_guessed_place_is_confirmed_before_it_is_used(stack: Stack, answer: str, next_question: str) -> None:
    sender = _web_sender()
    stack.say(sender, "My Samsung fridge is not cooling")
    asked = _texts(stack.say(sender, "it's in goes"))
    assert "Did you mean Goes, NL" in asked, asked
    after = _texts(stack.say(sender, answer))
    assert next_question in after, after  # "no" asks for the place again: the form goes on
    [(count,)] = stack.query("SELECT count(*) FROM tickets WHERE conversation_id = ?", sender)
    assert count == 0


@pytest.mark.slow
def test_no_error_is_logged_where_nothing_went_wrong(stack: Stack) -> None:
    """Product buttons used to log six `interpolator` ERRORs with tracebacks every time they were shown."""
    sender = _web_sender()
    stack.say(sender, "我要报修")
    replies = stack.say(sender, "华为")
    assert any(b.get("payload", "").startswith("/inform{") for r in replies for b in r.get("buttons", [])), replies
    logged = [line for line in stack.log.splitlines() if " ERROR " in line or "Traceback" in line]
    assert logged == [], logged[:5]
