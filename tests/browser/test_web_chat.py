"""The web chat in headless Chromium on a phone-sized screen, against the whole running stack: a Chinese fault
report ends with a ticket card and a ticket in the database on the REST channel; the language switch greets in
English; a shared browser location answers the location question; hostile bot text stays text; an unreachable
Rasa is reported politely and a retry recovers."""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.conftest import PHONE, SCALE
from tests.browser.pages import open_watched
from tests.stack import Stack, running_stack

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = PROJECT_ROOT / "var" / "screenshots" / "web_chat.png"
TICKET = re.compile(r"AS-\d{8}-[A-HJ-NP-Z2-9]{6}")
REPLY_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def stack(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("web_chat")) as running:
        yield running


def _open_chat(browser: Browser, url: str, locale: str, **context: Any) -> tuple[Page, list[str]]:
    """A fresh phone-sized browser profile on the chat page; the list collects console errors and page errors."""
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=SCALE, is_mobile=True, has_touch=True,
                              locale=locale, **context)
    return open_watched(ctx, url)


def _bot_count(page: Page) -> int:
    return page.locator(".bubble-bot").count()


def _wait_for_reply(page: Page, before: int) -> str:
    """Wait until the bot has answered (more bot bubbles, typing indicator gone); the newest bot text."""
    page.wait_for_function(
        "n => document.querySelectorAll('.bubble-bot').length > n && document.getElementById('typing').hidden",
        arg=before, timeout=REPLY_TIMEOUT_MS,
    )
    return "\n".join(page.locator(".bubble-bot .bubble-text").all_inner_texts()[before:])


def _say(page: Page, text: str) -> str:
    before = _bot_count(page)
    page.get_by_role("textbox").fill(text)
    page.get_by_role("textbox").press("Enter")
    expect(page.locator(".bubble-user .bubble-text").last).to_have_text(re.compile(re.escape(text)))
    return _wait_for_reply(page, before)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.slow
def test_chinese_fault_report_ends_with_a_ticket_card_and_a_rest_ticket(browser: Browser, stack: Stack) -> None:
    page, problems = _open_chat(browser, f"{stack.service_url}/chat", "zh-CN")
    _wait_for_reply(page, 0)  # the page greets the bot on first visit and shows its welcome
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    expect(page.get_by_role("button", name="发送", exact=True)).to_be_visible()
    sender = page.evaluate("localStorage.getItem('aftersales.chat.sender')")
    assert re.fullmatch(r"web:[0-9a-f]{32}", sender), sender

    assert "哪里" in _say(page, "我的格力空调不制冷了，显示E1")  # where are you?
    assert "手机" in _say(page, "北京市海淀区中关村大街27号")
    summary = _say(page, "13812345678")
    assert "确认" in summary, summary

    confirm = page.get_by_role("button", name="确认提交")
    expect(confirm).to_be_visible()
    before = _bot_count(page)
    confirm.press("Enter")  # keyboard activation: the quick replies are real buttons
    answer = _wait_for_reply(page, before)
    expect(page.locator(".bubble-user .bubble-text").last).to_have_text("确认提交")  # the title, not the payload
    found = TICKET.search(answer)
    assert found, answer
    number = found.group()
    card = page.locator(".ticket-card").last
    expect(card).to_be_visible()
    expect(card.locator(".ticket-card-number")).to_have_text(number)
    expect(page.get_by_role("button", name="确认提交")).to_have_count(0)  # used quick replies go away

    # The page fits the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.wait_for_function(  # smooth scrolling has reached the newest message
        "() => { const log = document.getElementById('chat-log');"
        " return log.scrollHeight - log.scrollTop - log.clientHeight < 2; }")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    data = SCREENSHOT.read_bytes()
    assert _png_size(data) == (PHONE["width"] * SCALE, PHONE["height"] * SCALE)
    assert len(data) > 20_000, "the screenshot looks blank"

    [(channel, conversation_id, status)] = stack.query(
        "SELECT channel, conversation_id, status FROM tickets WHERE number = ?", number)
    assert (channel, conversation_id, status) == ("rest", sender, "routed")

    # The card's button asks for the order's status, in the customer's language.
    before = _bot_count(page)
    card.get_by_role("button", name="查询进度").click()
    expect(page.locator(".bubble-user .bubble-text").last).to_have_text(f"查询 {number}")
    status_answer = _wait_for_reply(page, before)
    assert number in status_answer and "已派单" in status_answer, status_answer

    # A reload keeps the same customer (sender id) and the conversation so far.
    page.reload()
    expect(page.locator(".ticket-card-number").first).to_have_text(number)
    assert page.evaluate("localStorage.getItem('aftersales.chat.sender')") == sender
    assert problems == [], problems
    page.context.close()


