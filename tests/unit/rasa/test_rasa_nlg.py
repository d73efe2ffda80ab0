"""The bot's response generator: traditional Chinese for customers who write it; no false interpolation errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from structlog.testing import capture_logs

from bot.nlu.text.script import conversation_script, script_of, to_traditional
from bot.rasa_nlg import CustomerResponses

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def _tracker(domain: Domain, *texts: str, language: str = "zh") -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events("c-1", [], slots=domain.slots)
    for text in texts:
        tracker.update(UserUttered(text, {"name": "report_fault", "confidence": 1.0}))
    tracker.update(SlotSet("language", language))
    return tracker


@pytest.mark.parametrize(("text", "script"), [
    ("我的手機壞了", "hant"), ("我的手机坏了", "hans"), ("你好", None), ("ok", None), ("", None), (None, None),
    ("華為 P60 Pro 螢幕碎了", "hant"), ("😀😀", None),
])
def test_a_message_tells_its_script_or_not(text: str | None, script: str | None) -> None:
    assert script_of(text) == script


def test_the_newest_telling_message_decides() -> None:
    assert conversation_script(["好的", "ok", "冷氣機不冷了", "空调不冷"]) == "hant"
    assert conversation_script(["空调不冷", "冷氣機不冷了"]) == "hans"
    assert conversation_script(["ok", "好的"]) is None
    assert to_traditional("服务单 AS-20261201-ABCDEF 已创建") == "服務單 AS-20261201-ABCDEF 已創建"
    assert to_traditional("Order AS-1 created") == "Order AS-1 created"


async def test_a_customer_writing_traditional_is_answered_in_traditional(domain: Domain) -> None:
    nlg = CustomerResponses(domain=domain)
    tracker = _tracker(domain, "我的冷氣機壞了", "ok")  # the latest message tells nothing: the script stays
    response = await nlg.generate("utter_ask_product_category", tracker, "rest")
    assert response is not None
    assert "產品" in response["text"] or "類" in response["text"]
    assert all(b["payload"].startswith("/inform{") for b in response["buttons"])
    simplified = await nlg.generate("utter_ask_product_category", _tracker(domain, "我的空调坏了"), "rest")
    assert simplified is not None and simplified["text"] != response["text"]
    assert [b["payload"] for b in simplified["buttons"]] == [b["payload"] for b in response["buttons"]]


async def test_english_is_never_converted(domain: Domain) -> None:
    nlg = CustomerResponses(domain=domain)
    response = await nlg.generate("utter_ask_product_category", _tracker(domain, "手機 broken", language="en"), "rest")
    assert response is not None and response["text"].startswith("What kind of product")


async def test_button_payloads_are_not_templates(domain: Domain) -> None:
    """Product buttons used to log six `interpolator` ERRORs with tracebacks each time they were shown (Rasa logs
    them through structlog, which `capture_logs` sees)."""
    nlg = CustomerResponses(domain=domain)
    with capture_logs() as logs:
        response = await nlg.generate("utter_ask_product_category", _tracker(domain, "手机坏了"), "rest")
        filled = await nlg.generate("ask_csat", _tracker(domain, "好"), "rest", ticket_number="AS-20261201-ABCDEF")
    assert response is not None and response["buttons"][0]["payload"] == '/inform{"product_category": "phone"}'
    assert filled is not None and "AS-20261201-ABCDEF" in filled["text"]
    assert filled["buttons"][4]["payload"] == '/inform{"csat_score": "5"}'
    assert [entry for entry in logs if entry.get("log_level") in ("error", "critical", "exception")] == []


async def test_the_stock_generator_did_log_them(domain: Domain) -> None:
    """The check above can fail: Rasa's own generator logs the false interpolation errors for the same buttons."""
    with capture_logs() as logs:
        await TemplatedNaturalLanguageGenerator(domain.responses).generate(
            "utter_ask_product_category", _tracker(domain, "手机坏了"), "rest"
        )
    assert any(entry.get("event") == "interpolator.interpolate.text" for entry in logs)
