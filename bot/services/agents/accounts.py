"""Agent console accounts: create or reset an account, check a password, look an agent up.

Passwords are hashed with scrypt (RFC 7914; n=2^14, r=8, p=1, a 16-byte random salt per user) and stored as
`scrypt$<n>$<r>$<p>$<salt>$<hash>` (URL-safe base64), so the cost can be raised later without breaking old hashes.
Verification compares in constant time, and an unknown username costs the same hash as a known one, so timing
does not tell which usernames exist. Hashing is CPU-bound (~50 ms): async callers run it in a thread.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import select

from bot.db.models import Agent, as_utc, utcnow
from bot.db.session import SessionFactory
from bot.domain.errors import NotFoundError, ValidationError

logger = logging.getLogger(__name__)

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_SALT_BYTES, _HASH_BYTES = 16, 32
_MAXMEM = 64 * 1024 * 1024
MIN_PASSWORD_CHARS, MAX_PASSWORD_CHARS = 10, 256
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


class AgentRole(str, Enum):
    """What an account may do: agents work conversations; supervisors also see the dashboard."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"


@dataclass(frozen=True)
class AgentAccount:
    """An account as callers see it (never with its hash)."""

    id: int
    username: str
    role: str
    active: bool
    created_at: datetime

    @property
    def is_supervisor(self) -> bool:
        """Whether the account may use supervisor-only pages and endpoints."""
        return self.role == AgentRole.SUPERVISOR.value


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, salt: bytes | None = None) -> str:
    """The stored form of `password` (a fresh random salt unless one is given)."""
    salt = salt if salt is not None else secrets.token_bytes(_SALT_BYTES)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=_MAXMEM, dklen=_HASH_BYTES
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches the stored hash; malformed hashes never match."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            password.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), maxmem=_MAXMEM,
            dklen=len(_unb64(expected)),
        )
        return hmac.compare_digest(digest, _unb64(expected))
    except (ValueError, TypeError):
        return False


#: Checked against when the username is unknown, so that the answer takes as long as for a known one.
_DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


def normalise_username(username: str) -> str:
    """The canonical username (trimmed, lower case); `ValidationError` unless 2..64 of a-z 0-9 . _ -."""
    name = username.strip().lower() if isinstance(username, str) else ""
    if not USERNAME.fullmatch(name):
        raise ValidationError("username must be 2..64 characters: a-z, 0-9, '.', '_' or '-', starting alphanumeric")
    return name


def check_password_policy(password: str) -> None:
    """`ValidationError` unless the password is 10..256 characters long."""
    if not isinstance(password, str) or not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise ValidationError(f"password must be {MIN_PASSWORD_CHARS}..{MAX_PASSWORD_CHARS} characters")


def generate_password() -> str:
    """A random password for `--generate` (about 120 bits)."""
    return secrets.token_urlsafe(15)


def _account(row: Agent) -> AgentAccount:
    return AgentAccount(row.id, row.username, row.role, bool(row.active), as_utc(row.created_at) or row.created_at)


class AgentAccountService:
    """Owns the account transactions."""

    def __init__(self, session_factory: SessionFactory, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = session_factory
        self._clock = clock

    async def upsert(self, username: str, password: str, role: str, active: bool = True) -> tuple[AgentAccount, bool]:
        """Create the account, or reset its password, role and active flag; (account, created)."""
        name = normalise_username(username)
        check_password_policy(password)
        try:
            role_value = AgentRole(role).value
        except ValueError:
            raise ValidationError("role must be agent or supervisor") from None
        hashed = await asyncio.to_thread(hash_password, password)
        async with self._sessions() as session, session.begin():
            row = (await session.execute(select(Agent).where(Agent.username == name))).scalar_one_or_none()
            created = row is None
            if row is None:
                row = Agent(username=name, created_at=self._clock())
                session.add(row)
            row.password_hash, row.role, row.active = hashed, role_value, active
            await session.flush()
            account = _account(row)
        logger.info("agent.account_%s id=%s role=%s", "created" if created else "updated", account.id, account.role)
        return account, created

    async def set_active(self, username: str, active: bool) -> AgentAccount:
        """Enable or disable an account (a disabled account's sessions stop working at once)."""
        name = normalise_username(username)
        async with self._sessions() as session, session.begin():
            row = (await session.execute(select(Agent).where(Agent.username == name))).scalar_one_or_none()
            if row is None:
                raise NotFoundError(f"no agent account {name!r}")
            row.active = active
            await session.flush()
            account = _account(row)
        logger.info("agent.account_%s id=%s", "enabled" if active else "disabled", account.id)
        return account

    async def authenticate(self, username: str, password: str) -> AgentAccount | None:
        """The active account when the password matches, else None (same cost whether or not the user exists)."""
        try:
            name = normalise_username(username)
        except ValidationError:
            name = ""
        row = await self._row(name) if name else None
        stored = row.password_hash if row is not None else _DUMMY_HASH
        ok = isinstance(password, str) and len(password) <= MAX_PASSWORD_CHARS and await asyncio.to_thread(
            verify_password, password, stored
        )
        if not ok or row is None or not row.active:
            return None
        return _account(row)

    async def get(self, username: str) -> AgentAccount | None:
        """The account named `username`, active or not; None when there is none."""
        try:
            row = await self._row(normalise_username(username))
        except ValidationError:
            return None
        return _account(row) if row is not None else None

    async def _row(self, name: str) -> Agent | None:
        async with self._sessions() as session:
            return (await session.execute(select(Agent).where(Agent.username == name))).scalar_one_or_none()
