"""Learning from corrections in headless Chromium, on our service with a fake Rasa (no whole stack): a supervisor
corrects the live triage's category in the console, finds the message masked in the review queue and relabels it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.sync_api import Browser, Page, expect

from bot.db.models import Base
from bot.db.session import create_async_db_engine, create_sync_engine, make_session_factory
from bot.services.agents.accounts import AgentAccountService
from bot.settings import Settings
from bot.web.app import create_app
from tests.browser.pages import open_watched
from tests.threaded_service import ThreadedService

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
CONVERSATION = "tg:5550001"
TIMESTAMP = 1_800_000_005.123456
TIMEOUT_MS = 15_000


class FakeRasa:
    """The tracker (one customer message the model was unsure of) and parse calls of the console."""

    def __init__(self) -> None:
        self.server: TestServer | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/conversations/{cid:.+}/tracker", self._tracker)
        app.router.add_post("/model/parse", self._parse)
        self.server = TestServer(app)
        await self.server.start_server()
        return str(self.server.make_url("")).rstrip("/")

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    async def _tracker(self, request: web.Request) -> web.Response:
        user = {"event": "user", "text": "我叫王小明，电话13812345678，安装师傅约好了一直不来", "timestamp": TIMESTAMP,
                "input_channel": "telegram",
                "parse_data": {"intent_ranking": [{"name": "installation_request", "confidence": 0.45}],
                               "entities": [{"entity": "language", "value": "zh"}]}}
        return web.json_response({"sender_id": request.match_info["cid"], "paused": False,
                                  "latest_input_channel": "telegram", "slots": {"language": "zh"}, "events": [user]})

    async def _parse(self, request: web.Request) -> web.Response:
        return web.json_response({"intent": {"name": "installation_request", "confidence": 0.45},
                                  "intent_ranking": [{"name": "installation_request", "confidence": 0.45}],
                                  "entities": [{"entity": "language", "value": "zh"}]})


@pytest.fixture(scope="module")
def service(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedService]:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('nlu_review') / 'service.db'}"
    engine = create_sync_engine(db_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    rasa = FakeRasa()
    holder = ThreadedService(web.Application())  # a loop for the fake Rasa (and the accounts)
    rasa_url = holder.call(rasa.start())

    async def accounts() -> None:
        async_engine = create_async_db_engine(db_url)
        try:
            await AgentAccountService(make_session_factory(async_engine)).upsert("lead", "lead password!",
                                                                                 "supervisor")
        finally:
            await async_engine.dispose()

    holder.call(accounts())
    settings = replace(Settings.from_env({"RASA_URL": rasa_url, "AGENT_SESSION_SECRET": "x" * 32}),
                       database_url=db_url, csat_dispatch_interval_s=0, webhook_interval_s=0,
                       customer_outbox_interval_s=0, extra={"SLA_SWEEP_INTERVAL_S": "0"})
    running = ThreadedService(create_app(settings))
    try:
        yield running
    finally:
        running.close()
        holder.call(rasa.close())
        holder.close()


def _page(browser: Browser, url: str) -> tuple[Page, list[str]]:
    return open_watched(browser.new_context(viewport={"width": 1366, "height": 800}, locale="zh-CN"), url)


def test_supervisor_corrects_then_relabels_in_the_review_queue(browser: Browser, service: ThreadedService) -> None:
    page, problems = _page(browser, f"{service.url}/agent?conversation={CONVERSATION}")
    page.get_by_label("用户名").fill("lead")
    page.get_by_label("密码").fill("lead password!")
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/agent/login"), timeout=TIMEOUT_MS)
    if "conversation=" not in page.url:
        page.goto(f"{service.url}/agent?conversation={CONVERSATION}")
    select = page.locator("#correct-label")
    expect(select).to_be_visible(timeout=TIMEOUT_MS)
    expect(select).to_have_value("installation_request")  # starts at the triaged category
    assert select.locator("option").count() == 11
    expect(page.locator("#review-link")).to_be_visible()
    select.select_option("complaint")
    page.wait_for_timeout(3500)  # a refresh of the console must not reset the agent's pick
    expect(select).to_have_value("complaint")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#correct-note")).to_have_text("已保存，待主管审核", timeout=TIMEOUT_MS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "console_triage_correction.png"))

    page.locator("#review-link").click()
    expect(page).to_have_url(f"{service.url}/agent/review")
    card = page.locator("article.card").first
    expect(card).to_contain_text("我叫[name]，电话[phone]", timeout=TIMEOUT_MS)
    assert "13812345678" not in page.content() and "王小明" not in page.content()
    expect(card).to_contain_text("坐席 lead: 投诉")
    page.screenshot(path=str(SCREENSHOTS / "nlu_review_queue.png"))
    card.locator("select").select_option("installation_request")
    card.locator("button[data-action=relabel]").click()
    expect(page.locator("article.card")).to_have_count(0, timeout=TIMEOUT_MS)
    expect(page.locator("#items")).to_contain_text("没有待处理的消息")

    page.locator("#status").select_option("accepted")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("article.card")).to_have_count(1, timeout=TIMEOUT_MS)
    expect(page.locator("article.card").first).to_contain_text("主管 lead: 安装")
    page.locator(".lang-switch button[data-lang=en]").click()
    expect(page.locator("article.card").first).to_contain_text("Supervisor lead: Installation")
    assert problems == [], problems
