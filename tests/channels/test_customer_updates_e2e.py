"""End to end: the whole stack (`run-all`) with the Telegram channel against a fake Bot API server. A customer files
a fault report through Telegram; the outlet it was routed to accepts it through the provider API (with a key issued
by `python -m bot provider-key`); the customer gets the acceptance on Telegram, in Chinese; an agent's message sent
through the agent API follows. A web chat conversation gets an agent's message by polling `/chat/updates`, and both
messages are in Rasa's transcripts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.channels.telegram.telegram_harness import SECRET, WEBHOOK_PATH
from tests.channels.telegram.telegram_updates import (
    callback_update,
    contact_update,
    location_update,
    start_update,
    text_update,
)
from tests.fakes.telegram import TOKEN, FakeTelegram
from tests.stack import ROOT, Stack, running_stack

TICKET = re.compile(r"AS-\d{8}-[A-HJ-NP-Z2-9]{6}")
CREDENTIALS = "rest:\nintegrations.telegram.channel.TelegramInput:\n"
CHAT = 880101
TURN_S = 90.0
DELIVERY_S = 30.0


@dataclass
class Running:
    stack: Stack
    fake: FakeTelegram

    def deliver(self, update: dict[str, Any]) -> None:
        """POST an update to the channel's webhook as Telegram does."""
        request = urllib.request.Request(
            self.stack.rasa_url + WEBHOOK_PATH, data=json.dumps(update).encode(),
            headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200

    def texts(self) -> list[str]:
        return self.fake.texts(CHAT)

    def turn(self, update: dict[str, Any], done: Any) -> list[dict[str, Any]]:
        """Deliver `update`, wait until `done(new sendMessage params)`; those params."""
        before = len(self.texts())
        self.deliver(update)
        new = lambda: [c.params for c in self.fake.recorded("sendMessage", CHAT)][before:]  # noqa: E731
        self.fake.wait_for(lambda: bool(done(new())), TURN_S)
        return new()

    def call(self, method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """One JSON request; (status, parsed body)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return int(response.status), json.load(response)
        except urllib.error.HTTPError as error:
            return int(error.code), json.loads(error.read() or b"null")

    def transcript(self, conversation: str) -> list[str]:
        """Texts of the bot events in Rasa's tracker of `conversation`."""
        token = self.stack.tokens()["RASA_TOKEN"]
        status, tracker = self.call("GET", f"{self.stack.rasa_url}/conversations/{conversation}/tracker"
                                           f"?token={token}&include_events=ALL")
        assert status == 200
        return [e.get("text") or "" for e in tracker["events"] if e.get("event") == "bot"]


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    fake = FakeTelegram()
    with fake.run_in_thread() as base_url:
        env = {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_SECRET_TOKEN": SECRET, "TELEGRAM_API_BASE_URL": base_url,
               "TELEGRAM_MODE": "webhook", "CUSTOMER_OUTBOX_INTERVAL_S": "1"}
        with running_stack(tmp_path_factory.mktemp("updates"), env=env, credentials=CREDENTIALS) as stack:
            yield Running(stack, fake)


def _button(message: dict[str, Any], text: str) -> dict[str, Any]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return next(b for row in rows for b in row if b["text"] == text)


def _provider_key(stack: Stack, outlet_code: str) -> str:
    env = dict(os.environ, BOT_VAR_DIR=str(stack.var_dir))
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "bot", "provider-key", "--outlet", outlet_code], cwd=ROOT, env=env,
                          check=True, capture_output=True, text=True, timeout=120)
    return done.stdout.strip()


