"""End to end: `make run`'s launcher starts every process on the embedded defaults; a customer reports a fault over
the REST channel in Chinese and in English and gets a real ticket, routed, with its events in the database; the
same confirmation sent twice is still one ticket; Ctrl-C stops everything cleanly."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from bot.launcher import listening
from tests.stack import Stack, running_stack

TICKET = re.compile(r"AS-\d{8}-[A-HJ-NP-Z2-9]{6}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("run_all")) as running:
        yield running


def _texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text", "")) for r in replies)


@pytest.mark.slow
def test_service_is_healthy_and_greets_in_chinese(stack: Stack) -> None:
    with urllib.request.urlopen(f"{stack.service_url}/healthz", timeout=10) as response:
        assert json.load(response)["database"] == "up"
    replies = stack.say("e2e-greet", "你好")
    assert replies and re.search(r"[\u4e00-\u9fff]", replies[0]["text"]), replies
    assert (stack.var_dir / "tracker.db").exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sender", "turns", "script"),
    [
        ("e2e-zh", ["我的格力空调不制冷了，显示E1", "北京市海淀区中关村大街27号", "13812345678", "确认"],
         r"[\u4e00-\u9fff]"),
        ("e2e-en", ["my Samsung washing machine is leaking water", "Shanghai Pudong", "+86 139 1234 5678", "yes"],
         r"\bservice order\b"),
    ],
)
def test_a_fault_report_ends_with_a_routed_ticket_in_the_database(
    stack: Stack, sender: str, turns: list[str], script: str
) -> None:
    replies: list[dict[str, Any]] = []
    for text in turns:
        replies = stack.say(sender, text)
    answer = _texts(replies)
    found = TICKET.search(answer)
    assert found, answer
    assert re.search(script, answer, re.IGNORECASE), answer
    [(ticket_id, status, outlet_id, category, channel, phone)] = stack.query(
        "SELECT t.id, t.status, t.assigned_outlet_id, t.category, t.channel, c.phone_e164 FROM tickets t "
        "JOIN customers c ON c.id = t.customer_id WHERE t.number = ?", found.group())
    assert (status, category, channel) == ("routed", "report_fault", "rest")
    assert outlet_id is not None and phone.startswith("+86")
    events = stack.query("SELECT kind FROM ticket_events WHERE ticket_id = ? ORDER BY id", ticket_id)
    kinds = [kind for (kind,) in events]
    assert kinds[:2] == ["created", "routed"], kinds
    [(outlet_name,)] = stack.query("SELECT name_zh FROM outlets WHERE id = ?", outlet_id)
    if sender == "e2e-zh":
        assert outlet_name in answer

    # The customer sends the same confirmation again (a retry, or an impatient second tap): still one ticket.
    stack.say(sender, turns[-1])
    assert stack.query("SELECT count(*) FROM tickets WHERE conversation_id = ?", sender) == [(1,)]


@pytest.mark.slow
def test_status_question_reads_the_customer_own_ticket(stack: Stack) -> None:
    sender = "e2e-status"
    for text in ["我的海尔冰箱不制冷", "上海市浦东新区", "13912345678", "确认"]:
        replies = stack.say(sender, text)
    number = TICKET.search(_texts(replies))
    assert number
    answer = _texts(stack.say(sender, f"查询 {number.group()} 进度"))
    assert number.group() in answer and "已派单" in answer, answer
    stranger = _texts(stack.say("e2e-stranger", f"查询 {number.group()} 进度"))
    assert "已派单" not in stranger, stranger


def _agent_api(stack: Stack, method: str, path: str, body: Any = None) -> Any:
    request = urllib.request.Request(
        f"{stack.service_url}{path}", method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {stack.tokens()['AGENT_API_TOKEN']}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


@pytest.mark.slow
def test_handoff_pauses_the_bot_until_an_agent_resumes_it(stack: Stack) -> None:
    sender = "e2e-human"
    assert "人工" in _texts(stack.say(sender, "转人工"))
    assert stack.say(sender, "你好，有人吗") == []  # paused: the bot stays quiet while the agent has it
    [handoff] = [h for h in _agent_api(stack, "GET", "/api/v1/handoffs") if h["conversation_id"] == sender]
    assert handoff["status"] == "queued" and handoff["reason"] == "requested" and handoff["channel"] == "rest"
    path = f"/api/v1/handoffs/{handoff['id']}"
    assert _agent_api(stack, "POST", f"{path}/take", {"agent": "agent-1"})["status"] == "taken"
    assert _agent_api(stack, "POST", f"{path}/resume")["status"] == "closed"
    assert re.search(r"[\u4e00-\u9fff]", _texts(stack.say(sender, "你好"))), "the bot answers again after resume"
    # The next need is understood fresh: a repair starts, nobody is called back in.
    answer = _texts(stack.say(sender, "My Dell laptop screen is flickering"))
    assert "Where are you" in answer, answer
    assert [h["status"] for h in _agent_api(stack, "GET", "/api/v1/handoffs?status=queued")
            if h["conversation_id"] == sender] == []


@pytest.mark.slow
def test_ctrl_c_stops_every_process(stack: Stack) -> None:
    assert stack.stop() == 0, stack.log[-3000:]
    assert "All processes stopped." in stack.log
    assert not any(listening(port) for port in stack.ports.values())
