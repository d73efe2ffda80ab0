"""WeChat webhook authentication: signature over token/timestamp/nonce, timestamp window, echostr, AES safe mode
(a round trip with wechatpy's encryption and a test key), and the body size limit."""

from __future__ import annotations

import base64
import dataclasses
import os
import time
from collections.abc import Awaitable, Callable

import pytest

from bot.settings import Settings
from integrations.wechat.errors import BadSignature, MalformedMessage, PayloadTooLarge
from integrations.wechat.security import MAX_BODY_BYTES, WebhookAuth, aes_crypto, read_limited
from tests.fakes.wechat import encrypted_push, signed_query, text_xml

TOKEN = "test-token"
APP_ID = "wx-test-app"
AES_KEY = base64.b64encode(os.urandom(32)).decode().rstrip("=")  # an EncodingAESKey: 43 characters


def _settings(**overrides: str | None) -> Settings:
    base = Settings(database_url="sqlite://", tracker_database_url="sqlite://", wechat_token=TOKEN,
                    wechat_app_id=APP_ID, wechat_app_secret="secret")
    return dataclasses.replace(base, **overrides)  # type: ignore[arg-type]


def test_test_key_has_the_encodingaeskey_shape() -> None:
    assert len(AES_KEY) == 43


def test_a_correct_signature_passes_and_any_change_fails() -> None:
    auth = WebhookAuth(TOKEN)
    query = signed_query(TOKEN)
    auth.check(query)
    for name in ("signature", "timestamp", "nonce"):
        tampered = dict(query, **{name: query[name][:-1] + ("0" if query[name][-1] != "0" else "1")})
        with pytest.raises(BadSignature):
            auth.check(tampered)
    with pytest.raises(BadSignature):
        WebhookAuth("another-token").check(query)


@pytest.mark.parametrize("missing", ["signature", "timestamp", "nonce"])
def test_a_missing_part_fails(missing: str) -> None:
    query = signed_query(TOKEN)
    del query[missing]
    with pytest.raises(BadSignature):
        WebhookAuth(TOKEN).check(query)


def test_non_ascii_signature_is_a_rejection_not_a_crash() -> None:
    with pytest.raises(BadSignature):
        WebhookAuth(TOKEN).check(dict(signed_query(TOKEN), signature="签名"))


def test_a_stale_timestamp_fails_even_with_a_valid_signature() -> None:
    auth = WebhookAuth(TOKEN, max_skew_s=300)
    old = signed_query(TOKEN, timestamp=int(time.time()) - 301)
    with pytest.raises(BadSignature, match="stale"):
        auth.check(old)
    auth.check(signed_query(TOKEN, timestamp=int(time.time()) - 200))
    with pytest.raises(BadSignature, match="stale"):
        auth.check(signed_query(TOKEN, timestamp=int(time.time()) + 400))


def test_echo_returns_echostr_only_when_signed() -> None:
    auth = WebhookAuth(TOKEN)
    assert auth.echo(signed_query(TOKEN, echostr="1234567890123")) == "1234567890123"
    with pytest.raises(BadSignature):
        auth.echo(dict(signed_query("wrong", echostr="123")))
    with pytest.raises(MalformedMessage):
        auth.echo(signed_query(TOKEN, echostr="<script>"))


def test_plain_mode_opens_the_body_as_utf8() -> None:
    xml = text_xml("oUser", "你好", 1)
    assert WebhookAuth(TOKEN).open(signed_query(TOKEN), xml.encode()) == xml
    with pytest.raises(MalformedMessage):
        WebhookAuth(TOKEN).open(signed_query(TOKEN), b"\xff\xfe")


def test_aes_round_trip_with_wechatpy_encryption() -> None:
    auth = WebhookAuth.from_settings(_settings(wechat_aes_key=AES_KEY))
    assert auth is not None and auth.safe_mode
    xml = text_xml("oUser", "我的空调不制冷", 42)
    query, body = encrypted_push(TOKEN, AES_KEY, APP_ID, xml, "oUser")
    assert "我的空调" not in body
    auth.check(query)
    assert auth.open(query, body.encode()) == xml