@pytest.mark.slow
def test_the_customer_hears_about_acceptance_and_from_an_agent_on_telegram(running: Running) -> None:
    has = lambda pattern: lambda new: any(re.search(pattern, m["text"]) for m in new)  # noqa: E731
    running.turn(start_update(960001, CHAT, "zh-hans"), has("售后"))
    running.turn(text_update(960002, CHAT, "我的格力空调不制冷了，显示E1"), has("在哪里"))
    running.turn(location_update(960003, CHAT, 39.983105, 116.312171), has("手机号码"))
    summary = running.turn(contact_update(960004, CHAT, "+8613812345678"), has("确认提交吗"))
    done = running.turn(callback_update(960005, CHAT, _button(summary[-1], "确认提交")["callback_data"]),
                        lambda new: any(TICKET.search(m["text"]) for m in new))
    number = next(m.group() for m in (TICKET.search(p["text"]) for p in done) if m)
    [(status, code, name_zh)] = running.stack.query(
        "SELECT t.status, o.code, o.name_zh FROM tickets t JOIN outlets o ON o.id = t.assigned_outlet_id "
        "WHERE t.number = ?", number)
    assert status == "routed"

    key = _provider_key(running.stack, code)
    status_code, body = running.call("POST", f"{running.stack.service_url}/api/v1/provider/tickets/{number}/accept",
                                     {}, {"Authorization": f"Bearer {key}"})
    assert (status_code, body["status"]) == (200, "accepted"), body
    accepted = f"您的服务单 {number} 已被 {name_zh} 受理，对方将尽快与您联系。"
    running.fake.wait_for(lambda: accepted in running.texts(), DELIVERY_S)

    agent_text = "您好，我是客服小李。工程师今天下午两点前联系您。"
    auth = {"Authorization": f"Bearer {running.stack.tokens()['AGENT_API_TOKEN']}"}
    url = f"{running.stack.service_url}/api/v1/conversations/tg:{CHAT}/messages"
    status_code, queued = running.call("POST", url, {"text": agent_text, "agent": "li.na", "client_id": "e2e-1"}, auth)
    assert status_code == 202 and queued["status"] == "pending"
    assert running.call("POST", url, {"text": agent_text, "agent": "li.na", "client_id": "e2e-1"}, auth)[1] == queued
    running.fake.wait_for(lambda: agent_text in running.texts(), DELIVERY_S)
    time.sleep(3)  # a repeated request or a second round sends nothing more
    assert running.texts().count(accepted) == 1 and running.texts().count(agent_text) == 1
    assert running.texts().index(accepted) < running.texts().index(agent_text)

    transcript = running.transcript(f"tg:{CHAT}")
    assert accepted in transcript and agent_text in transcript
    assert running.stack.query("SELECT kind, status, attempts FROM customer_messages WHERE conversation_id = ? "
                               "ORDER BY id", f"tg:{CHAT}") == [
        ("ticket_update", "sent", 1), ("agent", "sent", 1)]
    assert "13812345678" not in running.stack.log and agent_text not in running.stack.log


@pytest.mark.slow
def test_a_web_chat_customer_polls_an_agents_message(running: Running) -> None:
    sender = f"web:{uuid.uuid4().hex}"
    assert running.stack.say(sender, "你好")  # Rasa now has a REST conversation for this sender
    running.stack.query(  # an agent handled this conversation before (a closed handoff): it is known
        "INSERT INTO handoffs (conversation_id, channel, language, reason, summary, status, created_at, closed_at) "
        "VALUES (?, 'rest', 'zh', 'requested', '', 'closed', '2026-12-01 10:00:00', '2026-12-01 10:05:00')", sender)
    auth = {"Authorization": f"Bearer {running.stack.tokens()['AGENT_API_TOKEN']}"}
    text = "您好，您的问题已转给售后主管，稍后回复您。"
    status_code, queued = running.call(
        "POST", f"{running.stack.service_url}/api/v1/conversations/{sender}/messages", {"text": text, "agent": "a"},
        auth)
    assert status_code == 202
    status_code, polled = running.call("GET", f"{running.stack.service_url}/chat/updates?sender={sender}")
    assert (status_code, polled) == (200, {"messages": [{"id": queued["id"], "text": text, "kind": "agent",
                                                         "buttons": []}],
                                          "next": queued["id"]})
    deadline = time.monotonic() + DELIVERY_S
    while running.stack.query("SELECT status FROM customer_messages WHERE id = ?", queued["id"]) != [("pollable",)]:
        assert time.monotonic() < deadline, "the message was not recorded in the transcript"
        time.sleep(0.5)
    assert text in running.transcript(sender)
