"""From an accepted push to Rasa (a recording stand-in for Rasa's handler) and to the fake WeChat: texts, digit
replies to the last menu, shared locations, subscriptions, menu clicks, photos stored, replays processed once,
and no openids, texts, tokens or coordinates in the logs."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from sqlalchemy import text

from bot.settings import Settings
from integrations.common.runtime import SharedRuntime
from integrations.wechat.inbound import parse_inbound
from integrations.wechat.processor import InboundProcessor
from integrations.wechat.runtime import WeChatRuntime
from tests.fakes.wechat import FakeWeChat, event_xml, image_xml, location_xml, text_xml, voice_xml

OPENID = "oWeChatUser_001"
SUMMARY_BUTTONS = [{"title": "确认提交", "payload": "/affirm"}, {"title": "修改信息", "payload": "/deny"}]


class FakeRasa:
    """Records the messages Rasa would get and answers each with a scripted response."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []
        self.reply: dict[str, Any] = {"text": "收到"}

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        assert message.output_channel is not None
        await message.output_channel.send_response(message.sender_id, dict(self.reply))


@dataclasses.dataclass
class Harness:
    processor: InboundProcessor
    runtime: WeChatRuntime
    rasa: FakeRasa
    fake: FakeWeChat

    async def push(self, xml: str) -> bool:
        accepted = await self.processor.accept(parse_inbound(xml))
        await self.runtime.lanes.drain(10)
        return accepted


