"""The web chat's polling of `/chat/updates` in headless Chromium, against our service alone (Rasa's REST webhook is
answered inside the browser): an agent's message appears as a bot bubble, as text, once, and survives a reload."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from bot.db.models import Base
from bot.db.session import create_async_db_engine, create_sync_engine, make_session_factory
from bot.services.customers.outbox import CustomerOutbox
from bot.services.handoff.service import HandoffService
from bot.settings import Settings
from bot.web.app import create_app
from tests.fakes.rasa import closed_port_url
from tests.threaded_service import ThreadedService

T = TypeVar("T")
POLL_TIMEOUT_MS = 15_000


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[ThreadedService, str]]:
    db_url = f"sqlite:///{tmp_path / 'chat.db'}"
    engine = create_sync_engine(db_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    settings = replace(Settings.from_env({"RASA_URL": closed_port_url(), "CHAT_RASA_URL": "http://127.0.0.1:9"}),
                       database_url=db_url, csat_dispatch_interval_s=0, webhook_interval_s=0,
                       customer_outbox_interval_s=0, extra={"SLA_SWEEP_INTERVAL_S": "0",
                                                            "CHAT_RASA_URL": "http://127.0.0.1:9"})
    running = ThreadedService(create_app(settings))
    try:
        yield running, db_url
    finally:
        running.close()


async def _agent_says(db_url: str, sender: str, text: str) -> None:
    """An agent who took over the conversation writes to the customer."""
    engine = create_async_db_engine(db_url)
    try:
        sessions = make_session_factory(engine)
        await HandoffService(sessions).open(sender, "rest", "zh", "requested", "要人工")
        await CustomerOutbox(sessions, None).enqueue_agent_message(sender, text, "li.na")
    finally:
        await engine.dispose()


def _quiet_rasa(route: Route) -> None:
    headers = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "content-type",
               "Access-Control-Allow-Methods": "POST"}
    if route.request.method == "OPTIONS":
        route.fulfill(status=204, headers=headers)
    else:
        route.fulfill(status=200, content_type="application/json", body=json.dumps([]), headers=headers)


def _chat_as(browser: Browser, sender: str) -> tuple[BrowserContext, Page]:
    """A Chinese-language browser whose web chat uses `sender` as its id."""
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(f"window.localStorage.setItem('aftersales.chat.sender', '{sender}');")
    return context, context.new_page()


@pytest.mark.slow
def test_an_agents_message_is_polled_into_the_chat(browser: Browser, service: tuple[ThreadedService, str]) -> None:
    running, db_url = service
    sender = f"web:{uuid.uuid4().hex}"
    context, page = _chat_as(browser, sender)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.route("**/webhooks/rest/webhook", _quiet_rasa)
    page.goto(f"{running.url}/chat")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)

    hostile = '您好，我是客服小李。<img src=x onerror="window.pwned=1"> 服务单 AS-20261201-ABC234'
    running.call(_agent_says(db_url, sender, hostile))
    bubble = page.locator(".bubble-bot .bubble-text")
    expect(bubble).to_have_text([hostile], timeout=POLL_TIMEOUT_MS)
    expect(page.locator(".ticket-card-number")).to_have_text("AS-20261201-ABC234")
    assert page.locator("#chat-log img").count() == 0 and page.evaluate("window.pwned === undefined")
    stored = page.evaluate("localStorage.getItem('aftersales.chat.updates')")
    assert stored.startswith(sender + " ")

    page.reload()  # the transcript comes back from the session; the cursor keeps it from being shown twice
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    page.wait_for_timeout(6_000)  # more than one polling interval
    expect(bubble).to_have_text([hostile])
    assert problems == [], problems
    context.close()


async def _rating_asked(db_url: str, sender: str) -> None:
    """The CSAT dispatcher asked for a rating of the customer's resolved ticket (the question Rasa collected)."""
    from bot.db.models import Ticket
    from bot.services.handoff.csat import CsatService

    engine = create_async_db_engine(db_url)
    try:
        sessions = make_session_factory(engine)
        async with sessions() as session, session.begin():
            session.add(Ticket(number="AS-20261201-RATE22", idempotency_key=f"k-{sender}", category="report_fault",
                               status="resolved", channel="rest", language="zh", conversation_id=sender))
        await CsatService(sessions).record_question("AS-20261201-RATE22", "您的服务单已处理完成。请为本次服务打分。")
    finally:
        await engine.dispose()


@pytest.mark.slow
def test_a_rating_question_is_polled_with_its_buttons(browser: Browser, service: tuple[ThreadedService, str]) -> None:
    running, db_url = service
    sender = f"web:{uuid.uuid4().hex}"
    context, page = _chat_as(browser, sender)
    sent: list[dict[str, str]] = []

    def rasa(route: Route) -> None:
        if route.request.method == "POST":
            sent.append(json.loads(route.request.post_data or "{}"))
        _quiet_rasa(route)

    page.route("**/webhooks/rest/webhook", rasa)
    page.goto(f"{running.url}/chat")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    running.call(_rating_asked(db_url, sender))
    buttons = page.locator(".quick-replies .quick-reply")
    expect(buttons).to_have_text(["1分", "2分", "3分", "4分", "5分"], timeout=POLL_TIMEOUT_MS)
    buttons.nth(3).click()
    page.wait_for_function("document.querySelectorAll('.quick-replies').length === 0")
    assert [m.get("message") for m in sent if m.get("message", "").startswith("/")] == ['/inform{"csat_score": "4"}']
    context.close()
