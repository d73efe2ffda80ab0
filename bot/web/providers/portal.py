"""The provider portal: `/provider` serves a static page where outlet staff work their tickets with the outlet's key.

The page is plain HTML/JS/CSS from `bot/web/static/provider/` (no build step, nothing fetched from elsewhere). It
talks only to the provider API on this origin (`/api/v1/provider/…`, `Authorization: Bearer <key>`); the key lives
in the tab's `sessionStorage` and nowhere else. The page itself holds no secret, so it is served to anyone; its
Content-Security-Policy lets it load only its own files and connect only to this origin, and no other site may
frame it.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "provider"
PAGE_PATH = "/provider"

#: The only files `/provider/static/` serves, with their types: an allow-list, so no path reaches the filesystem.
ASSETS: dict[str, str] = {
    "strings.js": "text/javascript; charset=utf-8",
    "provider.js": "text/javascript; charset=utf-8",
    "detail.js": "text/javascript; charset=utf-8",
    "provider.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
])
_COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}


def setup_provider_portal(app: web.Application) -> None:
    """Mount `/provider` and `/provider/static/{name}` on `app`."""
    app.router.add_get(PAGE_PATH, portal_page)
    app.router.add_get(f"{PAGE_PATH}/", _redirect_to_page)
    app.router.add_get(f"{PAGE_PATH}/static/{{name}}", portal_asset)


async def portal_page(request: web.Request) -> web.StreamResponse:
    """`GET /provider`: the portal page, with a strict Content-Security-Policy."""
    headers = {
        **_COMMON_HEADERS,
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    }
    return web.FileResponse(STATIC_DIR / "provider.html", headers=headers)


async def _redirect_to_page(request: web.Request) -> web.StreamResponse:
    raise web.HTTPMovedPermanently(location=PAGE_PATH)


async def portal_asset(request: web.Request) -> web.StreamResponse:
    """`GET /provider/static/{name}`: one of the page's own files (404 for anything not in `ASSETS`)."""
    name = request.match_info["name"]
    content_type = ASSETS.get(name)
    if content_type is None:
        raise web.HTTPNotFound()
    return web.FileResponse(STATIC_DIR / name, headers={**_COMMON_HEADERS, "Content-Type": content_type})
