"""`python -m bot provider-key`: issue, list or revoke an outlet's provider-API keys from the command line."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.db.session import create_async_db_engine, make_session_factory
from bot.services.providers.keys import KeyInfo, ProviderKeyService


def _describe(info: KeyInfo) -> str:
    state = f"revoked {info.revoked_at:%Y-%m-%d %H:%M}" if info.revoked_at else "active"
    used = f"{info.last_used_at:%Y-%m-%d %H:%M}" if info.last_used_at else "never"
    label = f" label={info.label!r}" if info.label else ""
    return f"{info.prefix} outlet={info.outlet_code} created={info.created_at:%Y-%m-%d} last_used={used} {state}{label}"


async def _run(
    database_url: str, outlet: str | None, revoke: str | None, list_only: bool, label: str | None, out: TextIO
) -> int:
    engine = create_async_db_engine(database_url)
    try:
        keys = ProviderKeyService(make_session_factory(engine))
        if revoke:
            print(f"revoked {_describe(await keys.revoke(revoke))}", file=sys.stderr)
        elif outlet and list_only:
            for info in await keys.list_keys(outlet):
                print(_describe(info), file=out)
        elif outlet:
            issued = await keys.issue(outlet, label)
            # The key goes alone to stdout (so it can be piped into a secret store); the notice to stderr.
            print(issued.key, file=out)
            print(
                f"issued {issued.info.prefix} for outlet {issued.info.outlet_code} (id {issued.info.outlet_id}); "
                "store it now: it is not stored and will not be shown again",
                file=sys.stderr,
            )
    finally:
        await engine.dispose()
    return 0


def run_provider_key_command(
    database_url: str,
    outlet: str | None = None,
    revoke: str | None = None,
    list_only: bool = False,
    label: str | None = None,
    out: TextIO | None = None,
) -> int:
    """Run one key command against the database; domain errors propagate (the CLI prints them, exit 2)."""
    return asyncio.run(_run(database_url, outlet, revoke, list_only, label, out or sys.stdout))
