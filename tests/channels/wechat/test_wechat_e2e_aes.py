"""End to end in AES safe mode (WECHAT_AES_KEY set): pushes encrypted with wechatpy reach the bot and its replies
come back through customer-service messages; plaintext and wrongly signed ciphertexts are refused."""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterator

import pytest

from tests.channels.wechat.wechat_push import get, post, wechat_stack
from tests.fakes.wechat import (
    FakeWeChat,
    encrypted_push,
    event_xml,
    signed_query,
    text_xml,
    threaded_fake_wechat,
)
from tests.stack import Stack

pytestmark = pytest.mark.slow

TOKEN = "e2e-aes-token"
AES_KEY = base64.b64encode(os.urandom(32)).decode().rstrip("=")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeWeChat]:
    with threaded_fake_wechat() as wechat:
        yield wechat


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, fake: FakeWeChat) -> Iterator[Stack]:
    with wechat_stack(tmp_path_factory.mktemp("wechat_aes"), fake, TOKEN, AES_KEY) as running:
        yield running


def _encrypted(stack: Stack, fake: FakeWeChat, xml: str, openid: str) -> None:
    query, body = encrypted_push(TOKEN, AES_KEY, fake.app_id, xml, openid)
    assert post(stack, body, query) == (200, "success")


def test_url_verification_is_the_same_in_safe_mode(stack: Stack) -> None:
    assert get(stack, signed_query(TOKEN, echostr="42")) == (200, "42")


def test_encrypted_pushes_reach_the_bot(stack: Stack, fake: FakeWeChat) -> None:
    openid = "oAES_customer_01"
    _encrypted(stack, fake, event_xml(openid, "subscribe"), openid)
    fake.wait_for_text(openid, "售后服务助手")
    before = len(fake.texts_to(openid))
    _encrypted(stack, fake, text_xml(openid, "我的格力空调不制冷了，显示E1", 7_000_000_001), openid)
    fake.wait_for_text(openid, "请问您在哪里", after=before)


def test_plaintext_and_forged_ciphertexts_are_refused(stack: Stack, fake: FakeWeChat) -> None:
    openid = "oAES_intruder_02"
    plain = text_xml(openid, "明文消息", 7_000_000_002)
    assert post(stack, plain, signed_query(TOKEN, openid=openid))[0] == 403
    query, body = encrypted_push(TOKEN, AES_KEY, fake.app_id, text_xml(openid, "篡改", 7_000_000_003), openid)
    assert post(stack, body, dict(query, msg_signature="0" * 40))[0] == 403
    other_key = base64.b64encode(os.urandom(32)).decode().rstrip("=")
    query, body = encrypted_push(TOKEN, other_key, fake.app_id, text_xml(openid, "别的密钥", 7_000_000_004), openid)
    assert post(stack, body, query)[0] == 400  # signed with the token, but not encrypted with our key
    time.sleep(3)
    assert fake.texts_to(openid) == []
    assert stack.query("SELECT count(*) FROM channel_updates WHERE update_key IN (?, ?, ?)",
                       "msg:7000000002", "msg:7000000003", "msg:7000000004") == [(0,)]
