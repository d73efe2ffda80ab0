"""End to end: `make run`'s launcher starts every process on the embedded defaults; a customer reports a fault over
the REST channel in Chinese and in English and gets a real ticket, routed, with its events in the database; the
same confirmation sent twice is still one ticket; Ctrl-C stops everything cleanly."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "aftersales.tar.gz"
TICKET = re.compile(r"AS-\d{8}-[A-HJ-NP-Z2-9]{6}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.3):
            return True
    except OSError:
        return False


class Stack:
    """The three processes started by `python -m bot run-all` on a scratch directory."""

    def __init__(self, var_dir: Path, ports: dict[str, int], proc: subprocess.Popen[bytes]) -> None:
        self.var_dir, self.ports, self.proc = var_dir, ports, proc

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.ports['RASA_PORT']}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            replies: list[dict[str, Any]] = json.load(response)
        return replies

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.var_dir / "aftersales.db") as db:
            return db.execute(sql, args).fetchall()

    @property
    def log(self) -> str:
        return (self.var_dir / "run.log").read_text(errors="replace")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    assert MODEL.exists(), "no trained model: run `make train` (make test trains before running tests)"
    var_dir = tmp_path_factory.mktemp("run_all")
    ports = {"RASA_PORT": _free_port(), "ACTION_SERVER_PORT": _free_port(), "SERVICE_PORT": _free_port()}
    env = dict(os.environ, BOT_VAR_DIR=str(var_dir), **{k: str(v) for k, v in ports.items()})
    for name in ("DATABASE_URL", "TRACKER_DATABASE_URL", "ACTION_SERVER_URL", "REDIS_URL", "RABBITMQ_URL"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-m", "bot", "seed", "--outlets", "300", "--seed", "3"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=180)
    log = (var_dir / "run.log").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run-all"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    running = Stack(var_dir, ports, proc)
    try:
        deadline = time.monotonic() + 240
        while "All processes are up" not in running.log:
            assert proc.poll() is None, running.log[-3000:]
            assert time.monotonic() < deadline, "processes did not come up in time"
            time.sleep(1)
        yield running
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)


def _texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text", "")) for r in replies)


@pytest.mark.slow
def test_service_is_healthy_and_greets_in_chinese(stack: Stack) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{stack.ports['SERVICE_PORT']}/healthz", timeout=10) as response:
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


@pytest.mark.slow
def test_ctrl_c_stops_every_process(stack: Stack) -> None:
    stack.proc.send_signal(signal.SIGINT)
    code = stack.proc.wait(timeout=60)
    assert code == 0, stack.log[-3000:]
    assert "All processes stopped." in stack.log
    assert not any(_listening(port) for port in stack.ports.values())
