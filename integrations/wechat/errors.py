"""Typed errors of the WeChat channel: webhook rejections (each with its HTTP status) and WeChat API failures."""

from __future__ import annotations

from typing import Any

from bot.domain.errors import UpstreamError


class WebhookRejected(Exception):
    """An inbound webhook request that is refused.

    `status` is the HTTP status the channel answers, `reason` the word it answers (and logs) with; each kind of refusal
    names both in its class statement.
    """

    status = 400
    reason = "rejected"

    def __init_subclass__(cls, *, status: int, reason: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.status, cls.reason = status, reason


class ChannelDisabled(WebhookRejected, status=503, reason="disabled"):
    """WECHAT_TOKEN (or the app credentials replies need) is not configured."""


class BadSignature(WebhookRejected, status=403, reason="signature"):
    """The signature (or msg_signature, or timestamp) does not authenticate the request as WeChat's."""


class PayloadTooLarge(WebhookRejected, status=413, reason="too_large"):
    """The body is larger than any message WeChat sends."""


class MalformedMessage(WebhookRejected, status=400, reason="malformed"):
    """The body is not a WeChat message we can read (bad XML, missing fields, undecryptable)."""


class WeChatApiError(UpstreamError):
    """The WeChat HTTP API answered an error code, a bad status, or could not be reached."""

    def __init__(self, message: str, errcode: int | None = None, status: int | None = None) -> None:
        super().__init__(message, status=status)
        self.errcode = errcode  # WeChat's `errcode`; None when no JSON error arrived
