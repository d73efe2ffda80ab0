"""Returns are explained by the rules of the customer's country: 三包 in China, the Consumer Rights Act in the UK."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import tickets, warranty
from actions.runtime import Services
from bot.db.models import Brand, ProductModel
from bot.domain.return_policy import policy_text
from bot.domain.warranty import DEFAULT_WARRANTY_MONTHS
from bot.services.tickets.warranty import utc_today
from tests.unit.actions_world import responses, tracker

LONDON = {"lat": 51.51, "lon": -0.13, "country": "GB", "adcode": None, "label": "London, GB"}
ROOT = Path(__file__).resolve().parents[3]


def rendered(message: dict[str, Any], language: str) -> str:
    """The text the customer reads: the domain's variation for `language`, filled with the message's values."""
    variations = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"][message["response"]]
    english = [v for v in variations if v.get("condition") == [{"type": "slot", "name": "language", "value": "en"}]]
    chosen = english[0] if language == "en" else next(v for v in variations if not v.get("condition"))
    return str(chosen["text"]).format(**{k: v for k, v in message.items() if isinstance(v, str)})


@pytest.mark.parametrize(("country", "language", "says", "never"), [
    ("CN", "zh", "三包", "Consumer Rights"),
    ("GB", "en", "Consumer Rights Act 2015", "三包"),
    ("GB", "en", "within 30 days", "7 days"),
    ("DE", "zh", "24个月", "三包"),
    ("US", "en", "seller's policy", "三包"),
    (None, "en", "seller's policy", "三包"),
])
def test_the_policy_is_the_countrys(country: str | None, language: str, says: str, never: str) -> None:
    text = policy_text(country, language)
    assert says in text and never not in text


async def test_a_uk_refund_request_is_answered_with_uk_rules(svc: Services) -> None:
    bought = (utc_today() - timedelta(days=20)).isoformat()
    dispatcher = CollectingDispatcher()
    slots = {"language": "en", "geo": LONDON, "purchase_date": bought}
    uk = tracker("ret-uk", slots, "I want a refund", "return_refund")
    await tickets.ActionReturnRequest().run(dispatcher, uk, {})
    assert responses(dispatcher) == ["return_policy_return_window"]
    message = dispatcher.messages[0]
    assert "Consumer Rights Act" in message["policy"] and "三包" not in message["policy"]
    assert "within the return window" in rendered(message, "en")  # 20 days: inside the UK's 30, past China's 7


async def test_a_chinese_customer_without_a_place_gets_sanbao(svc: Services) -> None:
    dispatcher = CollectingDispatcher()
    await tickets.ActionReturnRequest().run(dispatcher, tracker("ret-cn", {}, "我要退货", "return_refund"), {})
    assert "三包" in dispatcher.messages[0]["policy"]


#: The sentence each answer adds about the purchase's dates (before the texts moved to domain.yml, the action
#: filled them into `return_policy` as `{window}`).
WINDOWS = {
    "return_policy": ("", ""),
    "return_policy_return_window": ("Your purchase is within the return window. ", "您的购买时间仍在退货期内。"),
    "return_policy_exchange_window": ("Your purchase is past the return window but within the exchange window. ",
                                      "您的购买时间已过退货期，但仍在换货期内。"),
    "return_policy_windows_passed": (
        "Your purchase is past the return and exchange windows; a repair under warranty applies. ",
        "您的购买时间已过退换货期，可享受保修期内维修。"),
}


@pytest.mark.parametrize("response", sorted(WINDOWS))
@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_answers_read_word_for_word_as_before(response: str, language: str) -> None:
    message = {"response": response, "policy": "POLICY", "ticket_number": "AS-20250101-ABCDEF"}
    en, zh = WINDOWS[response]
    before = {
        "en": f"POLICY {en}I have opened return request AS-20250101-ABCDEF; a service agent will check the product "
              "and contact you.",
        "zh": f"POLICY{zh}已为您创建退换货申请 AS-20250101-ABCDEF，客服核实后会与您联系。",
    }
    assert rendered(message, language) == before[language]


@pytest.mark.parametrize(("days", "response"), [(3, "return_policy_return_window"),
                                                 (10, "return_policy_exchange_window"),
                                                 (40, "return_policy_windows_passed")])
async def test_a_chinese_purchase_is_placed_in_its_window(svc: Services, days: int, response: str) -> None:
    dispatcher = CollectingDispatcher()
    bought = (utc_today() - timedelta(days=days)).isoformat()
    await tickets.ActionReturnRequest().run(
        dispatcher, tracker(f"ret-cn-{days}", {"purchase_date": bought}, "我要退货", "return_refund"), {})
    assert responses(dispatcher) == [response] and "三包" in dispatcher.messages[0]["policy"]


async def test_a_known_models_own_warranty_decides_and_an_unknown_one_keeps_the_default(svc: Services) -> None:
    async with svc.sessions() as session:
        model, months = (await session.execute(
            select(ProductModel.code, ProductModel.warranty_months).join(Brand, Brand.id == ProductModel.brand_id)
            .where(Brand.code == "gree").order_by(ProductModel.warranty_months.desc()).limit(1))).one()
    bought = utc_today() - timedelta(days=3)
    for code, expected, assumed in ((model, max(months, 12), False), ("NOPE-1", DEFAULT_WARRANTY_MONTHS, True)):
        said = tracker("ret-model", {"brand": "gree", "product_model": code, "purchase_date": bought.isoformat()})
        decision, was_assumed = await warranty.coverage(svc, said, bought, "CN")
        assert was_assumed is assumed and f"warranty_months:{expected}" in decision.reasons
        dispatcher = CollectingDispatcher()
        await tickets.ActionReturnRequest().run(dispatcher, said, {})
        assert responses(dispatcher) == ["return_policy_return_window"]
