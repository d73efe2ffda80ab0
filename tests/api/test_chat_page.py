"""The web chat page on our aiohttp service: served files and types, the Content-Security-Policy, where the page
is told Rasa is, and that nothing secret or script-injectable reaches the browser."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.settings import Settings
from bot.web.app import create_app
from bot.web.chat.page import STATIC_DIR

SECRETS: dict[str, Any] = {
    "rasa_token": "rasa-secret-6a1f0c",
    "agent_api_token": "agent-secret-93be17",
    "telegram_token": "123456:telegram-secret-55d2",
    "telegram_secret_token": "tg-header-secret-0c7e",
    "wechat_token": "wechat-secret-e41b",
    "wechat_app_secret": "wechat-app-secret-77aa",
    "wechat_aes_key": "wechat-aes-secret-1d3f",
}


MakeClient = Callable[..., Awaitable[TestClient]]


def _settings(db_url: str, **changes: Any) -> Settings:
    # The dispatcher needs Rasa (it would start because a Rasa token is set): off, it has nothing to do with the page.
    base = replace(Settings.from_env({}), database_url=db_url, rasa_port=5123, csat_dispatch_interval_s=0, **SECRETS)
    return replace(base, **changes)


@pytest.fixture
async def make_client(db_url: str) -> AsyncIterator[MakeClient]:
    """Start our service with the given settings changes (every secret set); closes them all afterwards."""
    clients: list[TestClient] = []

    async def make(**changes: Any) -> TestClient:
        client = TestClient(TestServer(create_app(_settings(db_url, **changes))))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


class _PageScan(HTMLParser):
    """What the page loads, and anything that would need 'unsafe-inline'."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name, _ in attrs:
            if name.startswith("on") or name == "style":
                self.inline.append(f"<{tag} {name}>")
        if tag == "script":
            self._in_script = True
            if not found.get("src"):
                self.inline.append("<script> without src")
        if tag == "style":
            self.inline.append("<style>")
        for attribute in ("src", "href"):
            if found.get(attribute):
                self.assets.append(str(found[attribute]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append("inline script body")


def _csp(header: str) -> dict[str, str]:
    directives = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {d[0]: (d[1] if len(d) > 1 else "") for d in directives}


async def test_page_is_html_with_a_strict_content_security_policy(make_client: MakeClient) -> None:
    client = await make_client()
    response = await client.get("/chat")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = _csp(response.headers["Content-Security-Policy"])
    assert csp["default-src"] == "'none'"
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["connect-src"] == "'self' http://127.0.0.1:5123"
    assert csp["frame-ancestors"] == "'self'" and csp["base-uri"] == "'none'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]


async def test_page_has_no_inline_code_and_every_asset_is_served_with_its_type(make_client: MakeClient) -> None:
    client = await make_client()
    scan = _PageScan()
    scan.feed(await (await client.get("/chat")).text())
    assert scan.inline == []
    expected = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    assert {Path(a).suffix for a in scan.assets} == set(expected)
    for asset in scan.assets:
        assert asset.startswith("/chat/static/"), asset  # nothing from another origin, no CDN
        response = await client.get(asset)
        assert response.status == 200, asset
        assert response.content_type == expected[Path(asset).suffix], asset
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert len(await response.read()) > 100


@pytest.mark.parametrize(
    "path", ["/chat/static/nope.js", "/chat/static/chat.html", "/chat/static/..%2F..%2Fchat.py", "/chat/static/"]
)
async def test_only_the_listed_assets_are_served(make_client: MakeClient, path: str) -> None:
    client = await make_client()
    response = await client.get(path)
    assert response.status == 404
    assert "import" not in await response.text()


async def test_config_points_the_page_at_rasa_on_the_same_host(make_client: MakeClient) -> None:
    client = await make_client()
    response = await client.get("/chat/config.json")
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    assert await response.json() == {"rasaUrl": "http://127.0.0.1:5123", "webhookPath": "/webhooks/rest/webhook"}

    # Opened as http://chat.example.com:8080/chat: the page is told that host; its policy allows just that origin.
    headers = {"Host": "chat.example.com:8080"}
    body = await (await client.get("/chat/config.json", headers=headers)).json()
    assert body["rasaUrl"] == "http://chat.example.com:5123"
    page = await client.get("/chat", headers=headers)
    assert _csp(page.headers["Content-Security-Policy"])["connect-src"] == "'self' http://chat.example.com:5123"


async def test_an_ipv6_host_is_bracketed(make_client: MakeClient) -> None:
    client = await make_client()
    body = await (await client.get("/chat/config.json", headers={"Host": "[::1]:8080"})).json()
    assert body["rasaUrl"] == "http://[::1]:5123"


@pytest.mark.parametrize("host", ["evil.com;a", "evil.com;script-src *", "ev,il.com", "evil.com'"])
async def test_a_host_header_cannot_inject_into_the_policy(make_client: MakeClient, host: str) -> None:
    client = await make_client()
    for path in ("/chat", "/chat/config.json"):
        response = await client.get(path, headers={"Host": host})
        assert response.status == 400, (path, response.headers.get("Content-Security-Policy"))
        assert host not in await response.text()


async def test_a_configured_public_rasa_url_wins(make_client: MakeClient) -> None:
    client = await make_client(extra={"CHAT_RASA_URL": "https://bot.example.com/some/path/"})
    body = await (await client.get("/chat/config.json")).json()
    assert body["rasaUrl"] == "https://bot.example.com/some/path"  # a path prefix (Rasa behind a proxy) is kept
    page = await client.get("/chat")
    assert _csp(page.headers["Content-Security-Policy"])["connect-src"] == "'self' https://bot.example.com"


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "bot.example.com", "ftp://bot.example.com"])
def test_a_bad_public_rasa_url_stops_the_service_from_starting(db_url: str, bad: str) -> None:
    with pytest.raises(ValueError, match="CHAT_RASA_URL must be an absolute http"):
        create_app(_settings(db_url, extra={"CHAT_RASA_URL": bad}))


