"""The customer web chat: `/chat` serves a static page that talks to Rasa's REST channel from the browser.

The page is plain HTML/JS/CSS from `bot/web/static/chat/` (no build step, nothing fetched from elsewhere). It learns
where Rasa is from `/chat/config.json`: `CHAT_RASA_URL` when set (Rasa behind a proxy or on another host), otherwise
Rasa's port on the host the page was loaded from. The same origin goes into the page's Content-Security-Policy, so
the page can reach nothing else.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from aiohttp import web
from yarl import URL

from bot.settings import Settings
from bot.web.keys import CHAT_CONFIG_KEY, ChatConfig

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "chat"
REST_WEBHOOK_PATH = "/webhooks/rest/webhook"
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?\.?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")
_FRAME_SOURCE = re.compile(r"'self'|'none'|https?://(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?")

#: The only files `/chat/static/` serves, with their types: an allow-list, so no path ever reaches the filesystem.
ASSETS: dict[str, str] = {
    "chat.js": "text/javascript; charset=utf-8",
    "chat-strings.js": "text/javascript; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}

_COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def chat_config_from(settings: Settings) -> ChatConfig:
    """Validate `CHAT_RASA_URL` and `CHAT_FRAME_ANCESTORS` (ValueError: the service must not start with them)."""
    public: str | None = None
    configured = settings.chat_rasa_url or ""
    if configured:
        url = URL(configured)
        if url.scheme not in ("http", "https") or not url.host or not _HOST.fullmatch(url.host):
            raise ValueError("CHAT_RASA_URL must be an absolute http(s) URL, e.g. https://bot.example.com/rasa")
        public = str(url.with_query(None).with_fragment(None)).rstrip("/")
    ancestors = settings.chat_frame_ancestors or "'self'"
    if not all(_FRAME_SOURCE.fullmatch(source) for source in ancestors.split()):
        raise ValueError("CHAT_FRAME_ANCESTORS must be origins like https://www.brand.com, separated by spaces")
    return ChatConfig(settings.rasa_port, public, ancestors)


def setup_web_chat(app: web.Application, settings: Settings) -> None:
    """Mount `/chat`, `/chat/config.json` and `/chat/static/{name}` on `app`."""
    app[CHAT_CONFIG_KEY] = chat_config_from(settings)
    app.router.add_get("/chat", chat_page)
    app.router.add_get("/chat/", _redirect_to_page)
    app.router.add_get("/chat/config.json", chat_config)
    app.router.add_get("/chat/static/{name}", chat_asset)


def rasa_url(request: web.Request, config: ChatConfig) -> str:
    """Where the browser reaches Rasa: `CHAT_RASA_URL`, else Rasa's port on the host the page came from."""
    if config.public_rasa_url:
        return config.public_rasa_url
    # Parsed from the Host header here: `request.url` of aiohttp 3.9 cannot build a URL with newer yarl versions.
    try:
        host = URL(f"//{request.host}").host
    except ValueError:
        host = None
    if not host or not _HOST.fullmatch(host):  # it goes into a header: a hostname or an IP literal, nothing else
        logger.debug("web_chat.bad_host_header")
        raise web.HTTPBadRequest(reason="bad Host header")
    return str(URL.build(scheme=request.scheme, host=host, port=config.rasa_port))


def content_security_policy(rasa: str, frame_ancestors: str = "'self'") -> str:
    """A policy that lets the page load only its own files and talk only to us and to Rasa (`rasa`'s origin)."""
    return "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        f"connect-src 'self' {URL(rasa).origin()}",
        "base-uri 'none'",
        "form-action 'none'",
        f"frame-ancestors {frame_ancestors}",
    ])


async def chat_page(request: web.Request) -> web.StreamResponse:
    """`GET /chat`: the chat page, with a strict Content-Security-Policy."""
    config = request.app[CHAT_CONFIG_KEY]
    headers = {
        **_COMMON_HEADERS,
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": content_security_policy(rasa_url(request, config), config.frame_ancestors),
        "Cache-Control": "no-cache",
    }
    return web.FileResponse(STATIC_DIR / "chat.html", headers=headers)


async def _redirect_to_page(request: web.Request) -> web.StreamResponse:
    raise web.HTTPMovedPermanently(location="/chat" + (f"?{request.query_string}" if request.query_string else ""))


async def chat_config(request: web.Request) -> web.StreamResponse:
    """`GET /chat/config.json`: `{"rasaUrl", "webhookPath"}`, where the page sends the customer's messages."""
    body = {"rasaUrl": rasa_url(request, request.app[CHAT_CONFIG_KEY]), "webhookPath": REST_WEBHOOK_PATH}
    return web.json_response(body, headers={**_COMMON_HEADERS, "Cache-Control": "no-store"})


async def chat_asset(request: web.Request) -> web.StreamResponse:
    """`GET /chat/static/{name}`: one of the page's own files (404 for anything not in `ASSETS`)."""
    content_type = ASSETS.get(request.match_info["name"])
    if content_type is None:
        raise web.HTTPNotFound()
    headers = {**_COMMON_HEADERS, "Content-Type": content_type, "Cache-Control": "no-cache"}
    return web.FileResponse(STATIC_DIR / request.match_info["name"], headers=headers)
