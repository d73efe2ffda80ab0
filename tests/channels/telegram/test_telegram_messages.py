"""What each kind of update does, through the served webhook: buttons and their callbacks, share keyboards for the
location and the phone, photos stored with an acknowledgement, polite refusals — and what is never logged."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.channels.telegram.telegram_harness import SECRET, Served
from tests.channels.telegram.telegram_updates import (
    callback_update,
    contact_update,
    location_update,
    photo_update,
    recorded,
    start_update,
    text_update,
)
from tests.fakes.telegram import TOKEN

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4
SUMMARY = {"text": "请确认报修信息：\n- 电话：+86******78\n确认提交吗？", "utter_action": "repair_summary",
           "buttons": [{"title": "确认提交", "payload": "/affirm"}, {"title": "修改信息", "payload": "/deny"}]}
LONG_PAYLOAD = '/inform{"csat_score": "5", "csat_ticket": "AS-20261201-ABCDEF", "comment": "师傅很专业"}'


async def test_start_greets_in_the_user_language(served: Served) -> None:
    assert await served.post(start_update(1, 601, "zh-hans")) == 200
    assert await served.post(start_update(2, 602, "en-GB")) == 200
    await served.fake.until(lambda: len(served.bot.messages) == 2)
    assert sorted(served.bot.texts) == ["hello", "你好"]


async def test_buttons_become_an_inline_keyboard_and_a_tap_goes_to_rasa(served: Served) -> None:
    served.bot.replies["13812345678"] = [SUMMARY]
    assert await served.post(text_update(3, 603, "13812345678")) == 200
    await served.fake.until(lambda: len(served.fake.recorded("sendMessage", 603)) == 1)
    [sent] = served.fake.recorded("sendMessage", 603)
    keyboard = sent.params["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in keyboard] == [["确认提交", "修改信息"]]
    assert await served.post(callback_update(4, 603, keyboard[0][0]["callback_data"])) == 200
    await served.fake.until(lambda: len(served.bot.messages) == 2)
    assert served.bot.texts[-1] == "/affirm"
    [answer] = served.fake.recorded("answerCallbackQuery")
    assert answer.params == {"callback_query_id": "cbq-4"}


async def test_a_payload_longer_than_64_bytes_still_works(served: Served) -> None:
    served.bot.replies["打分"] = [{"text": "请为服务打分", "buttons": [{"title": "5 分", "payload": LONG_PAYLOAD}]}]
    assert await served.post(text_update(5, 604, "打分")) == 200
    await served.fake.until(lambda: len(served.fake.recorded("sendMessage", 604)) == 1)
    data = served.fake.recorded("sendMessage", 604)[0].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert len(data.encode()) <= 64
    assert await served.post(callback_update(6, 604, data)) == 200
    await served.fake.until(lambda: served.bot.texts[-1] == LONG_PAYLOAD)


async def test_a_forged_callback_is_answered_but_never_reaches_rasa(served: Served) -> None:
    forged = '/inform{"phone": "+8613900000000"}'
    assert await served.post(callback_update(7, 605, forged, "zh-hans")) == 200
    await served.fake.until(lambda: len(served.fake.recorded("answerCallbackQuery")) == 1)
    [answer] = served.fake.recorded("answerCallbackQuery")
    assert "失效" in answer.params["text"]
    assert served.bot.messages == []


async def test_location_and_phone_questions_show_share_keyboards_removed_afterwards(served: Served) -> None:
    bot, fake, chat = served.bot, served.fake, 606
    bot.replies["空调坏了"] = [{"text": "请问您在哪里？", "utter_action": "utter_ask_location"}]
    bot.replies["📍"] = [{"text": "请留一个手机号码。", "utter_action": "utter_ask_phone"}]
    bot.replies["+8613812345678"] = [SUMMARY]
    assert await served.post(text_update(8, chat, "空调坏了")) == 200
    await fake.until(lambda: len(fake.recorded("sendMessage", chat)) == 1)
    [[ask_location]] = fake.recorded("sendMessage", chat)[0].params["reply_markup"]["keyboard"]
    assert ask_location["request_location"] is True

    assert await served.post(location_update(9, chat, 39.983105, 116.312171)) == 200
    await fake.until(lambda: len(fake.recorded("sendMessage", chat)) == 3, timeout_s=15)
    ack, ask_phone = fake.recorded("sendMessage", chat)[1:]
    assert ack.params["text"] == "已收到您的位置。" and ack.params["reply_markup"] == {"remove_keyboard": True}
    [[share_phone]] = ask_phone.params["reply_markup"]["keyboard"]
    assert share_phone["request_contact"] is True
    located = bot.messages[-1]
    assert located.text == "📍" and located.metadata == {"location": {"latitude": 39.983105, "longitude": 116.312171}}

    assert await served.post(contact_update(10, chat, "8613812345678")) == 200
    await fake.until(lambda: len(fake.recorded("sendMessage", chat)) == 5, timeout_s=15)
    ack, summary = fake.recorded("sendMessage", chat)[3:]
    assert ack.params["text"] == "已收到您的电话号码。" and ack.params["reply_markup"] == {"remove_keyboard": True}
    assert "inline_keyboard" in summary.params["reply_markup"]
    assert bot.texts[-1] == "+8613812345678"


async def test_a_plain_reply_removes_a_share_keyboard_the_user_typed_past(served: Served) -> None:
    served.bot.replies["修空调"] = [{"text": "Where are you?", "utter_action": "utter_ask_location"}]
    assert await served.post(text_update(11, 607, "修空调", "en")) == 200
    assert await served.post(text_update(12, 607, "Shanghai Pudong", "en")) == 200
    await served.fake.until(lambda: len(served.fake.recorded("sendMessage", 607)) == 2, timeout_s=15)
    first, second = served.fake.recorded("sendMessage", 607)
    assert "Share my location" in first.params["reply_markup"]["keyboard"][0][0]["text"]
    assert second.params["reply_markup"] == {"remove_keyboard": True}


async def test_a_photo_is_stored_for_the_conversation_and_acknowledged(served: Served) -> None:
    served.fake.files["photo-1"] = JPEG
    assert await served.post(photo_update(13, 608, "photo-1")) == 200
    await served.fake.until(lambda: len(served.fake.texts(608)) == 1)
    assert served.fake.texts(608) == ["照片已收到，会附在您的服务单上。"]
    [(channel, conversation, mime, size, path)] = served.query(
        "SELECT channel, conversation_id, mime, size_bytes, path FROM attachments")
    assert (channel, conversation, mime, size) == ("telegram", "tg:608", "image/jpeg", len(JPEG))
    assert (Path(served.channel._settings.media_dir) / path).read_bytes() == JPEG
    assert served.bot.messages == [], "a photo without a caption does not disturb the conversation"


async def test_a_photo_caption_goes_to_rasa_after_the_acknowledgement(served: Served) -> None:
    served.fake.files["photo-2"] = JPEG
    assert await served.post(photo_update(14, 609, "photo-2", caption="显示E1", language="en")) == 200
    await served.fake.until(lambda: len(served.fake.texts(609)) == 2, timeout_s=15)
    assert served.fake.texts(609)[0].startswith("Thanks, we've got your photo")
    assert served.bot.texts == ["显示E1"]


async def test_a_photo_too_big_or_not_an_image_gets_a_polite_answer(served: Served) -> None:
    assert await served.post(photo_update(15, 610, "huge", file_size=25 * 1024 * 1024)) == 200
    served.fake.files["fake-photo"] = b"%PDF-1.7 not a photo"
    assert await served.post(photo_update(16, 611, "fake-photo", language="en")) == 200
    assert await served.post(photo_update(17, 612, "vanished")) == 200  # getFile has no path for it
    await served.fake.until(lambda: all(served.fake.texts(c) for c in (610, 611, 612)))
    assert "太大" in served.fake.texts(610)[0]
    assert "only accept photos" in served.fake.texts(611)[0]
    assert "没能保存" in served.fake.texts(612)[0]
    assert [c.params["file_id"] for c in served.fake.recorded("getFile")] != [] and not [
        c for c in served.fake.recorded("getFile") if c.params["file_id"] == "huge"], "declared too big: not fetched"
    assert served.query("SELECT count(*) FROM attachments") == [(0,)]


async def test_unreadable_messages_get_a_polite_answer(served: Served) -> None:
    assert await served.post(recorded("sticker")) == 200
    assert await served.post(recorded("document")) == 200
    await served.fake.until(lambda: len(served.fake.texts(7002)) == 2, timeout_s=15)
    assert served.fake.texts(7002) == ["Sorry, I can only handle text, photos, locations and contacts for now.",
                                       "Sorry, I can only accept photos (JPEG, PNG, WebP or GIF)."]
    assert served.bot.messages == []


async def test_a_failing_bot_api_does_not_break_the_turn(served: Served) -> None:
    served.fake.failures["sendMessage"] = [{"ok": False, "error_code": 403,
                                            "description": "Forbidden: bot was blocked by the user"}]
    assert await served.post(text_update(18, 613, "第一条")) == 200
    assert await served.post(text_update(19, 613, "第二条")) == 200
    await served.fake.until(lambda: len(served.fake.recorded("sendMessage", 613)) == 2, timeout_s=15)
    assert served.bot.texts == ["第一条", "第二条"]


async def test_flood_control_is_honoured_and_the_message_still_delivered(served: Served) -> None:
    served.fake.failures["sendMessage"] = [{"ok": False, "error_code": 429, "description": "Too Many Requests",
                                            "parameters": {"retry_after": 1}}]
    assert await served.post(text_update(20, 614, "你好")) == 200
    await served.fake.until(lambda: len(served.fake.recorded("sendMessage", 614)) == 2, timeout_s=15)
    first, second = served.fake.recorded("sendMessage", 614)
    assert second.at - first.at >= 0.95 and first.params == second.params


async def test_logs_hold_no_token_text_phone_or_location(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    served.fake.files["photo-3"] = JPEG
    served.fake.failures["sendMessage"] = [{"ok": False, "error_code": 400, "description": "Bad Request"}]
    served.bot.replies["空调漏水"] = [{"text": "请问您在哪里？", "utter_action": "utter_ask_location"}]
    secrets = ["空调漏水", "13812345678", "39.983105", "116.312171", TOKEN, TOKEN.split(":")[1], SECRET,
               "显示E1", "请问您在哪里"]
    for update in (text_update(21, 615, "空调漏水"), location_update(22, 615, 39.983105, 116.312171),
                   contact_update(23, 615, "+8613812345678"), photo_update(24, 615, "photo-3", caption="显示E1"),
                   callback_update(25, 615, "/forged")):
        assert await served.post(update) == 200
    assert await served.post(text_update(26, 615, "x"), secret="wrong") == 403
    await served.fake.until(lambda: len(served.bot.messages) == 4, timeout_s=20)
    await served.fake.until(lambda: len(served.fake.recorded("sendMessage", 615)) == 7, timeout_s=20)
    # Everything this process logged, except the fake Bot API's own access log (it is "Telegram's" log, not ours).
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records if r.name != "aiohttp.access")
    assert "telegram.update_queued" in logged and "telegram.send_failed" in logged
    for secret in secrets:
        assert secret not in logged, secret
