"""`python -m bot provider-telegram`: set the Telegram group an outlet is notified in, or disable it."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.db.session import create_async_db_engine, make_session_factory
from bot.services.providers.telegram_config import ProviderTelegramConfig, parse_chat_id


async def _run(database_url: str, outlet: str, chat_id: str | None, disable: bool, out: TextIO) -> int:
    engine = create_async_db_engine(database_url)
    try:
        config = ProviderTelegramConfig(make_session_factory(engine))
        if disable:
            dropped = await config.disable(outlet)
            print(f"Telegram group of outlet {outlet} disabled; {dropped} pending notices dropped", file=out)
        elif chat_id is not None:
            done = await config.configure(outlet, parse_chat_id(chat_id))
            print(f"outlet {done.outlet_code} (id {done.outlet_id}) is notified in Telegram group {done.chat_id}; "
                  "add the provider bot to that group", file=out)
        else:
            print("provider-telegram: give --chat-id ID or --disable", file=sys.stderr)
            return 2
    finally:
        await engine.dispose()
    return 0


def run_provider_telegram_command(
    database_url: str, outlet: str, chat_id: str | None = None, disable: bool = False, out: TextIO | None = None
) -> int:
    """Run one group command against the database; domain errors propagate (the CLI prints them, exit 2)."""
    return asyncio.run(_run(database_url, outlet, chat_id, disable, out or sys.stdout))
