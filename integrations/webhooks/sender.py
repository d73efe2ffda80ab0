"""The signed HTTP POST of one webhook delivery, over the process's shared `aiohttp.ClientSession`.

Any 2xx answer is success. Everything else raises `WebhookSendError` (an `UpstreamError`: `status` is the HTTP status,
None when no answer arrived), whose message is short and safe to store and log: never the URL (it may carry a
token), the body, the secret, or the receiver's answer. Redirects are not followed: a signed body goes only to the
configured address.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import aiohttp

from bot import __version__
from bot.domain.errors import UpstreamError
from integrations.webhooks.signing import signed_headers

DEFAULT_TIMEOUT_S = 10.0
USER_AGENT = f"aftersales-bot-webhooks/{__version__}"


class WebhookSendError(UpstreamError):
    """A delivery attempt that did not get a 2xx answer."""

    code = "webhook_send_failed"


class WebhookSender:
    """Signs and posts webhook bodies (implements `bot.services.webhooks.outbox.WebhookPoster`)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Keep the session (owned by the caller), the per-attempt timeout and the clock used for timestamps."""
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._clock = clock

    def __repr__(self) -> str:
        return f"WebhookSender(timeout_s={self._timeout.total})"

    async def post(self, url: str, secret: str, delivery_id: str, body: bytes) -> int:
        """POST `body` signed with `secret`; the 2xx status, or `WebhookSendError`."""
        headers = signed_headers(secret, delivery_id, int(self._clock()), body)
        headers["User-Agent"] = USER_AGENT
        try:
            async with self._session.post(
                url, data=body, headers=headers, timeout=self._timeout, allow_redirects=False
            ) as response:
                status = response.status
        except asyncio.TimeoutError:
            raise WebhookSendError("timeout") from None
        except aiohttp.ClientError as exc:
            # The exception's text can include the URL; its type says enough ("ClientConnectorError", ...).
            raise WebhookSendError(f"connection failed: {type(exc).__name__}") from None
        if not 200 <= status < 300:
            raise WebhookSendError(f"HTTP {status}", status)
        return status