@pytest.mark.slow
def test_language_switch_to_english_greets_in_english(browser: Browser, stack: Stack) -> None:
    page, problems = _open_chat(browser, f"{stack.service_url}/chat", "zh-CN")
    _wait_for_reply(page, 0)
    expect(page.locator(".bubble-bot").first).to_contain_text("您好")
    english = page.get_by_role("button", name="English", exact=True)
    expect(english).to_have_attribute("aria-pressed", "false")

    before = _bot_count(page)
    english.click()
    greeting = _wait_for_reply(page, before)
    assert re.search(r"\bHello\b", greeting) and not re.search(r"[\u4e00-\u9fff]", greeting), greeting
    expect(english).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.get_by_role("textbox", name="Type a message")).to_have_attribute("placeholder", "Describe the problem…")
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_visible()
    assert page.evaluate("localStorage.getItem('aftersales.chat.lang')") == "en"
    assert problems == [], problems
    page.context.close()


@pytest.mark.slow
def test_shared_browser_location_answers_the_location_question(browser: Browser, stack: Stack) -> None:
    page, problems = _open_chat(browser, f"{stack.service_url}/chat?lang=en", "en-US",
                                geolocation={"latitude": 39.98312, "longitude": 116.31812},
                                permissions=["geolocation"])
    _wait_for_reply(page, 0)
    asked = _say(page, "my Samsung washing machine is leaking water")
    assert re.search(r"(?i)where are you", asked), asked

    sent: list[dict[str, object]] = []
    page.on("request", lambda r: sent.append(json.loads(r.post_data or "{}")) if r.method == "POST" else None)
    before = _bot_count(page)
    page.get_by_role("button", name="Share my location").click()
    mine = page.locator(".bubble-user .bubble-text").last
    expect(mine).to_contain_text("My location")
    expect(mine.locator("svg.pin-icon")).to_have_count(1)  # drawn: headless Chromium has no emoji font
    assert "\N{ROUND PUSHPIN}" not in mine.inner_text()
    answer = _wait_for_reply(page, before)
    assert re.search(r"(?i)phone number", answer), answer
    assert sent[-1]["metadata"] == {"location": {"latitude": 39.98312, "longitude": 116.31812}}
    assert problems == [], problems
    page.context.close()


def _fake_rasa(page: Page, replies: list[dict[str, object]]) -> None:
    def fulfil(route: Route) -> None:
        if route.request.method == "OPTIONS":
            route.fulfill(status=204, headers={"Access-Control-Allow-Origin": "*",
                                               "Access-Control-Allow-Headers": "content-type",
                                               "Access-Control-Allow-Methods": "POST"})
        else:
            route.fulfill(status=200, content_type="application/json", body=json.dumps(replies),
                          headers={"Access-Control-Allow-Origin": "*"})

    page.route("**/webhooks/rest/webhook", fulfil)


@pytest.mark.slow
def test_hostile_bot_text_is_shown_as_text(browser: Browser, stack: Stack) -> None:
    page, _ = _open_chat(browser, "about:blank", "en-US")
    hostile = '<img src=x onerror="window.pwned=1">AS-20261201-ABC234 <script>window.pwned=2</script>'
    _fake_rasa(page, [{"recipient_id": "x", "text": hostile,
                       "buttons": [{"title": "<b onclick=\"window.pwned=3\">Yes</b>", "payload": "/affirm"}]}])
    page.goto(f"{stack.service_url}/chat?lang=en")
    expect(page.locator(".bubble-bot .bubble-text").first).to_have_text(hostile)
    expect(page.get_by_role("button", name='<b onclick="window.pwned=3">Yes</b>')).to_be_visible()
    expect(page.locator(".ticket-card-number")).to_have_text("AS-20261201-ABC234")
    assert page.locator("#chat-log img, #chat-log script, #chat-log b").count() == 0
    assert page.evaluate("window.pwned === undefined")
    page.context.close()


@pytest.mark.slow
def test_unreachable_rasa_is_reported_politely_and_retry_recovers(browser: Browser, stack: Stack) -> None:
    page, _ = _open_chat(browser, "about:blank", "en-US")
    page.route("**/webhooks/rest/webhook", lambda route: route.abort("connectionrefused"))
    page.goto(f"{stack.service_url}/chat?lang=en")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Sorry, we can't reach the assistant right now", timeout=REPLY_TIMEOUT_MS)
    expect(page.locator("#chat-status-text")).to_have_text("Connection problem")
    expect(page.locator("#typing")).to_be_hidden()

    page.unroute("**/webhooks/rest/webhook")
    alert.get_by_role("button", name="Retry").click()
    _wait_for_reply(page, 0)
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("#chat-status-text")).to_have_text("Online · replies in seconds")
    page.context.close()
