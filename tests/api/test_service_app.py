"""Our aiohttp service: app factory, /healthz, error handling."""

from __future__ import annotations

from dataclasses import replace

from aiohttp.test_utils import TestClient, TestServer

from bot.settings import Settings
from bot.web.app import create_app


async def _client(settings: Settings) -> TestClient:
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    return client


async def test_healthz_reports_database_up(db_url: str) -> None:
    client = await _client(replace(Settings.from_env({}), database_url=db_url))
    try:
        response = await client.get("/healthz")
        assert response.status == 200
        body = await response.json()
        assert body["status"] == "ok" and body["database"] == "up"
    finally:
        await client.close()


async def test_healthz_is_503_when_database_is_unreachable() -> None:
    settings = replace(Settings.from_env({}), database_url="postgresql://nobody@127.0.0.1:1/none")
    client = await _client(settings)
    try:
        response = await client.get("/healthz")
        assert response.status == 503
        assert (await response.json())["database"] == "down"
    finally:
        await client.close()


async def test_unknown_path_is_json_404(db_url: str) -> None:
    client = await _client(replace(Settings.from_env({}), database_url=db_url))
    try:
        response = await client.get("/nope")
        assert response.status == 404
        assert (await response.json())["error"] == "Not Found"
    finally:
        await client.close()
