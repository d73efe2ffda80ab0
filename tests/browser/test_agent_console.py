"""The agent console and the supervisor dashboard in headless Chromium, on a laptop-sized screen, against the whole
running stack. A web-chat customer (REST channel) asks for a person; an agent created with the CLI signs in, finds the
conversation in the queue, sees its transcript and triage, takes it over and writes; the customer receives the
message (`/chat/updates`), the bot stays quiet meanwhile; the agent releases and the bot answers again. A supervisor
sees the dashboard's charts drawn as SVG."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.pages import open_watched
from tests.stack import ROOT, Stack, running_stack

LAPTOP: ViewportSize = {"width": 1366, "height": 800}
SCREENSHOTS = ROOT / "var" / "screenshots"
TIMEOUT_MS = 30_000
AGENT_MESSAGE = "您好，我是人工客服小王，请问空调是什么型号？"


@pytest.fixture(scope="module")
def stack(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("agent_console"), env={"CUSTOMER_OUTBOX_INTERVAL_S": "1"}) as running:
        yield running


def create_agent(stack: Stack, username: str, role: str, password: str) -> None:
    """`python -m bot agent-user` against the stack's database, the password from AGENT_PASSWORD."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "AGENT_PASSWORD"}}
    env.update(BOT_VAR_DIR=str(stack.var_dir), AGENT_PASSWORD=password)
    done = subprocess.run([sys.executable, "-m", "bot", "agent-user", "--username", username, "--role", role],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert password not in done.stdout + done.stderr


def open_page(browser: Browser, url: str) -> tuple[Page, list[str]]:
    return open_watched(browser.new_context(viewport=LAPTOP, locale="zh-CN"), url)


def sign_in(page: Page, username: str, password: str) -> None:
    expect(page).to_have_url(re.compile(r"/agent/login"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def chat_updates(stack: Stack, sender: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{stack.service_url}/chat/updates?sender={sender}", timeout=10) as response:
        messages: list[dict[str, Any]] = json.load(response)["messages"]
    return messages


def wait_for(condition: Any, timeout_s: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


@pytest.mark.slow
def test_agent_takes_over_writes_and_releases(browser: Browser, stack: Stack) -> None:
    sender = f"web:{uuid.uuid4().hex}"
    assert stack.say(sender, "我的格力空调不制冷了")  # the bot is working on it
    queued = " ".join(r.get("text", "") for r in stack.say(sender, "转人工"))
    assert "人工" in queued, queued
    [(handoff_status,)] = stack.query("SELECT status FROM handoffs WHERE conversation_id = ?", sender)
    assert handoff_status == "queued"
    create_agent(stack, "wang", "agent", "wang's long password")

    page, problems = open_page(browser, f"{stack.service_url}/agent")
    sign_in(page, "wang", "wang's long password")
    expect(page.locator("#me")).to_have_text("wang")
    item = page.locator(f'#queue button[data-conversation="{sender}"]')
    expect(item).to_be_visible(timeout=TIMEOUT_MS)
    item.click()
    expect(page.locator("#conv-title")).to_contain_text(sender)
    expect(page.locator('#transcript .line-user .text').last).to_have_text("转人工", timeout=TIMEOUT_MS)
    expect(page.locator("#transcript .line-bot").first).to_be_visible()
    # The triage is the need stated before "转人工" (report_fault, in Chinese), not the request for a person.
    expect(page.locator("#triage")).to_contain_text("报修")
    expect(page.locator("#draft")).to_contain_text("格力")  # the brand from the conversation's slots
    expect(page.locator("#bot-state")).to_have_text("机器人已暂停")
    assert page.locator("#suggestions button").count() >= 2

    page.get_by_role("button", name="接管").click()
    expect(page.locator("#handoff-state")).to_contain_text("wang", timeout=TIMEOUT_MS)
    reply = page.get_by_role("textbox", name="回复客户")
    expect(reply).to_be_enabled()
    reply.fill(AGENT_MESSAGE)
    page.get_by_role("button", name="发送").click()
    expect(reply).to_have_value("")

    received = wait_for(lambda: [m for m in chat_updates(stack, sender) if m["text"] == AGENT_MESSAGE],
                        what="the agent's message at /chat/updates")
    assert received[0]["kind"] == "agent"
    assert stack.say(sender, "好的，是KFR-35GW") == []  # paused: the customer's answer reaches the agent only
    expect(page.locator("#transcript .line-agent .text").last).to_have_text(AGENT_MESSAGE, timeout=TIMEOUT_MS)
    expect(page.locator("#transcript .line-user .text").last).to_have_text("好的，是KFR-35GW", timeout=TIMEOUT_MS)

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "agent_console.png"))
    assert (SCREENSHOTS / "agent_console.png").stat().st_size > 20_000

    page.get_by_role("button", name="交还机器人").click()
    expect(page.locator("#bot-state")).to_have_text("机器人应答中", timeout=TIMEOUT_MS)
    [(status, agent)] = stack.query("SELECT status, agent FROM handoffs WHERE conversation_id = ?", sender)
    assert (status, agent) == ("closed", "wang")
    answer = stack.say(sender, "你好")
    assert answer and any(r.get("text") for r in answer), answer  # the bot answers again
    assert problems == [], problems
    page.context.close()


def _insert_tickets(stack: Stack) -> None:
    """Three tickets created just now (two brands, two provinces, two statuses): one accepted by outlet A in ten
    minutes and rated 5, one offered to outlet B and overdue, one new."""
    def ts(minutes_ago: int) -> str:
        return (datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%d %H:%M:%S.%f")

    with sqlite3.connect(stack.var_dir / "aftersales.db") as db:
        brands = [row[0] for row in db.execute("SELECT id FROM brands ORDER BY id LIMIT 2")]
        outlet_a, outlet_b = [row[0] for row in db.execute("SELECT id FROM outlets ORDER BY id LIMIT 2")]
        rows = [(brands[0], "440305", "accepted", ts(15)), (brands[0], "110105", "routed", ts(5)),
                (brands[1], "440106", "new", None)]
        ids = []
        for n, (brand, adcode, status, due) in enumerate(rows):
            cursor = db.execute(
                "INSERT INTO tickets (number, idempotency_key, category, priority, status, service_type, language,"
                " channel, brand_id, country, adcode, sla_accept_due_at, created_at, updated_at)"
                " VALUES (?, ?, 'report_fault', 'normal', ?, 'repair', 'zh', 'rest', ?, 'CN', ?, ?, ?, ?)",
                (f"AS-DASH-{n}", f"dashboard-test-{n}", status, brand, adcode, due, ts(30), ts(30)),
            )
            ids.append(cursor.lastrowid)
        events = [(ids[0], "routed", outlet_a, 30), (ids[0], "accepted", outlet_a, 20),
                  (ids[1], "routed", outlet_b, 25)]
        for ticket_id, kind, outlet, ago in events:
            db.execute("INSERT INTO ticket_events (ticket_id, at, kind, actor, outlet_id, data)"
                       " VALUES (?, ?, ?, 'test', ?, '{}')", (ticket_id, ts(ago), kind, outlet))
        db.execute("INSERT INTO csat_ratings (ticket_id, outlet_id, rating, channel, created_at)"
                   " VALUES (?, ?, 5, 'rest', ?)", (ids[0], outlet_a, ts(1)))


@pytest.mark.slow
def test_supervisor_dashboard_draws_charts(browser: Browser, stack: Stack) -> None:
    _insert_tickets(stack)
    create_agent(stack, "lead", "supervisor", "the lead's password")
    create_agent(stack, "li", "agent", "li's long password")

    page, problems = open_page(browser, f"{stack.service_url}/agent/dashboard")
    sign_in(page, "li", "li's long password")  # an agent: no dashboard
    expect(page.get_by_role("heading", name="仅限主管访问。")).to_be_visible()
    assert page.request.get(f"{stack.service_url}/agent/dashboard").status == 403
    assert problems == ["Failed to load resource: the server responded with a status of 403 (Forbidden)"], problems
    problems.clear()
    page.get_by_role("link", name="返回工作台").click()
    expect(page.locator("#me")).to_have_text("li")
    expect(page.locator("#dashboard-link")).to_be_hidden()
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/agent/login$"))
    page.goto(f"{stack.service_url}/agent/dashboard")

    sign_in(page, "lead", "the lead's password")  # back to the page asked for
    page.wait_for_selector("body[data-loaded='true']")
    expect(page.locator('[data-kpi="totalTickets"] strong')).to_have_text("3")
    expect(page.locator("#chart-brand svg rect.bar")).to_have_count(2)
    expect(page.locator("#chart-region svg rect.bar")).to_have_count(2)
    expect(page.locator("#chart-status svg rect.bar")).to_have_count(3)
    expect(page.locator("#chart-sla svg rect.bar")).to_have_count(30)
    expect(page.locator('[data-kpi="openOverdue"] strong')).to_have_text("1")
    expect(page.locator("#chart-acceptance svg rect.bar")).to_have_count(1)  # B has no decided offer yet
    expect(page.locator("#chart-acceptance svg")).to_contain_text("100")
    expect(page.locator("#chart-accept-time svg rect.bar")).to_have_count(1)
    expect(page.locator("#chart-accept-time svg .value")).to_have_text("10")
    expect(page.locator("#chart-csat svg .value")).to_have_text("5.00")
    expect(page.locator("#chart-category svg polyline")).to_have_count(1)
    expect(page.locator("#chart-region svg")).to_contain_text("广东")
    expect(page.locator("#chart-status svg")).to_contain_text("新建")
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("#chart-region svg")).to_contain_text("Guangdong")
    expect(page.locator("#chart-brand table tr")).to_have_count(3)  # the table fallback: header + two brands

    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
    assert (SCREENSHOTS / "dashboard.png").stat().st_size > 20_000
    assert problems == [], problems
    page.context.close()
