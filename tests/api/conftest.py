"""Shared fixtures of the API tests: our service on a free port, and the agent console's accounts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient

from bot.db.session import SessionFactory
from bot.services.agents.accounts import AgentAccountService
from bot.settings import Settings
from tests.api.service import Serve, start_app


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Starts our whole service with the given settings; every one started is closed after the test."""
    started: list[TestClient] = []

    async def start(settings: Settings) -> TestClient:
        client = await start_app(settings)
        started.append(client)
        return client

    yield start
    for client in started:
        await client.close()


@pytest.fixture
async def console_accounts(session_factory: SessionFactory) -> None:
    """The console's accounts: alice (an agent, password "alice password") and sam (a supervisor, "sam password!")."""
    accounts = AgentAccountService(session_factory)
    await accounts.upsert("alice", "alice password", "agent")
    await accounts.upsert("sam", "sam password!", "supervisor")
