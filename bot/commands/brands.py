"""`python -m bot brand …`: list brands, add one (served or not), add or remove its aliases and support handles."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from typing import TextIO

from bot.db.session import create_async_db_engine, make_session_factory
from bot.services.catalogue.brand_admin import BrandAdminService, BrandListing

RETRAIN_HINT = "run `python -m bot catalogue-export` and `make train` to teach the NLU"


def describe(brand: BrandListing) -> str:
    """One line per brand: code, names, whether we service it, aliases and handles."""
    served = "served" if brand.served else "unserved"
    aliases = ", ".join(brand.aliases) or "-"
    handles = ", ".join(f"@{h}" for h in brand.handles) or "-"
    return f"{brand.code}\t{brand.name_en}\t{brand.name_zh}\t{served}\taliases: {aliases}\thandles: {handles}"


async def _run(
    database_url: str, action: str, code: str | None, name_en: str | None, name_zh: str | None,
    aliases: Sequence[str], handles: Sequence[str], unserved: bool, home_country: str, add: str | None,
    remove: str | None, out: TextIO,
) -> int:
    engine = create_async_db_engine(database_url)
    try:
        admin = BrandAdminService(make_session_factory(engine))
        if action == "list":
            for brand in await admin.list_brands(unserved):
                print(describe(brand), file=out)
            return 0
        assert code is not None, "argparse requires --code"
        if action == "add":
            assert name_en is not None and name_zh is not None, "argparse requires the names"
            brand = await admin.add_brand(code, name_en, name_zh, aliases, handles, unserved, home_country)
            verb = "added"
        elif action == "alias":
            brand = await admin.change_alias(code, add, remove)
            verb = f"added alias {add!r} to" if add is not None else f"removed alias {remove!r} from"
        else:
            brand = await admin.change_handle(code, add, remove)
            verb = f"added handle {add!r} to" if add is not None else f"removed handle {remove!r} from"
    finally:
        await engine.dispose()
    print(f"{verb} brand: {describe(brand)}", file=sys.stderr)
    print(RETRAIN_HINT, file=sys.stderr)
    return 0


def run_brand_command(
    database_url: str,
    action: str,
    code: str | None = None,
    name_en: str | None = None,
    name_zh: str | None = None,
    aliases: Sequence[str] = (),
    handles: Sequence[str] = (),
    unserved: bool = False,
    home_country: str = "CN",
    add: str | None = None,
    remove: str | None = None,
    out: TextIO | None = None,
) -> int:
    """Run one brand command (list, add, alias, handle); domain errors propagate (the CLI prints them, exit 2)."""
    return asyncio.run(_run(
        database_url, action, code, name_en, name_zh, aliases, handles, unserved, home_country, add, remove,
        out or sys.stdout,
    ))
