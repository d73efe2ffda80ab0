"""Typed errors of the WeChat channel: webhook rejections (each with its HTTP status) and WeChat API failures."""

from __future__ import annotations

from bot.domain.errors import UpstreamError


class WebhookRejected(Exception):
    """An inbound webhook request that is refused; `status` is the HTTP status the channel answers."""

    status = 400
    reason = "rejected"


class ChannelDisabled(WebhookRejected):
    """WECHAT_TOKEN (or the app credentials replies need) is not configured."""

    status = 503
    reason = "disabled"


class BadSignature(WebhookRejected):
    """The signature (or msg_signature, or timestamp) does not authenticate the request as WeChat's."""

    status = 403
    reason = "signature"


class PayloadTooLarge(WebhookRejected):
    """The body is larger than any message WeChat sends."""

    status = 413
    reason = "too_large"


class MalformedMessage(WebhookRejected):
    """The body is not a WeChat message we can read (bad XML, missing fields, undecryptable)."""

    status = 400
    reason = "malformed"


class WeChatApiError(UpstreamError):
    """The WeChat HTTP API answered an error code, a bad status, or could not be reached."""

    def __init__(self, message: str, errcode: int | None = None, status: int | None = None) -> None:
        super().__init__(message, status=status)
        self.errcode = errcode  # WeChat's `errcode`; None when no JSON error arrived
