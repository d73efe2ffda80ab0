"""Provider API keys: issued once, stored as a hash, authenticated, revoked; and `python -m bot provider-key`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cli import main
from bot.db.models import Outlet, Provider, ProviderApiKey
from bot.db.session import create_sync_engine
from bot.domain.errors import NotFoundError, ValidationError
from bot.services.providers.keys import ProviderKeyService, hash_key
from tests.factories import make_outlet
from tests.fakes.clock import Clock

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
async def outlet_id(session_factory) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as session, session.begin():
        return (await make_outlet(session, 22.5, 113.9, code="SZ-001")).id


async def _row(session_factory, prefix: str) -> ProviderApiKey:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return (await session.execute(select(ProviderApiKey).where(ProviderApiKey.prefix == prefix))).scalar_one()


async def test_issue_stores_only_a_hash_and_authenticates(session_factory, outlet_id: int) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(T0)
    keys = ProviderKeyService(session_factory, clock=clock)
    issued = await keys.issue("SZ-001", label="front desk")
    assert issued.key.startswith("psk_") and len(issued.key) >= 40 and issued.info.prefix == issued.key[:12]
    by_id = await keys.issue(str(outlet_id))
    assert by_id.info.outlet_code == "SZ-001" and by_id.key != issued.key
    row = await _row(session_factory, issued.info.prefix)
    assert row.key_sha256 == hash_key(issued.key) and issued.key not in (row.key_sha256, row.prefix, row.label)
    assert row.last_used_at is None

    identity = await keys.authenticate(f"  {issued.key} ")
    assert identity is not None and (identity.outlet_id, identity.outlet_code) == (outlet_id, "SZ-001")
    assert identity.actor == "outlet:SZ-001" and identity.key_prefix == issued.info.prefix
    assert (await _row(session_factory, issued.info.prefix)).last_used_at is not None
    for wrong in ("", "psk_", issued.key + "x", issued.key[:-1], "Bearer " + issued.key, "psk_密钥" * 5, "x" * 500):
        assert await keys.authenticate(wrong) is None


async def test_last_used_is_written_at_most_once_a_minute(session_factory, outlet_id: int) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(T0)
    keys = ProviderKeyService(session_factory, clock=clock)
    issued = await keys.issue("SZ-001")
    await keys.authenticate(issued.key)
    clock.now = T0 + timedelta(seconds=30)
    await keys.authenticate(issued.key)
    used = (await _row(session_factory, issued.info.prefix)).last_used_at
    assert used is not None and used.replace(tzinfo=timezone.utc) == T0
    clock.now = T0 + timedelta(minutes=2)
    await keys.authenticate(issued.key)
    used = (await _row(session_factory, issued.info.prefix)).last_used_at
    assert used is not None and used.replace(tzinfo=timezone.utc) == T0 + timedelta(minutes=2)


async def test_revoked_key_no_longer_authenticates(session_factory, outlet_id: int) -> None:  # type: ignore[no-untyped-def]
    keys = ProviderKeyService(session_factory)
    issued, other = await keys.issue("SZ-001"), await keys.issue("SZ-001")
    info = await keys.revoke(issued.info.prefix)
    assert info.revoked_at is not None
    assert (await keys.revoke(issued.info.prefix)).revoked_at == info.revoked_at  # twice: same revocation
    assert await keys.authenticate(issued.key) is None
    assert await keys.authenticate(other.key) is not None  # only that key
    listed = await keys.list_keys("SZ-001")
    assert [(k.prefix, k.revoked_at is not None) for k in listed] == [(issued.info.prefix, True),
                                                                       (other.info.prefix, False)]
    with pytest.raises(NotFoundError):
        await keys.revoke("psk_nothere")


async def test_unknown_outlet(session_factory, outlet_id: int) -> None:  # type: ignore[no-untyped-def]
    keys = ProviderKeyService(session_factory)
    for ref in ("NOPE", "999999", "12345678901234567890"):
        with pytest.raises(NotFoundError):
            await keys.issue(ref)
    with pytest.raises(ValidationError):
        await keys.issue("  ")


def _sync_outlet(db_url: str) -> int:
    engine = create_sync_engine(db_url)
    try:
        with Session(engine) as session, session.begin():
            provider = Provider(code="P-CLI", name_zh="服务商", name_en="Provider", country="CN")
            session.add(provider)
            session.flush()
            outlet = Outlet(provider_id=provider.id, code="CLI-1", name_zh="网点", name_en="Outlet", address="x",
                            country="CN", lat=22.5, lon=113.9)
            session.add(outlet)
            session.flush()
            return outlet.id
    finally:
        engine.dispose()


def test_cli_issues_lists_and_revokes(db_url: str, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    outlet_id = _sync_outlet(db_url)
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["provider-key", "--outlet", "CLI-1", "--label", "workshop"]) == 0
    out, err = capsys.readouterr()
    key = out.strip()
    assert key.startswith("psk_") and "\n" not in key and key not in err
    assert "issued" in err and "will not be shown again" in err and key[:12] in err
    assert main(["provider-key", "--outlet", str(outlet_id)]) == 0
    second = capsys.readouterr().out.strip()
    assert second != key
    assert main(["provider-key", "--outlet", "CLI-1", "--list"]) == 0
    listing = capsys.readouterr().out
    assert key[:12] in listing and second[:12] in listing and key not in listing and "label='workshop'" in listing
    assert main(["provider-key", "--revoke", key[:12]]) == 0
    assert "revoked" in capsys.readouterr().err
    assert main(["provider-key", "--outlet", "NOPE"]) == 2
    assert "no outlet" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # one of --outlet / --revoke is required
        main(["provider-key"])
