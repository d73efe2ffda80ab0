"""The provider portal in headless Chromium on a phone-sized screen, against the whole running stack: a customer files
a ticket over REST; the outlet it was routed to signs in to /provider with a key from `python -m bot provider-key`,
sees the ticket, accepts it; the database records the acceptance as the outlet, and the customer's conversation
receives the update. A wrong key is refused with a clear message; signing out forgets the key."""

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
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.browser.conftest import PHONE, SCALE
from tests.stack import ROOT, Stack, running_stack

SCREENSHOT = ROOT / "var" / "screenshots" / "provider_portal.png"
TICKET = re.compile(r"AS-\d{8}-[A-HJ-NP-Z2-9]{6}")
TIMEOUT_MS = 30_000
UPDATE_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def stack(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("provider_portal")) as running:
        yield running


def _file_ticket(stack: Stack) -> tuple[str, str]:
    """A customer reports a fault over REST, as the web chat does; their conversation id and the ticket number."""
    sender = f"web:{uuid.uuid4().hex}"
    replies: list[dict[str, Any]] = []
    for text in ["我的格力空调不制冷了，显示E1", "北京市海淀区中关村大街27号", "13812345678", "确认"]:
        replies = stack.say(sender, text)
    found = TICKET.search("\n".join(str(r.get("text", "")) for r in replies))
    assert found, replies
    return sender, found.group()


def _issue_key(stack: Stack, outlet_code: str) -> str:
    """`python -m bot provider-key --outlet CODE` against the stack's database; the key it prints."""
    env = dict(os.environ, BOT_VAR_DIR=str(stack.var_dir))
    for name in ("DATABASE_URL", "TRACKER_DATABASE_URL"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-m", "bot", "provider-key", "--outlet", outlet_code], cwd=ROOT, env=env,
                          check=True, capture_output=True, text=True, timeout=60)
    key = done.stdout.strip()
    assert key.startswith("psk_"), done.stderr
    return key


def _open_portal(browser: Browser, stack: Stack, locale: str = "zh-CN") -> tuple[Page, list[str]]:
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=SCALE, is_mobile=True, has_touch=True, locale=locale)
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # A refused key is a 401 the page handles; Chromium still logs the response itself.
        if message.type == "error" and "status of 401" not in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{stack.service_url}/provider")
    return page, problems


def _sign_in(page: Page, key: str) -> None:
    page.locator("#api-key").fill(key)
    page.locator("#signin-button").click()


def _customer_updates(stack: Stack, sender: str, number: str) -> list[str]:
    """Poll the web chat's update feed until a message about `number` arrives (up to a minute); its texts."""
    deadline = time.monotonic() + UPDATE_TIMEOUT_S
    url = f"{stack.service_url}/chat/updates?sender={sender}&after=0"
    texts: list[str] = []
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                texts = [str(m.get("text", "")) for m in json.load(response).get("messages", [])]
        except OSError:  # the feed is not there (yet): keep asking until the deadline
            texts = []
        if any(number in text for text in texts):
            return texts
        time.sleep(1)
    raise AssertionError(f"no update about {number} reached the customer's conversation: {texts}")


@pytest.mark.slow
def test_the_outlet_accepts_in_the_portal_and_the_customer_hears_of_it(browser: Browser, stack: Stack) -> None:
    sender, number = _file_ticket(stack)
    [(outlet_code, status)] = stack.query(
        "SELECT o.code, t.status FROM tickets t JOIN outlets o ON o.id = t.assigned_outlet_id WHERE t.number = ?",
        number)
    assert status == "routed"
    key = _issue_key(stack, outlet_code)

    page, problems = _open_portal(browser, stack)
    expect(page.get_by_role("heading", name="使用网点 API 密钥登录")).to_be_visible()
    _sign_in(page, key)
    expect(page.locator("#outlet")).to_have_text(f"网点 {outlet_code}")
    assert page.evaluate("sessionStorage.getItem('aftersales.provider.key')") == key
    assert page.evaluate("localStorage.getItem('aftersales.provider.key')") is None  # never kept beyond the tab
    expect(page.get_by_role("tab", name="新工单")).to_have_attribute("aria-selected", "true")
    card = page.locator(f'.ticket[data-number="{number}"]')
    expect(card).to_be_visible()
    expect(card.locator(".badge")).to_have_text("待接单")
    card.click()

    expect(page.locator("#detail-title")).to_have_text(number)
    expect(page.locator("#detail-status")).to_have_text("待接单")
    expect(page.locator("#detail-contact-card")).to_be_hidden()  # no customer details before acceptance
    expect(page.locator("#detail-facts")).to_contain_text("空调")
    page.get_by_role("button", name="接单", exact=True).click()
    expect(page.locator("#toast")).to_have_text("已接单。")
    expect(page.locator("#detail-status")).to_have_text("已接单")
    expect(page.locator("#detail-contact")).to_contain_text("+8613812345678")
    expect(page.locator("#detail-history")).to_contain_text("本网点")
    expect(page.get_by_role("button", name="保存预约")).to_be_visible()  # what comes next
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and SCREENSHOT.stat().st_size > 20_000

    [(status,)] = stack.query("SELECT status FROM tickets WHERE number = ?", number)
    assert status == "accepted"
    [(actor,)] = stack.query(
        "SELECT e.actor FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id "
        "WHERE t.number = ? AND e.kind = 'accepted'", number)
    assert actor == f"outlet:{outlet_code}"
    texts = _customer_updates(stack, sender, number)
    assert any(number in text and ("受理" in text or "accepted" in text) for text in texts), texts

    # In English, on the accepted tab; then signing out forgets the key.
    page.get_by_role("button", name="English").click()
    expect(page.locator("#detail-status")).to_have_text("Accepted")
    page.get_by_role("button", name="← Back to the list").click()
    page.get_by_role("tab", name="Accepted").click()
    expect(page.locator(f'.ticket[data-number="{number}"] .badge')).to_have_text("Accepted")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in with your outlet's API key")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('aftersales.provider.key')") is None
    assert problems == []


@pytest.mark.slow
def test_a_wrong_key_is_refused_with_a_clear_message(browser: Browser, stack: Stack) -> None:
    page, problems = _open_portal(browser, stack, locale="en-GB")
    expect(page.get_by_role("heading", name="Sign in with your outlet's API key")).to_be_visible()
    page.locator("#signin-button").click()
    expect(page.locator("#signin-error")).to_have_text("Paste your outlet's API key.")
    _sign_in(page, "psk_" + "x" * 43)
    expect(page.locator("#signin-error")).to_have_text(
        "The key is not valid or has been revoked. Please sign in again.")
    expect(page.locator("#list-view")).to_be_hidden()
    assert page.evaluate("sessionStorage.getItem('aftersales.provider.key')") is None
    assert problems == []
