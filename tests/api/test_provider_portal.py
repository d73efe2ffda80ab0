"""The provider portal's files as our service serves them: the page under a strict CSP, only its own assets, no
secrets in anything it serves, and every text of the page in both languages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.settings import Settings
from bot.web.app import create_app
from bot.web.providers.portal import ASSETS, STATIC_DIR

SECRETS = {"AGENT_API_TOKEN": "agent-token-never-served", "PROVIDER_TELEGRAM_TOKEN": "999:provider-token-never-served",
           "PROVIDER_TELEGRAM_SECRET_TOKEN": "provider-secret-never-served", "RASA_TOKEN": "rasa-token-never-served"}


@pytest.fixture
async def client(db_url: str) -> AsyncIterator[TestClient]:
    env = {**SECRETS, "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9", "PROVIDER_TELEGRAM_INTERVAL_S": "0",
           "WEBHOOK_INTERVAL_S": "0", "SLA_SWEEP_INTERVAL_S": "0", "CSAT_DISPATCH_INTERVAL_S": "0"}
    test_client = TestClient(TestServer(create_app(replace(Settings.from_env(env), database_url=db_url))))
    await test_client.start_server()
    yield test_client
    await test_client.close()


async def test_the_page_is_served_with_a_strict_policy(client: TestClient) -> None:
    response = await client.get("/provider")
    assert response.status == 200 and response.content_type == "text/html"
    policy = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'",
                      "form-action 'none'", "base-uri 'none'"):
        assert directive in policy
    assert "unsafe" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    html = await response.text()
    assert "<script>" not in html and " on" not in re.sub(r"\s+", " ", html).replace(" one", "")
    for name in ASSETS:
        assert f"/provider/static/{name}" in html


async def test_the_trailing_slash_redirects_to_the_page(client: TestClient) -> None:
    response = await client.get("/provider/", allow_redirects=False)
    assert response.status == 301 and response.headers["Location"] == "/provider"


@pytest.mark.parametrize("name", sorted(ASSETS))
async def test_each_asset_is_served_with_its_type(client: TestClient, name: str) -> None:
    response = await client.get(f"/provider/static/{name}")
    assert response.status == 200
    assert response.headers["Content-Type"] == ASSETS[name]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", ["provider.html", "..%2Fprovider_portal.py", "%2E%2E%2Fapp.py", "chat.js", "x.js"])
async def test_nothing_else_is_served(client: TestClient, name: str) -> None:
    assert (await client.get(f"/provider/static/{name}")).status == 404


async def test_no_secret_is_in_anything_the_portal_serves(client: TestClient) -> None:
    bodies = [await (await client.get("/provider")).text()]
    for name in ASSETS:
        bodies.append(await (await client.get(f"/provider/static/{name}")).text())
    served = "\n".join(bodies)
    for secret in SECRETS.values():
        assert secret not in served
    assert not re.search(r"psk_[A-Za-z0-9_-]{8,}", served)  # no API key, only the "psk_…" hint


async def test_the_api_the_page_uses_answers_401_without_a_key(client: TestClient) -> None:
    response = await client.get("/api/v1/provider/me")
    assert response.status == 401 and (await response.json())["code"] == "unauthorised"


def _keys(block: str) -> set[str]:
    """The object keys in a block of strings.js (quoted keys unquoted, string values dropped)."""
    block = re.sub(r'"((?:[^"\\]|\\.)*)"(\s*:)', r"\1\2", block)
    return set(re.findall(r"([A-Za-z_]+)\s*:", re.sub(r'"(?:[^"\\]|\\.)*"', '""', block)))


def test_every_text_key_exists_in_both_languages() -> None:
    strings = (STATIC_DIR / "strings.js").read_text(encoding="utf-8")
    zh_block, en_block = strings.split("\n    en: {", 1)
    assert _keys(zh_block.split("zh: {", 1)[1]) == _keys(en_block)
    used: set[str] = set()
    for name in ("provider.html", "provider.js", "detail.js"):
        source = (STATIC_DIR / name).read_text(encoding="utf-8")
        used |= set(re.findall(r'data-i18n(?:-label)?="([A-Za-z_]+)"', source))
        used |= set(re.findall(r'\bt\("([A-Za-z_]+)"\)', source))
    assert used and used <= _keys(en_block), used - _keys(en_block)


def test_the_scripts_never_write_html() -> None:
    for name in ("strings.js", "provider.js", "detail.js"):
        source = (STATIC_DIR / name).read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in source, (name, sink)
