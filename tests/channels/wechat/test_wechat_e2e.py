"""End to end: the whole bot (`run-all`) with the WeChat channel, talking to a fake WeChat API in this process.
Pushes are built and signed as WeChat does; a customer reports a fault in Chinese (text, a shared location, a
photo, the phone, the menu digit) and gets a ticket through customer-service messages; forged, replayed,
malformed and oversized pushes are refused or ignored."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from tests.channels.wechat.wechat_push import get, post, push, wechat_stack
from tests.fakes.wechat import (
    FakeWeChat,
    event_xml,
    image_xml,
    location_xml,
    signed_query,
    text_xml,
    threaded_fake_wechat,
    voice_xml,
)
from tests.stack import Stack

pytestmark = pytest.mark.slow

TOKEN = "e2e-wechat-token"
TICKET = re.compile(r"AS-\d{8}-[A-HJ-NP-Z2-9]{6}")
_msg_ids = iter(range(6_054_768_590_064_700_000, 6_054_768_590_064_800_000))


def next_msg_id() -> int:
    return next(_msg_ids)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeWeChat]:
    with threaded_fake_wechat() as wechat:
        yield wechat


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, fake: FakeWeChat) -> Iterator[Stack]:
    with wechat_stack(tmp_path_factory.mktemp("wechat_e2e"), fake, TOKEN) as running:
        yield running


def test_url_verification(stack: Stack) -> None:
    assert get(stack, signed_query(TOKEN, echostr="7316281470713541021")) == (200, "7316281470713541021")
    assert get(stack, signed_query("guessed-token", echostr="7316281470713541021"))[0] == 403


def test_a_fault_report_in_chinese_ends_with_a_ticket(stack: Stack, fake: FakeWeChat) -> None:
    openid = "oE2E_fault_report_01"
    sent = 0

    def say(xml: str, expect: str) -> str:
        nonlocal sent
        push(stack, TOKEN, xml, openid)
        reply = fake.wait_for_text(openid, expect, after=sent)
        sent = len(fake.texts_to(openid))
        return reply

    say(event_xml(openid, "subscribe"), "售后服务助手")  # the greeting (utter_greet)
    say(text_xml(openid, "我的格力空调不制冷了，显示E1", next_msg_id()), "请问您在哪里")
    say(location_xml(openid, 39.983424, 116.322987, "北京市海淀区中关村大街27号", next_msg_id()), "手机号码")
    say(image_xml(openid, next_msg_id()), "已收到您的照片")
    summary = say(text_xml(openid, "13812345678", next_msg_id()), "请确认报修信息")
    assert summary.endswith("1. 确认提交\n2. 修改信息\n回复数字选择"), summary
    assert "中关村大街27号" in summary
    confirm = text_xml(openid, "1", next_msg_id())
    push(stack, TOKEN, confirm, openid)
    assert fake.wait_for(lambda: any(TICKET.search(t) for t in fake.texts_to(openid)[sent:]))
    number = next(TICKET.search(t) for t in fake.texts_to(openid)[sent:] if TICKET.search(t)).group()  # type: ignore
    [(ticket_id, channel, status, conversation, phone)] = stack.query(
        "SELECT t.id, t.channel, t.status, t.conversation_id, c.phone_e164 FROM tickets t "
        "JOIN customers c ON c.id = t.customer_id WHERE t.number = ?", number)
    assert (channel, status, conversation, phone) == ("wechat", "routed", f"wx:{openid}", "+8613812345678")
    assert stack.query("SELECT ticket_id FROM attachments WHERE conversation_id = ?", f"wx:{openid}") == [
        (ticket_id,)]  # the photo sent before the ticket existed is attached to it

    # WeChat retries the confirmation (same MsgId): answered "success", processed once, no second ticket.
    replies = len(fake.texts_to(openid))
    push(stack, TOKEN, confirm, openid)
    push(stack, TOKEN, confirm, openid)
    time.sleep(3)
    assert len(fake.texts_to(openid)) == replies
    assert stack.query("SELECT count(*) FROM tickets WHERE conversation_id = ?", f"wx:{openid}") == [(1,)]


def test_messages_sent_back_to_back_keep_their_order(stack: Stack, fake: FakeWeChat) -> None:
    openid = "oE2E_quick_typist_02"
    turns = ["我的海尔冰箱不制冷", "上海市浦东新区世纪大道100号", "13912345678", "1"]
    for text in turns:  # no waiting for replies: the channel must keep the order, and map "1" to the new menu
        push(stack, TOKEN, text_xml(openid, text, next_msg_id()), openid)
    assert fake.wait_for(lambda: any(TICKET.search(t) for t in fake.texts_to(openid)), timeout_s=90), \
        fake.texts_to(openid)
    assert stack.query("SELECT channel FROM tickets WHERE conversation_id = ?", f"wx:{openid}") == [("wechat",)]


def test_menu_click_and_unsupported_kinds(stack: Stack, fake: FakeWeChat) -> None:
    openid = "oE2E_menu_user_03"
    push(stack, TOKEN, event_xml(openid, "CLICK", key="REPORT_FAULT"), openid)
    assert fake.wait_for(lambda: len(fake.texts_to(openid)) >= 1)
    push(stack, TOKEN, voice_xml(openid, next_msg_id()), openid)
    fake.wait_for_text(openid, "只能处理文字、照片和位置")


def test_a_forged_push_is_403_and_nothing_is_processed(stack: Stack, fake: FakeWeChat) -> None:
    openid = "oE2E_forged_04"
    msg_id = next_msg_id()
    xml = text_xml(openid, "我的格力空调不制冷了", msg_id)
    forged = dict(signed_query("not-our-token", openid=openid))
    assert post(stack, xml, forged)[0] == 403
    assert post(stack, xml, {"openid": openid})[0] == 403
    stale = signed_query(TOKEN, timestamp=int(time.time()) - 3600, openid=openid)
    assert post(stack, xml, stale)[0] == 403
    time.sleep(3)
    assert fake.texts_to(openid) == []
    assert stack.query("SELECT count(*) FROM channel_updates WHERE update_key = ?", f"msg:{msg_id}") == [(0,)]


def test_malformed_and_oversized_pushes(stack: Stack) -> None:
    assert post(stack, "<xml><MsgType>text</MsgType>", signed_query(TOKEN))[0] == 400
    assert post(stack, "this is not xml", signed_query(TOKEN))[0] == 400
    huge = text_xml("oE2E_big_05", "字" * 40_000, next_msg_id())  # 120 KB
    assert post(stack, huge, signed_query(TOKEN))[0] == 413


def test_logs_hold_no_openids_tokens_or_customer_data(stack: Stack, fake: FakeWeChat) -> None:
    log = stack.log
    assert "wechat.push_accepted" in log
    for secret in ("oE2E_fault_report_01", "oE2E_quick_typist_02", TOKEN, fake.app_secret, "TOKEN-", "13812345678",
                   "中关村", "39.98", "116.32", "格力空调不制冷"):
        assert secret not in log, secret
