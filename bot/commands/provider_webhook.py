"""`python -m bot provider-webhook`: set an outlet's webhook URL (printing its new secret once) or disable it."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.db.session import create_async_db_engine, make_session_factory
from bot.services.webhooks.config import WebhookConfigService


async def _run(database_url: str, outlet: str, url: str | None, disable: bool, out: TextIO) -> int:
    engine = create_async_db_engine(database_url)
    try:
        config = WebhookConfigService(make_session_factory(engine))
        if disable:
            dropped = await config.disable(outlet)
            print(f"webhook of outlet {outlet} disabled; {dropped} pending deliveries dropped", file=sys.stderr)
        elif url:
            done = await config.configure(outlet, url)
            # The secret goes alone to stdout (so it can be piped into the receiver's secret store).
            print(done.secret, file=out)
            print(
                f"webhook of outlet {done.outlet_code} (id {done.outlet_id}) set and enabled; this is its signing "
                "secret: store it now, it will not be shown again (configure again to rotate it)",
                file=sys.stderr,
            )
        else:
            print("provider-webhook: give --url URL or --disable", file=sys.stderr)
            return 2
    finally:
        await engine.dispose()
    return 0


def run_provider_webhook_command(
    database_url: str, outlet: str, url: str | None = None, disable: bool = False, out: TextIO | None = None
) -> int:
    """Run one webhook command against the database; domain errors propagate (the CLI prints them, exit 2)."""
    return asyncio.run(_run(database_url, outlet, url, disable, out or sys.stdout))
