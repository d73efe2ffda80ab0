"""The webhook's request checks, in the order that keeps unauthenticated callers from costing anything.

The secret header first (403, before a byte of the body is read), then the declared and the actual size (413), then
the JSON (400).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import AsyncIterable
from typing import Any

#: Telegram sends the secret given to setWebhook in this header on every delivery.
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Largest update body we read; real updates are a few kilobytes.
MAX_BODY_BYTES = 1024 * 1024


class Rejected(Exception):
    """The request is refused with `status`; `reason` is a stable word for logs."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason


def check_secret(expected: str, given: str | None) -> None:
    """Constant-time comparison of the secret header; `Rejected(403)` when missing or wrong."""
    if given is None or not hmac.compare_digest(expected.encode(), given.encode()):
        raise Rejected(403, "bad_secret")


def check_declared_size(content_length: str | None, limit: int = MAX_BODY_BYTES) -> None:
    """`Rejected(413)` when the Content-Length header announces more than `limit` (400 if it is not a number)."""
    if content_length is None:
        return
    try:
        declared = int(content_length)
    except ValueError:
        raise Rejected(400, "bad_content_length") from None
    if declared > limit:
        raise Rejected(413, "too_large")


async def read_body(chunks: AsyncIterable[bytes], limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, read chunk by chunk; `Rejected(413)` as soon as it grows past `limit` (whatever the header said)."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise Rejected(413, "too_large")
        parts.append(chunk)
    return b"".join(parts)


def parse_json(body: bytes) -> dict[str, Any]:
    """The JSON object in `body`; `Rejected(400)` when it is not UTF-8 JSON or not an object."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Rejected(400, "malformed_json") from None
    if not isinstance(data, dict):
        raise Rejected(400, "not_an_object")
    return data
