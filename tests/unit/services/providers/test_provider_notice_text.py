"""The provider bot's group texts and buttons: both languages in one message, nothing identifying the customer, the
deadline in the outlet's time, callback data within Telegram's 64 bytes, and updates parsed with PTB."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.services.providers.notice_text import (
    MAX_SYMPTOM_CHARS,
    OUTCOMES,
    NoticeTicket,
    deadline,
    notice_text,
    outcome_answer,
    outcome_line,
)
from integrations.telegram.inbound import InvalidUpdate
from integrations.telegram.provider_bot.updates import (
    MAX_CALLBACK_DATA,
    callback_data,
    notice_keyboard,
    parse_update,
)
from tests.channels.providers.provider_bot_harness import press

NUMBER = "AS-20261201-ABCDEF"


def _ticket(**overrides: object) -> NoticeTicket:
    fields: dict[str, object] = dict(
        number=NUMBER, category="report_fault", priority="normal", brand_zh="格力", brand_en="Gree",
        product_category="air_conditioner", symptom="空调不制冷，显示E1", city="广东省深圳市", country="CN",
        accept_due_at=datetime(2026, 12, 1, 10, 30, tzinfo=timezone.utc),
    )
    fields.update(overrides)
    return NoticeTicket(**fields)  # type: ignore[arg-type]


def test_the_notice_has_both_languages_and_what_the_outlet_needs() -> None:
    text = notice_text(_ticket())
    for part in (NUMBER, "新工单", "New ticket", "故障报修", "Fault repair", "格力 空调", "Gree Air conditioner",
                 "空调不制冷，显示E1", "广东省深圳市", "2026-12-01 18:30 (UTC+8"):
        assert part in text, part
    assert "Re-routed" in notice_text(_ticket(rerouted=True))
    assert "Safety" in notice_text(_ticket(priority="safety")) and "Priority" not in text


def test_the_notice_never_shows_a_phone_number_and_cuts_a_long_symptom() -> None:
    text = notice_text(_ticket(symptom="请打 13812345678 或 +86 139 1234 5678 联系我，" + "很吵" * 400))
    assert "13812345678" not in text and "1234 5678" not in text
    symptom = next(line for line in text.splitlines() if line.startswith("故障"))
    assert len(symptom) <= len("故障 Symptom: ") + MAX_SYMPTOM_CHARS and symptom.endswith("…")


def test_missing_facts_are_shown_as_a_dash() -> None:
    text = notice_text(_ticket(brand_zh=None, brand_en=None, product_category=None, symptom=None, city=None,
                               accept_due_at=None))
    assert text.count("—") == 4


def test_the_deadline_is_beijing_time_in_china_and_utc_elsewhere() -> None:
    moment = datetime(2026, 12, 1, 20, 0, tzinfo=timezone.utc)
    assert deadline(moment, "CN").startswith("2026-12-02 04:00")
    assert deadline(moment, "DE") == "2026-12-01 20:00 (UTC)"
    assert deadline(None, "CN") == "—"


@pytest.mark.parametrize("result", sorted(OUTCOMES))
def test_outcomes_are_short_and_bilingual(result: str) -> None:
    answer = outcome_answer(result)
    assert len(answer) <= 200 and any("\u4e00" <= c <= "\u9fff" for c in answer) and any(c.isascii() for c in answer)
    assert outcome_line(result) == "" or any("\u4e00" <= c <= "\u9fff" for c in outcome_line(result))


def test_callback_data_fits_telegrams_limit() -> None:
    assert callback_data("acc", NUMBER) == f"acc:{NUMBER}"
    assert len(callback_data("rej", NUMBER).encode()) <= MAX_CALLBACK_DATA
    with pytest.raises(ValueError):
        callback_data("del", NUMBER)
    [[accept, reject]] = notice_keyboard(NUMBER)["inline_keyboard"]
    assert "Accept" in accept["text"] and "接单" in accept["text"] and reject["callback_data"] == f"rej:{NUMBER}"


def test_a_press_is_parsed_with_its_group_and_message() -> None:
    update = parse_update(press(-1001, f"acc:{NUMBER}", message_id=77, update_id=5))
    assert update.update_id == 5 and update.press is not None
    assert (update.press.action, update.press.number, update.press.chat_id, update.press.message_id,
            update.press.user_id) == ("acc", NUMBER, -1001, 77, 4242)


def test_other_updates_are_nothing_to_do_and_broken_ones_invalid() -> None:
    assert parse_update({"update_id": 9}).press is None
    assert parse_update(press(-1001, "xyz:1")).press is None
    for broken in ({}, {"update_id": True}, {"update_id": 1, "callback_query": {"id": 1}}):
        with pytest.raises(InvalidUpdate):
            parse_update(broken)
