"""Our aiohttp service under aiohttp's test client, and the agent console's settings, for the API tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot.settings import Settings
from bot.web.app import create_app

#: Starts the service with the given settings (the `serve` fixture: closed after the test).
Serve = Callable[[Settings], Awaitable[TestClient]]


async def start_app(settings: Settings) -> TestClient:
    """Our whole service (`create_app(settings)`) on a free port; the caller closes it."""
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    return client


def console_settings(db_url: str, rasa_url: str, agent_token: str, **overrides: Any) -> Settings:
    """Settings of the agent console's tests: the agent token, a Rasa token and URL, a session secret, no CSAT
    dispatcher and no webhook outbox; `overrides` replace any field."""
    base = Settings.from_env({"AGENT_API_TOKEN": agent_token, "RASA_TOKEN": "rasa-token", "RASA_URL": rasa_url,
                              "AGENT_SESSION_SECRET": "a-long-enough-session-secret"})
    return replace(base, database_url=db_url, csat_dispatch_interval_s=0, webhook_interval_s=0, **overrides)
