"""Returns are explained by the rules of the customer's country: 三包 in China, the Consumer Rights Act in the UK."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import tickets
from actions.runtime import Services
from bot.domain.return_policy import policy_text
from bot.services.tickets.warranty import utc_today
from tests.unit.actions_world import responses, tracker

LONDON = {"lat": 51.51, "lon": -0.13, "country": "GB", "adcode": None, "label": "London, GB"}


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
    assert responses(dispatcher) == ["return_policy"]
    message = dispatcher.messages[0]
    assert "Consumer Rights Act" in message["policy"] and "三包" not in message["policy"]
    assert "within the return window" in message["window"]  # 20 days: inside the UK's 30, past China's 7


async def test_a_chinese_customer_without_a_place_gets_sanbao(svc: Services) -> None:
    dispatcher = CollectingDispatcher()
    await tickets.ActionReturnRequest().run(dispatcher, tracker("ret-cn", {}, "我要退货", "return_refund"), {})
    assert "三包" in dispatcher.messages[0]["policy"]