@pytest.fixture
async def harness(db_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    fake = FakeWeChat()
    await fake.start()
    settings = Settings(database_url=db_url, tracker_database_url=db_url, var_dir=tmp_path, wechat_token="t",
                        wechat_app_id=fake.app_id, wechat_app_secret=fake.app_secret,
                        wechat_api_base_url=fake.base_url)
    runtime = WeChatRuntime.open(settings, SharedRuntime(settings))
    rasa = FakeRasa()
    processor = InboundProcessor(rasa, runtime)
    yield Harness(processor, runtime, rasa, fake)
    await runtime.close()
    await fake.close()


async def test_text_goes_to_rasa_as_the_wechat_conversation(harness: Harness) -> None:
    assert await harness.push(text_xml(OPENID, "我的格力空调不制冷了", 1))
    [message] = harness.rasa.messages
    expected = ("我的格力空调不制冷了", f"wx:{OPENID}", "wechat")
    assert (message.text, message.sender_id, message.input_channel) == expected
    assert harness.fake.texts_to(OPENID) == ["收到"]  # the reply went through customer-service send


async def test_a_digit_reply_maps_to_the_button_of_the_last_menu(harness: Harness) -> None:
    harness.rasa.reply = {"text": "请确认报修信息：\n确认提交吗？", "buttons": SUMMARY_BUTTONS}
    await harness.push(text_xml(OPENID, "13812345678", 1))
    assert harness.fake.texts_to(OPENID)[-1].endswith("1. 确认提交\n2. 修改信息\n回复数字选择")
    harness.rasa.reply = {"text": "服务单已创建"}
    await harness.push(text_xml(OPENID, "1", 2))
    assert harness.rasa.messages[-1].text == "/affirm"
    # That turn sent no menu: a digit now is just a digit.
    await harness.push(text_xml(OPENID, "2", 3))
    assert harness.rasa.messages[-1].text == "2"


async def test_menus_are_per_customer(harness: Harness) -> None:
    harness.rasa.reply = {"text": "请确认", "buttons": SUMMARY_BUTTONS}
    await harness.push(text_xml(OPENID, "13812345678", 1))
    await harness.push(text_xml("oSomeoneElse", "2", 2))
    assert harness.rasa.messages[-1].text == "2"


async def test_a_photo_or_unsupported_message_keeps_the_menu(harness: Harness) -> None:
    harness.rasa.reply = {"text": "请确认", "buttons": SUMMARY_BUTTONS}
    await harness.push(text_xml(OPENID, "13812345678", 1))
    await harness.push(image_xml(OPENID, 2))
    await harness.push(voice_xml(OPENID, 3))
    await harness.push(text_xml(OPENID, "2", 4))
    assert harness.rasa.messages[-1].text == "/deny"


async def test_location_fills_metadata_and_label(harness: Harness) -> None:
    await harness.push(location_xml(OPENID, 39.983424, 116.322987, "北京市海淀区中关村大街27号", 5))
    [message] = harness.rasa.messages
    assert message.text == "北京市海淀区中关村大街27号"
    assert message.metadata == {"location": {"latitude": 39.983424, "longitude": 116.322987}}


async def test_subscribe_greets_and_menu_clicks_send_their_intent(harness: Harness) -> None:
    await harness.push(event_xml(OPENID, "subscribe", created=1_700_000_000))
    await harness.push(event_xml(OPENID, "CLICK", key="REPORT_FAULT", created=1_700_000_001))
    assert [m.text for m in harness.rasa.messages] == ["/greet", "/report_fault"]
    await harness.push(event_xml(OPENID, "CLICK", key="NOT_A_KEY", created=1_700_000_002))
    assert len(harness.rasa.messages) == 2 and "菜单项暂时不可用" in harness.fake.texts_to(OPENID)[-1]


async def test_ignored_events_do_nothing(harness: Harness) -> None:
    assert await harness.push(event_xml(OPENID, "unsubscribe"))
    assert harness.rasa.messages == [] and harness.fake.sent == []


async def test_unsupported_kinds_get_a_polite_answer(harness: Harness) -> None:
    await harness.push(voice_xml(OPENID, 6))
    assert harness.rasa.messages == []
    assert "只能处理文字、照片和位置" in harness.fake.texts_to(OPENID)[0]


async def test_a_photo_is_downloaded_stored_and_acknowledged(harness: Harness, db_url: str, tmp_path: Path) -> None:
    await harness.push(image_xml(OPENID, 7, media_id="MEDIA-PHOTO"))
    assert harness.rasa.messages == []
    assert "已收到您的照片" in harness.fake.texts_to(OPENID)[0]
    async with harness.runtime.inbox._sessions() as session:  # the store's own session factory
        rows = (await session.execute(text("SELECT channel, conversation_id, path, ticket_id FROM attachments"))).all()
    [(channel, conversation, path, ticket_id)] = rows
    assert (channel, conversation, ticket_id) == ("wechat", f"wx:{OPENID}", None)
    assert (tmp_path / "media" / path).read_bytes()[:4] == b"\x89PNG"


async def test_a_photo_falls_back_to_picurl_and_failures_are_told(harness: Harness) -> None:
    picture = f"{harness.fake.base_url}/pictures/photo.png"
    await harness.push(image_xml(OPENID, 8, media_id="EXPIRED", pic_url=picture))
    assert "已收到您的照片" in harness.fake.texts_to(OPENID)[-1]
    await harness.push(image_xml(OPENID, 9, media_id="EXPIRED", pic_url="https://evil.example/x.png"))
    assert "照片没有收到" in harness.fake.texts_to(OPENID)[-1]
    harness.fake.media["NOT-AN-IMAGE"] = b"%PDF-1.4 not a photo"
    await harness.push(image_xml(OPENID, 10, media_id="NOT-AN-IMAGE"))
    assert "只能接收" in harness.fake.texts_to(OPENID)[-1]


async def test_a_replayed_msgid_is_processed_once(harness: Harness) -> None:
    xml = text_xml(OPENID, "确认", 6054768590064713728)
    assert await harness.push(xml)
    assert not await harness.push(xml)  # WeChat's retry
    assert not await harness.push(xml)
    assert len(harness.rasa.messages) == 1 and len(harness.fake.sent) == 1
    event = event_xml(OPENID, "subscribe", created=1_700_000_000)
    assert await harness.push(event) and not await harness.push(event)
    assert [m.text for m in harness.rasa.messages] == ["确认", "/greet"]


async def test_a_failed_send_does_not_break_the_turn(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    harness.rasa.reply = {"text": "字" * 600 + "\n" + "字" * 600}  # 3,601 bytes: two pieces within WeChat's limit
    await harness.push(text_xml(OPENID, "hi", 11))
    assert len(harness.fake.texts_to(OPENID)) == 2
    harness.fake.app_secret = "rotated"  # our secret no longer works: no token
    harness.fake.expire_tokens()
    await harness.push(text_xml(OPENID, "hi again", 12))
    assert len(harness.rasa.messages) == 2 and "wechat.send_failed" in caplog.text


async def test_logs_hold_no_openids_texts_tokens_or_locations(harness: Harness,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="integrations")
    harness.rasa.reply = {"text": "请确认 13812345678", "buttons": SUMMARY_BUTTONS}
    await harness.push(text_xml(OPENID, "我的电话13812345678", 13))
    await harness.push(text_xml(OPENID, "1", 14))
    await harness.push(location_xml(OPENID, 39.983424, 116.322987, "中关村大街27号", 15))
    await harness.push(image_xml(OPENID, 16))
    await harness.push(event_xml(OPENID, "CLICK", key="HUMAN"))
    await harness.push(voice_xml(OPENID, 17))
    token = await harness.runtime.api.access_token()
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("integrations"))
    assert "wechat.push_accepted" in ours
    for secret in (OPENID, "13812345678", "中关村", "39.98", "116.32", token, harness.fake.app_secret):
        assert secret not in caplog.text, secret
