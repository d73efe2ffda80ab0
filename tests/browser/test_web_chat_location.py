"""The web chat's shared location in headless Chromium, which has no emoji font here, against our service alone (Rasa's
REST webhook is answered inside the browser): the share-location button and the bubbles draw an SVG pin where the
pin emoji would be an empty box; the button keeps its label in both languages; the bot still gets the emoji."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

from bot.db.models import Base
from bot.db.session import create_sync_engine
from bot.settings import Settings
from bot.web.app import create_app
from tests.browser.conftest import PHONE
from tests.fakes.rasa import closed_port_url
from tests.threaded_service import ThreadedService

PIN_EMOJI = "\N{ROUND PUSHPIN}"
HERE = {"latitude": 39.98312, "longitude": 116.31812}
CONFIRMATION = f"Please check your repair request:\n- Location: {PIN_EMOJI} 39.98312, 116.31812\nSubmit it?"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ThreadedService]:
    db_url = f"sqlite:///{tmp_path / 'chat.db'}"
    engine = create_sync_engine(db_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    extra = {"SLA_SWEEP_INTERVAL_S": "0", "CHAT_RASA_URL": "http://127.0.0.1:9"}
    settings = replace(Settings.from_env({"RASA_URL": closed_port_url()}), database_url=db_url,
                       csat_dispatch_interval_s=0, webhook_interval_s=0, customer_outbox_interval_s=0, extra=extra)
    running = ThreadedService(create_app(settings))
    try:
        yield running
    finally:
        running.close()


def _fake_rasa(page: Page, sent: list[dict[str, Any]]) -> None:
    """Rasa, answering a shared location with the confirmation that repeats it back; records what it was sent."""
    headers = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "content-type",
               "Access-Control-Allow-Methods": "POST"}

    def fulfil(route: Route) -> None:
        if route.request.method == "OPTIONS":
            route.fulfill(status=204, headers=headers)
            return
        body = json.loads(route.request.post_data or "{}")
        sent.append(body)
        replies = [{"recipient_id": body["sender"], "text": CONFIRMATION}] if body.get("metadata") else []
        route.fulfill(status=200, content_type="application/json", body=json.dumps(replies), headers=headers)

    page.route("**/webhooks/rest/webhook", fulfil)


def _assert_drawn_pin(node: Locator) -> None:
    """`node` shows the SVG pin, with a size, and no emoji anywhere in its text."""
    icon = node.locator("svg").first
    expect(icon).to_be_visible()
    box = icon.bounding_box()
    assert box is not None and box["width"] >= 10 and box["height"] >= 10, box
    assert PIN_EMOJI not in node.inner_text()


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "label"), [("zh", "分享我的位置"), ("en", "Share my location")])
def test_the_share_location_button_draws_its_pin_and_keeps_its_label(
    browser: Browser, service: ThreadedService, lang: str, label: str
) -> None:
    page = browser.new_page(viewport=PHONE)
    _fake_rasa(page, [])
    page.goto(f"{service.url}/chat?lang={lang}")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    button = page.get_by_role("button", name=label, exact=True)
    expect(button).to_have_attribute("title", label)
    _assert_drawn_pin(button)
    assert button.inner_text().strip() == ""
    page.close()


@pytest.mark.slow
def test_a_shared_location_shows_the_drawn_pin_in_the_bubbles(browser: Browser, service: ThreadedService) -> None:
    context = browser.new_context(viewport=PHONE, locale="en-US", geolocation=HERE, permissions=["geolocation"])
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    sent: list[dict[str, Any]] = []
    _fake_rasa(page, sent)
    page.goto(f"{service.url}/chat?lang=en")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)

    page.get_by_role("button", name="Share my location").click()
    mine = page.locator(".bubble-user .bubble-text").last
    expect(mine).to_have_text("My location (39.98312, 116.31812)", use_inner_text=True)
    _assert_drawn_pin(mine)
    answer = page.locator(".bubble-bot .bubble-text").last
    expect(answer).to_contain_text("Location: 39.98312, 116.31812")
    _assert_drawn_pin(answer)
    # The bot is told in the channels' own words: the emoji, then the coordinates (also in the metadata).
    assert sent[-1]["message"] == f"{PIN_EMOJI} 39.98312, 116.31812"
    assert sent[-1]["metadata"] == {"location": HERE}

    page.reload()  # the transcript comes back from the session's storage, drawn the same way
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    _assert_drawn_pin(page.locator(".bubble-user .bubble-text").last)
    _assert_drawn_pin(page.locator(".bubble-bot .bubble-text").last)
    assert problems == [], problems
    context.close()