async def test_frame_ancestors_can_be_widened(make_client: MakeClient) -> None:
    client = await make_client(extra={"CHAT_FRAME_ANCESTORS": "https://brand.example.com"})
    csp = _csp((await client.get("/chat")).headers["Content-Security-Policy"])
    assert csp["frame-ancestors"] == "https://brand.example.com"


@pytest.mark.parametrize("bad", ["* ; script-src *", "https://a.example.com;", "'unsafe-inline'"])
def test_frame_ancestors_cannot_inject_directives(db_url: str, bad: str) -> None:
    with pytest.raises(ValueError, match="CHAT_FRAME_ANCESTORS must be origins"):
        create_app(_settings(db_url, extra={"CHAT_FRAME_ANCESTORS": bad}))


async def test_no_secret_reaches_the_browser(make_client: MakeClient) -> None:
    client = await make_client()
    served = ""
    for path in ["/chat", "/chat/config.json", *(f"/chat/static/{name}" for name in ("chat.js", "chat.css"))]:
        response = await client.get(path)
        assert response.status == 200, path
        served += await response.text() + str(dict(response.headers))
    for name, value in SECRETS.items():
        assert value not in served, name
    assert not re.search(r"(?i)token|secret", served)  # not even the names of settings


class _ButtonScan(HTMLParser):
    """The tags and text inside the share-location button, and its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.attrs: dict[str, str | None] = {}
        self.tags: list[str] = []
        self.text = ""
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth:
            self.tags.append(tag)
            self._depth += tag == "button"
        elif tag == "button" and dict(attrs).get("id") == "share-location":
            self.attrs, self._depth = dict(attrs), 1

    def handle_endtag(self, tag: str) -> None:
        if self._depth and tag == "button":
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.text += data


PIN_EMOJI = "\N{ROUND PUSHPIN}"


async def test_the_share_location_button_is_an_svg_pin_with_a_label_and_no_emoji(make_client: MakeClient) -> None:
    """Many Linux machines (headless Chromium among them) have no emoji font: the pin is drawn, never a glyph."""
    client = await make_client()
    page = await (await client.get("/chat")).text()
    scan = _ButtonScan()
    scan.feed(page)
    assert scan.tags[:2] == ["svg", "path"], scan.tags
    assert scan.text.strip() == "" and PIN_EMOJI not in page
    assert scan.attrs["aria-label"] == scan.attrs["title"] == "分享我的位置"  # the page's first language
    assert (scan.attrs["data-i18n-label"], scan.attrs["data-i18n-title"]) == ("shareLocation", "shareLocation")
    strings = await (await client.get("/chat/static/chat-strings.js")).text()
    assert PIN_EMOJI not in strings
    assert 'shareLocation: "分享我的位置"' in strings and 'shareLocation: "Share my location"' in strings
    assert 'locationShared: "我的位置"' in strings and 'locationShared: "My location"' in strings
    # The script draws the pin where a text has the emoji (a shared location's bubble, the bot repeating it back).
    script = await (await client.get("/chat/static/chat.js")).text()
    assert PIN_EMOJI not in script and "pinIcon()" in script


def test_the_script_never_writes_html_from_text() -> None:
    """Message text goes in with textContent only: no HTML sinks anywhere in the page's script."""
    source = (STATIC_DIR / "chat.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in source, sink
    assert "textContent" in source


async def test_trailing_slash_redirects_to_the_page(make_client: MakeClient) -> None:
    client = await make_client()
    response = await client.get("/chat/?lang=en", allow_redirects=False)
    assert response.status == 301 and response.headers["Location"] == "/chat?lang=en"
