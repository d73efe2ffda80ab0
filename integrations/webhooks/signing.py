"""How our outbound webhooks are signed, and how a receiver verifies them.

Every delivery is an HTTP POST with a JSON body (UTF-8) and these headers:

- `X-Webhook-Id: <delivery_id>` — a UUID, the same on every retry of one delivery: receivers deduplicate on it.
- `X-Webhook-Timestamp: <unix seconds>` — when this attempt was signed (it changes between retries).
- `X-Webhook-Signature: sha256=<hex>` — lowercase hex HMAC-SHA256, keyed with the outlet's webhook secret
  (its UTF-8 bytes, exactly as printed by `python -m bot provider-webhook`), over the bytes
  `f"{timestamp}.".encode() + raw_body`, where `raw_body` is the request body exactly as received.

A receiver must:

1. read the raw body *before* parsing JSON (re-serialising changes the bytes);
2. recompute the HMAC and compare it to the header in constant time (`hmac.compare_digest`);
3. reject a timestamp more than 5 minutes away from its own clock (a captured request cannot be replayed later);
4. answer any 2xx quickly once the event is stored — anything else (or no answer within 10 s) is retried with the
   same `X-Webhook-Id`, so processing the same id twice must be harmless.

A receiver in Python (the sender's reference implementation is `verify_signature` below)::

    expected = "sha256=" + hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    ok = hmac.compare_digest(expected, request.headers["X-Webhook-Signature"]) and abs(time.time() - int(ts)) <= 300
"""

from __future__ import annotations

import hashlib
import hmac

ID_HEADER = "X-Webhook-Id"
TIMESTAMP_HEADER = "X-Webhook-Timestamp"
SIGNATURE_HEADER = "X-Webhook-Signature"
SCHEME = "sha256="
#: How old (or how far in the future) a timestamp a receiver should still accept.
TOLERANCE_S = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Webhook-Signature` value: `sha256=` + hex HMAC-SHA256(secret, f"{timestamp}." + body)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return SCHEME + digest.hexdigest()


def signed_headers(secret: str, delivery_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of one signed attempt (content type included)."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        ID_HEADER: delivery_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify_signature(
    secret: str, timestamp_header: str, signature_header: str, body: bytes, now: float, tolerance_s: int = TOLERANCE_S
) -> bool:
    """Whether a received request is authentic and fresh (for receivers written in Python, and our own tests)."""
    if not timestamp_header.isascii() or not timestamp_header.isdigit() or len(timestamp_header) > 12:
        return False
    timestamp = int(timestamp_header)
    if abs(now - timestamp) > tolerance_s:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body).encode(), signature_header.strip().encode())
