"""Per-outlet API keys for the provider API: issue (shown once), revoke, authenticate.

A key is `psk_` + 43 URL-safe characters (256 random bits). Only its SHA-256 is stored: with that much entropy a
slow password hash adds nothing, and a plain digest lets authentication be one indexed look-up. The first
`PREFIX_LENGTH` characters are stored too: they name a key (logs, revocation) without granting anything.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.db.models import Outlet, ProviderApiKey, as_utc, utcnow
from bot.db.repositories.outlets import outlet_by_ref
from bot.db.session import SessionFactory
from bot.domain.errors import ConflictError, NotFoundError

logger = logging.getLogger(__name__)

KEY_SCHEME = "psk_"
PREFIX_LENGTH = 12  # "psk_" + 8 random characters: 48 bits, enough to name keys apart
MAX_KEY_LENGTH = 128  # anything longer is not one of ours: refuse before hashing
#: `last_used_at` is written at most this often per key, so that busy clients do not write on every request.
LAST_USED_RESOLUTION = timedelta(seconds=60)
_ISSUE_ATTEMPTS = 3


@dataclass(frozen=True)
class OutletIdentity:
    """Who an authenticated provider request acts for."""

    outlet_id: int
    outlet_code: str
    key_prefix: str

    @property
    def actor(self) -> str:
        """The actor written on ticket events: `outlet:<code>`."""
        return f"outlet:{self.outlet_code}"


@dataclass(frozen=True)
class KeyInfo:
    """A stored key, without its secret."""

    prefix: str
    outlet_id: int
    outlet_code: str
    label: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class IssuedKey:
    """A freshly issued key: `key` is the only copy there will ever be."""

    key: str
    info: KeyInfo


def hash_key(key: str) -> str:
    """The stored form of a key: hex SHA-256."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _looks_like_key(presented: str) -> bool:
    return (
        presented.startswith(KEY_SCHEME)
        and PREFIX_LENGTH < len(presented) <= MAX_KEY_LENGTH
        and presented.isascii()
        and presented.isprintable()
    )


def _info(row: ProviderApiKey, outlet_code: str) -> KeyInfo:
    return KeyInfo(
        row.prefix, row.outlet_id, outlet_code, row.label, as_utc(row.created_at) or row.created_at,
        as_utc(row.last_used_at), as_utc(row.revoked_at),
    )


class ProviderKeyService:
    """Owns the key transactions."""

    def __init__(self, session_factory: SessionFactory, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = session_factory
        self._clock = clock

    async def issue(self, outlet_ref: str, label: str | None = None) -> IssuedKey:
        """A new key for the outlet given by id (digits) or code; the plain key is returned once, never stored."""
        label = (label or "").strip()[:80] or None
        for _ in range(_ISSUE_ATTEMPTS):
            key = KEY_SCHEME + secrets.token_urlsafe(32)
            try:
                async with self._sessions() as session, session.begin():
                    outlet = await outlet_by_ref(session, outlet_ref)
                    row = ProviderApiKey(
                        outlet_id=outlet.id, prefix=key[:PREFIX_LENGTH], key_sha256=hash_key(key), label=label,
                        created_at=self._clock(),
                    )
                    session.add(row)
                    await session.flush()
                    info = _info(row, outlet.code)
            except IntegrityError:
                continue  # a prefix collision (one in 2^48): draw again
            logger.info("provider_key.issued prefix=%s outlet=%s", info.prefix, info.outlet_code)
            return IssuedKey(key, info)
        raise ConflictError("could not allocate a unique key prefix")

    async def revoke(self, prefix: str) -> KeyInfo:
        """Revoke the key with this prefix; revoking twice keeps the first revocation time."""
        async with self._sessions() as session, session.begin():
            found = (
                await session.execute(
                    select(ProviderApiKey, Outlet.code)
                    .join(Outlet, Outlet.id == ProviderApiKey.outlet_id)
                    .where(ProviderApiKey.prefix == prefix.strip())
                )
            ).one_or_none()
            if found is None:
                raise NotFoundError(f"no API key with prefix {prefix.strip()[:PREFIX_LENGTH]!r}")
            row, code = found
            if row.revoked_at is None:
                row.revoked_at = self._clock()
                await session.flush()
            info = _info(row, code)
        logger.info("provider_key.revoked prefix=%s outlet=%s", info.prefix, info.outlet_code)
        return info

    async def list_keys(self, outlet_ref: str) -> list[KeyInfo]:
        """An outlet's keys (prefixes and dates only), oldest first."""
        async with self._sessions() as session:
            outlet = await outlet_by_ref(session, outlet_ref)
            rows = (
                await session.execute(
                    select(ProviderApiKey).where(ProviderApiKey.outlet_id == outlet.id).order_by(ProviderApiKey.id)
                )
            ).scalars().all()
            return [_info(row, outlet.code) for row in rows]

    async def authenticate(self, presented: str) -> OutletIdentity | None:
        """The outlet a key belongs to; None for a malformed, unknown or revoked key."""
        presented = presented.strip()
        if not _looks_like_key(presented):
            return None
        now = self._clock()
        async with self._sessions() as session, session.begin():
            found = (
                await session.execute(
                    select(
                        ProviderApiKey.id, ProviderApiKey.prefix, ProviderApiKey.last_used_at, Outlet.id, Outlet.code
                    )
                    .join(Outlet, Outlet.id == ProviderApiKey.outlet_id)
                    .where(ProviderApiKey.key_sha256 == hash_key(presented), ProviderApiKey.revoked_at.is_(None))
                )
            ).one_or_none()
            if found is None:
                return None
            key_id, prefix, last_used, outlet_id, outlet_code = found
            last_used = as_utc(last_used)
            if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
                await session.execute(
                    update(ProviderApiKey)
                    .where(ProviderApiKey.id == key_id)
                    .values(last_used_at=now)
                    .execution_options(synchronize_session=False)
                )
        return OutletIdentity(int(outlet_id), str(outlet_code), str(prefix))

