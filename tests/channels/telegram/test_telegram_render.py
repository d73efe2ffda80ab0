"""Rendering Rasa replies for Telegram: splitting at the 4096-character limit, inline and reply keyboards."""

from __future__ import annotations

from integrations.telegram.buttons import MAX_CALLBACK_BYTES, ButtonBook
from integrations.telegram.render import (
    MAX_TEXT,
    inline_keyboard,
    language_of_reply,
    remove_keyboard,
    share_keyboard,
    split_text,
    utf16_len,
)


def test_a_short_text_is_one_part() -> None:
    assert split_text("您好！") == ["您好！"]
    assert split_text("   \n ") == []


def test_a_long_text_is_cut_at_line_breaks_within_the_limit() -> None:
    lines = [f"第{i}行：" + "好" * 50 for i in range(200)]  # ~11 000 characters
    parts = split_text("\n".join(lines))
    assert len(parts) == 3
    assert all(utf16_len(p) <= MAX_TEXT for p in parts)
    assert all(p.endswith("好") and p.startswith("第") for p in parts), "cut on a line break, not mid-line"
    assert "\n".join(parts) == "\n".join(lines)


def test_without_line_breaks_it_cuts_at_spaces_then_hard() -> None:
    words = " ".join(["word"] * 2000)  # 9999 characters, spaces only
    parts = split_text(words)
    assert all(len(p) <= MAX_TEXT and not p.startswith(" ") for p in parts)
    assert " ".join(parts) == words
    solid = "x" * (MAX_TEXT * 2 + 5)
    assert [len(p) for p in split_text(solid)] == [MAX_TEXT, MAX_TEXT, 5]


def test_the_limit_counts_utf16_units_so_emoji_count_twice() -> None:
    text = "😀" * 3000  # 6000 UTF-16 units although 3000 Python characters
    parts = split_text(text)
    assert [utf16_len(p) for p in parts] == [4096, 6000 - 4096]
    assert "".join(parts) == text


def test_buttons_become_an_inline_keyboard_with_payloads_as_callback_data() -> None:
    book = ButtonBook()
    markup = inline_keyboard([{"title": "确认提交", "payload": "/affirm"}, {"title": "修改信息", "payload": "/deny"}],
                             book.offer)
    assert markup == {"inline_keyboard": [[{"text": "确认提交", "callback_data": "/affirm"},
                                           {"text": "修改信息", "callback_data": "/deny"}]]}


def test_long_titles_get_a_row_each_and_url_buttons_stay_links() -> None:
    book = ButtonBook()
    markup = inline_keyboard([{"title": "Find a service centre", "payload": "/find_service_centre"},
                              {"title": "Manual", "url": "https://example.com/manual"}], book.offer)
    assert markup["inline_keyboard"] == [[{"text": "Find a service centre", "callback_data": "/find_service_centre"}],
                                         [{"text": "Manual", "url": "https://example.com/manual"}]]


def test_a_payload_over_64_bytes_travels_as_a_short_key_and_resolves_back() -> None:
    book = ButtonBook()
    payload = '/inform{"csat_score": "5", "product_category": "washing_machine", "note": "非常满意"}'
    assert len(payload.encode()) > MAX_CALLBACK_BYTES
    markup = inline_keyboard([{"title": "5", "payload": payload}], book.offer)
    data = markup["inline_keyboard"][0][0]["callback_data"]
    assert len(data.encode()) <= MAX_CALLBACK_BYTES and data.startswith("#")
    assert book.resolve(data) == payload


def test_share_keyboards_ask_for_the_location_or_the_phone_in_the_reply_language() -> None:
    location = share_keyboard("utter_ask_location", "zh")
    assert location is not None
    [[button]] = location["keyboard"]
    assert button["request_location"] is True and "位置" in button["text"]
    assert location["one_time_keyboard"] is True and location["resize_keyboard"] is True
    phone = share_keyboard("invalid_phone", "en")
    assert phone is not None
    [[button]] = phone["keyboard"]
    assert button["request_contact"] is True and "phone" in button["text"]
    assert share_keyboard("utter_ask_symptom", "zh") is None
    assert share_keyboard(None, "zh") is None
    assert remove_keyboard() == {"remove_keyboard": True}


def test_the_reply_language_is_chinese_when_the_text_has_han_characters() -> None:
    assert language_of_reply("请问您在哪里？") == "zh"
    assert language_of_reply("Where are you?") == "en"
