"""End to end: the whole stack (`run-all`) with the Telegram channel in its credentials, talking to a fake Bot API
server in this test process. A customer reports a fault in Chinese through Telegram — text, a photo, the location
shared as a location, the phone as a contact, the confirmation by an inline button — and gets a ticket; forged and
replayed deliveries change nothing."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.channels.telegram.telegram_harness import SECRET, WEBHOOK_PATH
from tests.channels.telegram.telegram_updates import (
    callback_update,
    contact_update,
    location_update,
    photo_update,
    start_update,
    text_update,
)
from tests.fakes.telegram import TOKEN, FakeTelegram
from tests.stack import Stack, running_stack

TICKET = re.compile(r"AS-\d{8}-[A-HJ-NP-Z2-9]{6}")
CREDENTIALS = "rest:\nintegrations.telegram.channel.TelegramInput:\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8
CHAT = 880001
TURN_S = 90.0


@dataclass
class TelegramStack:
    stack: Stack
    fake: FakeTelegram

    def deliver(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        """POST an update to the channel's webhook as Telegram does; the HTTP status."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        request = urllib.request.Request(self.stack.rasa_url + WEBHOOK_PATH, data=json.dumps(update).encode(),
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        """sendMessage parameters to a chat, in order."""
        return [call.params for call in self.fake.recorded("sendMessage", chat_id)]

    def reply_after(self, update: dict[str, Any], chat_id: int, done: Any) -> list[dict[str, Any]]:
        """Deliver `update` and wait until `done(new messages)` holds; the new messages."""
        before = len(self.sent(chat_id))
        assert self.deliver(update) == 200
        self.fake.wait_for(lambda: bool(done(self.sent(chat_id)[before:])), TURN_S)
        return self.sent(chat_id)[before:]


@pytest.fixture(scope="module")
def telegram(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TelegramStack]:
    fake = FakeTelegram()
    fake.files["fault-photo"] = JPEG
    with fake.run_in_thread() as base_url:
        env = {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_SECRET_TOKEN": SECRET, "TELEGRAM_API_BASE_URL": base_url,
               "TELEGRAM_MODE": "webhook"}
        with running_stack(tmp_path_factory.mktemp("telegram"), env=env, credentials=CREDENTIALS) as stack:
            yield TelegramStack(stack, fake)


def _keyboard(message: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [button for row in markup.get(kind, []) for button in row]


@pytest.mark.slow
def test_the_channel_is_up(telegram: TelegramStack) -> None:
    with urllib.request.urlopen(telegram.stack.rasa_url + "/webhooks/telegram/", timeout=10) as response:
        assert json.load(response) == {"status": "ok", "mode": "webhook"}


@pytest.mark.slow
def test_a_fault_report_in_chinese_through_telegram_ends_with_a_ticket(telegram: TelegramStack) -> None:
    has = lambda pattern: lambda new: any(re.search(pattern, m["text"]) for m in new)  # noqa: E731

    greeting = telegram.reply_after(start_update(900001, CHAT, "zh-hans"), CHAT, has(r"售后"))
    assert re.search(r"[\u4e00-\u9fff]", greeting[0]["text"])

    asked = telegram.reply_after(text_update(900002, CHAT, "我的格力空调不制冷了，显示E1"), CHAT, has("在哪里"))
    [share_location] = _keyboard(asked[-1], "keyboard")
    assert share_location["request_location"] is True

    acked = telegram.reply_after(photo_update(900003, CHAT, "fault-photo"), CHAT, has("照片已收到"))
    assert acked[-1]["text"] == "照片已收到，会附在您的服务单上。"

    asked = telegram.reply_after(location_update(900004, CHAT, 39.983105, 116.312171), CHAT, has("手机号码"))
    assert asked[0]["text"] == "已收到您的位置。" and asked[0]["reply_markup"] == {"remove_keyboard": True}
    [share_phone] = _keyboard(asked[-1], "keyboard")
    assert share_phone["request_contact"] is True

    summary = telegram.reply_after(contact_update(900005, CHAT, "+8613812345678"), CHAT, has("确认提交吗"))
    assert summary[0]["text"] == "已收到您的电话号码。" and summary[0]["reply_markup"] == {"remove_keyboard": True}
    assert "13812345678" not in summary[-1]["text"], "the summary masks the phone number"
    [confirm] = [b for b in _keyboard(summary[-1], "inline_keyboard") if b["text"] == "确认提交"]

    done = telegram.reply_after(callback_update(900006, CHAT, confirm["callback_data"]), CHAT,
                                lambda new: any(TICKET.search(m["text"]) for m in new))
    number = next(TICKET.search(m["text"]) for m in done if TICKET.search(m["text"])).group()  # type: ignore[union-attr]
    assert [c.params["callback_query_id"] for c in telegram.fake.recorded("answerCallbackQuery")] == ["cbq-900006"]

    [(ticket_id, channel, conversation, status)] = telegram.stack.query(
        "SELECT id, channel, conversation_id, status FROM tickets WHERE number = ?", number)
    assert (channel, conversation, status) == ("telegram", f"tg:{CHAT}", "routed")
    [(phone,)] = telegram.stack.query("SELECT c.phone_e164 FROM tickets t JOIN customers c ON c.id = t.customer_id "
                                      "WHERE t.id = ?", ticket_id)
    assert phone == "+8613812345678"
    [(attached_to, mime)] = telegram.stack.query(
        "SELECT ticket_id, mime FROM attachments WHERE conversation_id = ?", f"tg:{CHAT}")
    assert (attached_to, mime) == (ticket_id, "image/jpeg"), "the photo sent during the conversation is attached"

    # Telegram retries the confirmation's delivery: acknowledged, not processed again.
    calls_before = len(telegram.fake.recorded())
    assert telegram.deliver(callback_update(900006, CHAT, confirm["callback_data"])) == 200
    time.sleep(3)
    assert len(telegram.fake.recorded()) == calls_before, "a replay sends nothing and answers no callback"
    assert telegram.stack.query("SELECT count(*) FROM tickets WHERE conversation_id = ?", f"tg:{CHAT}") == [(1,)]


@pytest.mark.slow
def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_processed(telegram: TelegramStack) -> None:
    chat = 880002
    update = text_update(910001, chat, "你好")
    assert telegram.deliver(update, secret=None) == 403
    assert telegram.deliver(update, secret="not-the-secret") == 403
    assert telegram.stack.query("SELECT count(*) FROM channel_updates WHERE update_key = '910001'") == [(0,)]
    time.sleep(3)
    assert telegram.sent(chat) == []
    # The genuine delivery of the same update is then processed normally.
    greeting = telegram.reply_after(update, chat, lambda new: len(new) >= 1)
    assert re.search(r"[\u4e00-\u9fff]", greeting[0]["text"])
