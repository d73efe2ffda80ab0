"""Agent console sessions: signed, expiring session tokens, and a throttle on failed sign-ins.

A token is `<payload>.<signature>`: the payload is URL-safe base64 of `{"u": username, "iat", "exp", "n": nonce}`
and the signature is HMAC-SHA256 over it with the session secret. Nothing secret is inside; the token only proves
who signed in and until when. The role and the active flag are read from the database on every request, so a
disabled account or a changed role takes effect at once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

SESSION_TTL_S = 12 * 3600
MAX_TOKEN_CHARS = 512
MIN_SECRET_BYTES = 16


@dataclass(frozen=True)
class SessionClaims:
    """What a valid token says: who, and when it was issued and expires (Unix seconds)."""

    username: str
    issued_at: int
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionCodec:
    """Issues and checks session tokens with one secret."""

    def __init__(
        self, secret: bytes, ttl_s: int = SESSION_TTL_S, clock: Callable[[], float] = time.time
    ) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"AGENT_SESSION_SECRET must be at least {MIN_SECRET_BYTES} bytes")
        # A derived key: the configured secret is never used directly, so it could serve another purpose too.
        self._key = hashlib.sha256(b"agent-session:" + secret).digest()
        self._ttl = ttl_s
        self._clock = clock

    @property
    def ttl_s(self) -> int:
        """How long a token is valid, in seconds."""
        return self._ttl

    def issue(self, username: str) -> str:
        """A fresh token for `username`, valid for `ttl_s` from now."""
        now = int(self._clock())
        claims = {"u": username, "iat": now, "exp": now + self._ttl, "n": secrets.token_urlsafe(8)}
        payload = _b64(json.dumps(claims, separators=(",", ":"), ensure_ascii=True).encode("ascii"))
        return f"{payload}.{self._sign(payload)}"

    def verify(self, token: str | None) -> SessionClaims | None:
        """The claims of a valid, unexpired token; None for anything else (tampered, expired, malformed)."""
        if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
            return None
        payload, signature = token.split(".")
        if not hmac.compare_digest(signature.encode("ascii", "replace"), self._sign(payload).encode("ascii")):
            return None
        try:
            claims = json.loads(_unb64(payload))
            username, issued, expires = claims["u"], claims["iat"], claims["exp"]
        except (ValueError, KeyError, TypeError, binascii.Error):
            return None
        if not isinstance(username, str) or not isinstance(issued, int) or not isinstance(expires, int):
            return None
        if not issued - 60 <= self._clock() < expires:  # a minute of clock skew between processes is tolerated
            return None
        return SessionClaims(username, issued, expires)

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode("ascii", "replace"), hashlib.sha256).digest())


def session_secret(configured: str | None) -> tuple[bytes, bool]:
    """The secret to sign with and whether it was generated (no `AGENT_SESSION_SECRET`: random per process)."""
    if configured:
        return configured.encode("utf-8"), False
    return secrets.token_bytes(32), True


class LoginThrottle:
    """Counts failed sign-ins per username in memory; after `max_failures` within `window_s`, refuses for `lock_s`.

    Unknown usernames are counted like known ones (the answer must not tell them apart). The table is bounded:
    the oldest entries are dropped first. Per process: with several replicas each counts on its own.
    """

    def __init__(
        self,
        max_failures: int = 5,
        window_s: float = 900.0,
        lock_s: float = 300.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max, self._window, self._lock_s, self._cap = max_failures, window_s, lock_s, max_entries
        self._clock = clock
        self._failures: OrderedDict[str, list[float]] = OrderedDict()
        self._locked_until: dict[str, float] = {}

    def retry_after(self, username: str) -> int:
        """Seconds until `username` may try again; 0 when not locked."""
        until = self._locked_until.get(username)
        if until is None:
            return 0
        remaining = until - self._clock()
        if remaining <= 0:
            del self._locked_until[username]
            return 0
        return max(1, int(remaining + 0.999))

    def failed(self, username: str) -> None:
        """Record a failed attempt; locks the username once it has failed too often."""
        now = self._clock()
        recent = [t for t in self._failures.pop(username, []) if now - t < self._window]
        recent.append(now)
        if len(recent) >= self._max:
            self._locked_until[username] = now + self._lock_s
            recent = []
        else:
            self._failures[username] = recent
        while len(self._failures) > self._cap:
            self._failures.popitem(last=False)
        if len(self._locked_until) > self._cap:
            for name in [n for n, until in self._locked_until.items() if until <= now]:
                del self._locked_until[name]

    def succeeded(self, username: str) -> None:
        """Forget the username's failures after a successful sign-in."""
        self._failures.pop(username, None)