def test_aes_mode_checks_msg_signature_over_the_ciphertext() -> None:
    auth = WebhookAuth.from_settings(_settings(wechat_aes_key=AES_KEY))
    assert auth is not None
    query, body = encrypted_push(TOKEN, AES_KEY, APP_ID, text_xml("oUser", "hi", 1), "oUser")
    with pytest.raises(BadSignature, match="msg_signature"):
        auth.open(dict(query, msg_signature="0" * 40), body.encode())
    # Another (signed) ciphertext under the first message's msg_signature: the body is not the one signed.
    _, other_body = encrypted_push(TOKEN, AES_KEY, APP_ID, text_xml("oUser", "forged", 2), "oUser")
    with pytest.raises(BadSignature):
        auth.open(query, other_body.encode())


def test_aes_mode_refuses_plaintext_bodies() -> None:
    auth = WebhookAuth.from_settings(_settings(wechat_aes_key=AES_KEY))
    assert auth is not None
    with pytest.raises(BadSignature, match="encrypted"):
        auth.open(signed_query(TOKEN), text_xml("oUser", "hi", 1).encode())


def test_aes_mode_rejects_a_ciphertext_for_another_app_or_key() -> None:
    auth = WebhookAuth.from_settings(_settings(wechat_aes_key=AES_KEY))
    assert auth is not None
    query, body = encrypted_push(TOKEN, AES_KEY, "wx-other-app", text_xml("oUser", "hi", 1), "oUser")
    with pytest.raises(MalformedMessage):
        auth.open(query, body.encode())
    other_key = base64.b64encode(os.urandom(32)).decode().rstrip("=")
    query, body = encrypted_push(TOKEN, other_key, APP_ID, text_xml("oUser", "hi", 1), "oUser")
    with pytest.raises(MalformedMessage):
        auth.open(query, body.encode())


@pytest.mark.parametrize("body", [b"not xml", b"<xml><Encrypt></Encrypt></xml>", b"<xml/>", b"<other/>",
                                  b'<!DOCTYPE x [<!ENTITY e "e">]><xml><Encrypt>&e;</Encrypt></xml>'])
def test_aes_mode_malformed_envelopes(body: bytes) -> None:
    auth = WebhookAuth.from_settings(_settings(wechat_aes_key=AES_KEY))
    assert auth is not None
    with pytest.raises(MalformedMessage):
        auth.open(signed_query(TOKEN, encrypt_type="aes", msg_signature="0" * 40), body)


def test_configuration() -> None:
    assert WebhookAuth.from_settings(_settings(wechat_token=None)) is None
    assert WebhookAuth.from_settings(_settings()) == WebhookAuth(TOKEN)
    with pytest.raises(ValueError, match="EncodingAESKey"):
        WebhookAuth.from_settings(_settings(wechat_aes_key="too-short"))
    with pytest.raises(ValueError, match="EncodingAESKey"):
        aes_crypto(TOKEN, "!" * 43, APP_ID)
    with pytest.raises(ValueError, match="APP_ID"):
        WebhookAuth.from_settings(_settings(wechat_aes_key=AES_KEY, wechat_app_id=None))


def _reader(chunks: list[bytes]) -> Callable[[], Awaitable[bytes | None]]:
    pending = list(chunks)

    async def read() -> bytes | None:
        return pending.pop(0) if pending else None

    return read


async def test_body_limit() -> None:
    assert await read_limited(_reader([b"a" * 1000, b"b" * 1000]), None) == b"a" * 1000 + b"b" * 1000
    exact = [b"x" * MAX_BODY_BYTES]
    assert len(await read_limited(_reader(exact), str(MAX_BODY_BYTES))) == MAX_BODY_BYTES
    with pytest.raises(PayloadTooLarge):  # declared too large: refused before reading
        await read_limited(_reader([]), str(MAX_BODY_BYTES + 1))
    with pytest.raises(PayloadTooLarge):  # no (or a lying) Content-Length: refused while reading
        await read_limited(_reader([b"x" * 40_000, b"x" * 40_000]), None)
    with pytest.raises(MalformedMessage):
        await read_limited(_reader([]), "many")
