"""Authenticating WeChat's webhook requests and opening their bodies (wechatpy signatures and AES crypto).

Every request carries `signature` = SHA-1 over the sorted token, `timestamp` and `nonce`; it proves the sender knows
the token but does not cover the body, so the timestamp must also be recent. In safe mode (an EncodingAESKey is
configured) the body is `<xml><Encrypt>…</Encrypt></xml>` and `msg_signature` (SHA-1 over token, timestamp, nonce
and the ciphertext) covers the body too; plaintext bodies are then refused, so that a captured `signature` cannot
be replayed with a forged body. https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/
Access_Overview.html and .../Message_Management/Message_encryption_and_decryption_instructions.html
"""

from __future__ import annotations

import binascii
import hmac
import re
import struct
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import WeChatSigner

from bot.settings import Settings
from integrations.wechat.errors import BadSignature, MalformedMessage, PayloadTooLarge

#: Far above any message WeChat pushes (a text is at most a few kilobytes, even encrypted).
MAX_BODY_BYTES = 64 * 1024
#: How far a request's timestamp may be from our clock (WeChat retries within about 15 seconds).
MAX_CLOCK_SKEW_S = 300
_ECHOSTR = re.compile(r"[A-Za-z0-9_-]{1,128}")
_TIMESTAMP = re.compile(r"\d{1,12}")


def sign(*parts: str) -> str:
    """WeChat's signature: SHA-1 over the sorted parts (wechatpy's `WeChatSigner`)."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


@dataclass(frozen=True)
class WebhookAuth:
    """The channel's token (and AES key, in safe mode), applied to each request."""

    token: str
    crypto: WeChatCrypto | None = None
    max_skew_s: float = MAX_CLOCK_SKEW_S
    clock: Callable[[], float] = field(default=time.time, compare=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookAuth | None:
        """None when WECHAT_TOKEN is unset (the channel is disabled); `ValueError` for an unusable AES key."""
        if not settings.wechat_token:
            return None
        crypto = None
        if settings.wechat_aes_key:
            if not settings.wechat_app_id:
                raise ValueError("WECHAT_AES_KEY needs WECHAT_APP_ID (the ciphertext names the app)")
            crypto = aes_crypto(settings.wechat_token, settings.wechat_aes_key, settings.wechat_app_id)
        return cls(settings.wechat_token, crypto)

    @property
    def safe_mode(self) -> bool:
        """Whether bodies must be AES-encrypted."""
        return self.crypto is not None

    def check(self, query: Mapping[str, str]) -> None:
        """`BadSignature` unless `signature` matches and `timestamp` is recent."""
        signature, timestamp, nonce = (query.get(k) or "" for k in ("signature", "timestamp", "nonce"))
        if not signature or not nonce or not _TIMESTAMP.fullmatch(timestamp):
            raise BadSignature("signature, timestamp or nonce missing")
        # Compared in constant time: wechatpy's `check_signature` uses `!=`.
        if not hmac.compare_digest(sign(self.token, timestamp, nonce).encode(), signature.lower().encode()):
            raise BadSignature("wrong signature")
        if abs(self.clock() - int(timestamp)) > self.max_skew_s:
            raise BadSignature("stale timestamp")

    def echo(self, query: Mapping[str, str]) -> str:
        """The `echostr` to send back when WeChat verifies the server URL (GET)."""
        self.check(query)
        echostr = query.get("echostr") or ""
        if not _ECHOSTR.fullmatch(echostr):
            raise MalformedMessage("echostr missing or malformed")
        return echostr

    def open(self, query: Mapping[str, str], body: bytes) -> str:
        """The plaintext XML of an authenticated request (`check` first); decrypted and verified in safe mode."""
        if self.crypto is None:
            try:
                return body.decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedMessage("body is not UTF-8") from None
        if query.get("encrypt_type") != "aes" or not query.get("msg_signature"):
            raise BadSignature("safe mode: an encrypted body and msg_signature are required")
        envelope = _xml_fields(body)
        encrypted = envelope.get("Encrypt")
        if not isinstance(encrypted, str) or not encrypted:
            raise MalformedMessage("safe mode: no Encrypt element")
        try:
            plaintext: Any = self.crypto.decrypt_message(
                {"Encrypt": encrypted}, query["msg_signature"], query["timestamp"], query["nonce"]
            )
        except InvalidSignatureException:
            raise BadSignature("wrong msg_signature") from None
        except (InvalidAppIdException, ValueError, TypeError, IndexError, binascii.Error, struct.error):
            raise MalformedMessage("the ciphertext does not decrypt to a message for this app") from None
        return str(plaintext)


def aes_crypto(token: str, aes_key: str, app_id: str) -> WeChatCrypto:
    """The wechatpy cipher for an EncodingAESKey (43 characters of base64); `ValueError` when it is not one."""
    if len(aes_key) != 43:
        raise ValueError("WECHAT_AES_KEY must be the 43-character EncodingAESKey")
    try:
        return WeChatCrypto(token, aes_key, app_id)
    except (AssertionError, binascii.Error, ValueError):
        raise ValueError("WECHAT_AES_KEY must be the 43-character EncodingAESKey") from None


def _xml_fields(body: bytes) -> dict[str, Any]:
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise MalformedMessage("document type declarations are not accepted")
    try:
        parsed = xmltodict.parse(body.decode("utf-8"))
    except (ExpatError, UnicodeDecodeError, ValueError):
        raise MalformedMessage("body is not XML") from None
    root = parsed.get("xml") if isinstance(parsed, dict) else None
    if not isinstance(root, dict):
        raise MalformedMessage("body has no <xml> root")
    return root


async def read_limited(
    read: Callable[[], Awaitable[bytes | None]], content_length: str | None, limit: int = MAX_BODY_BYTES
) -> bytes:
    """The request body from successive `read()` chunks; `PayloadTooLarge` as soon as it exceeds `limit`."""
    if content_length is not None:
        try:
            declared = int(content_length)
        except ValueError:
            raise MalformedMessage("bad Content-Length") from None
        if declared > limit:
            raise PayloadTooLarge(f"Content-Length {declared} over {limit}")
    chunks: list[bytes] = []
    size = 0
    while (chunk := await read()) is not None:
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"body over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
