"""`python -m bot agent-user`: create an agent console account, reset its password and role, or disable it."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Callable
from typing import TextIO

from bot.db.session import create_async_db_engine, make_session_factory
from bot.domain.errors import ValidationError
from bot.services.agents.accounts import AgentAccountService, check_password_policy, generate_password


def choose_password(
    from_env: str | None, generate: bool, prompt: Callable[[str], str] = getpass.getpass
) -> tuple[str, bool]:
    """The password to set and whether it was generated: `--generate`, else AGENT_PASSWORD, else asked twice."""
    if generate:
        return generate_password(), True
    if from_env:
        return from_env, False
    if not sys.stdin.isatty():
        raise ValidationError("no password: set AGENT_PASSWORD, use --generate, or run in a terminal")
    first = prompt("Password: ")
    check_password_policy(first)
    if prompt("Repeat password: ") != first:
        raise ValidationError("the passwords differ")
    return first, False


async def _run(
    database_url: str, username: str, role: str, password: str | None, disable: bool, generated: bool, out: TextIO
) -> int:
    engine = create_async_db_engine(database_url)
    try:
        accounts = AgentAccountService(make_session_factory(engine))
        if disable:
            account = await accounts.set_active(username, False)
            print(f"disabled agent {account.username}", file=sys.stderr)
            return 0
        assert password is not None
        account, created = await accounts.upsert(username, password, role)
    finally:
        await engine.dispose()
    verb = "created" if created else "updated (password, role; enabled)"
    print(f"{verb} agent {account.username} with role {account.role}", file=sys.stderr)
    if generated:
        # The password goes alone to stdout (so it can be piped); it is not stored and will not be shown again.
        print(password, file=out)
        print("store the generated password now: it will not be shown again", file=sys.stderr)
    return 0


def run_agent_user_command(
    database_url: str,
    username: str,
    role: str = "agent",
    password_from_env: str | None = None,
    generate: bool = False,
    disable: bool = False,
    out: TextIO | None = None,
) -> int:
    """Run one account command against the database; domain errors propagate (the CLI prints them, exit 2)."""
    password, generated = (None, False) if disable else choose_password(password_from_env, generate)
    return asyncio.run(_run(database_url, username, role, password, disable, generated, out or sys.stdout))
