"""Agent accounts and sessions: scrypt hashing, accounts on SQLite, signed cookies (expiry, tampering), throttling."""

from __future__ import annotations

import base64
import json

import pytest

from bot.commands.agent_user import choose_password
from bot.domain.errors import NotFoundError, ValidationError
from bot.services.agents.accounts import AgentAccountService, hash_password, normalise_username, verify_password
from bot.services.agents.sessions import LoginThrottle, SessionCodec, session_secret

SECRET = b"0123456789abcdef-test-secret"


class Clock:
    """A settable clock."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_password_hash_is_salted_scrypt_and_verifies() -> None:
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first != second  # a fresh salt per hash
    assert first.startswith("scrypt$16384$8$1$") and "correct" not in first
    assert verify_password("correct horse battery", first) and verify_password("correct horse battery", second)
    assert not verify_password("correct horse batterY", first)
    assert not verify_password("", first)


@pytest.mark.parametrize("stored", ["", "plain", "bcrypt$x$y", "scrypt$16384$8$1$@@@$@@@", "scrypt$a$b$c$d$e"])
def test_malformed_hashes_never_match(stored: str) -> None:
    assert verify_password("anything at all", stored) is False


def test_usernames_are_normalised_and_checked() -> None:
    assert normalise_username("  Alice.W ") == "alice.w"
    for bad in ("", "a", "-lead", "has space", "名字", "x" * 65):
        with pytest.raises(ValidationError):
            normalise_username(bad)


async def test_accounts_create_authenticate_update_and_disable(session_factory) -> None:  # type: ignore[no-untyped-def]
    accounts = AgentAccountService(session_factory)
    account, created = await accounts.upsert("Alice", "first password", "agent")
    assert created and (account.username, account.role, account.active) == ("alice", "agent", True)
    assert (await accounts.authenticate("ALICE", "first password")) == account
    assert await accounts.authenticate("alice", "wrong password") is None
    assert await accounts.authenticate("nobody", "first password") is None
    assert await accounts.authenticate("bad name!", "first password") is None

    updated, created = await accounts.upsert("alice", "second password", "supervisor")
    assert not created and updated.id == account.id and updated.is_supervisor
    assert await accounts.authenticate("alice", "first password") is None
    assert (await accounts.authenticate("alice", "second password")) == updated

    await accounts.set_active("alice", False)
    assert await accounts.authenticate("alice", "second password") is None
    assert (await accounts.get("alice")) is not None
    with pytest.raises(NotFoundError):
        await accounts.set_active("ghost", False)


@pytest.mark.parametrize(("password", "role"), [("short", "agent"), ("long enough pw", "admin")])
async def test_account_input_is_validated(session_factory, password: str, role: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        await AgentAccountService(session_factory).upsert("bob", password, role)


def test_session_token_round_trip_and_expiry() -> None:
    clock = Clock()
    codec = SessionCodec(SECRET, ttl_s=12 * 3600, clock=clock)
    token = codec.issue("alice")
    claims = codec.verify(token)
    assert claims is not None and claims.username == "alice"
    assert claims.expires_at - claims.issued_at == 12 * 3600
    clock.now += 12 * 3600 - 1
    assert codec.verify(token) is not None
    clock.now += 1
    assert codec.verify(token) is None  # expired


def _reencode(payload: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def test_tampered_or_foreign_tokens_are_refused() -> None:
    clock = Clock()
    codec = SessionCodec(SECRET, clock=clock)
    token = codec.issue("alice")
    payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = _reencode({**claims, "u": "boss"}) + "." + signature
    longer = _reencode({**claims, "exp": claims["exp"] + 10**6}) + "." + signature
    flipped = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    other_secret = SessionCodec(b"another-secret-of-16+", clock=clock).issue("alice")
    for bad in (forged, longer, flipped, other_secret, "", "x", "a.b.c", token + "x", "é." + signature, "." * 600):
        assert codec.verify(bad) is None, bad
    assert codec.verify(token) is not None
    with pytest.raises(ValueError):
        SessionCodec(b"too short")


def test_session_secret_is_generated_when_unset() -> None:
    assert session_secret("configured-secret-value") == (b"configured-secret-value", False)
    generated, was_generated = session_secret(None)
    assert was_generated and len(generated) == 32 and generated != session_secret(None)[0]


def test_throttle_locks_after_repeated_failures_and_unlocks_later() -> None:
    clock = Clock(0.0)
    throttle = LoginThrottle(max_failures=3, window_s=60, lock_s=30, clock=clock)
    throttle.failed("alice")
    throttle.failed("alice")
    assert throttle.retry_after("alice") == 0
    throttle.failed("alice")
    assert throttle.retry_after("alice") == 30
    assert throttle.retry_after("bob") == 0  # per username
    clock.now = 29.5
    assert throttle.retry_after("alice") == 1
    clock.now = 30.0
    assert throttle.retry_after("alice") == 0
    throttle.failed("carol")
    clock.now = 100.0  # old failures leave the window
    throttle.failed("carol")
    throttle.failed("carol")
    assert throttle.retry_after("carol") == 0
    throttle.succeeded("carol")
    throttle.failed("carol")
    assert throttle.retry_after("carol") == 0


def test_throttle_table_is_bounded() -> None:
    throttle = LoginThrottle(max_entries=10)
    for i in range(100):
        throttle.failed(f"user{i}")
    assert len(throttle._failures) == 10  # noqa: SLF001 - the bound is the point of this test


def test_cli_password_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    generated, was_generated = choose_password(None, True)
    assert was_generated and len(generated) >= 16
    assert choose_password("from the environment", False) == ("from the environment", False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["typed password", "typed password"])
    assert choose_password(None, False, lambda _: next(answers)) == ("typed password", False)
    answers = iter(["typed password", "different one!"])
    with pytest.raises(ValidationError):
        choose_password(None, False, lambda _: next(answers))
