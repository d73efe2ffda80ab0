"""`GET /chat/updates?sender=<id>&after=<last id>`: what the web chat cannot be sent, fetched by the page itself.

Rasa's REST channel only answers the customer's own requests, so ticket updates and agents' messages for a web
chat conversation wait in the customer outbox until the page polls for them. The sender id is the capability: the
page makes it from 128 random bits (`web:` + 32 hex digits, see `static/chat/chat.js`), and only ids of exactly that
form are accepted, so the ids of other channels' conversations (`tg:42`) can never be polled here.

Answer: `{"messages": [{"id", "text", "kind", "buttons"}], "next": <id to send as "after" next time>}`, oldest
first; `buttons` (`[{"title", "payload"}]`, sent back as a message like the bot's own buttons) is empty except for
a rating question (kind `csat`), which offers 1–5.
"""

from __future__ import annotations

import re

from aiohttp import web

from bot.web.errors import error_response
from bot.web.keys import SERVICES_KEY

UPDATES_PATH = "/chat/updates"
SENDER_FORMAT = re.compile(r"web:[0-9a-f]{32}")
_MAX_ID = 2**31 - 1
_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def setup_chat_updates(app: web.Application) -> None:
    """Mount `GET /chat/updates` (it reads the customer outbox of the app's services)."""
    app.router.add_get(UPDATES_PATH, chat_updates)


def _bad_request(message: str) -> web.Response:
    return error_response(400, message, "validation_error", _HEADERS)


async def chat_updates(request: web.Request) -> web.StreamResponse:
    """The messages for `sender` after the id `after` (default 0)."""
    sender = request.query.get("sender", "")
    if not SENDER_FORMAT.fullmatch(sender):
        return _bad_request("sender must be the web chat's id: web: and 32 lowercase hex digits")
    raw_after = request.query.get("after", "0")
    if not raw_after.isascii() or not raw_after.isdigit() or len(raw_after) > 10 or int(raw_after) > _MAX_ID:
        return _bad_request("after must be a message id (a non-negative integer)")
    after = int(raw_after)
    messages = await request.app[SERVICES_KEY].customer_outbox.web_chat_messages(sender, after)
    body = {
        "messages": [{"id": m.id, "text": m.text, "kind": m.kind, "buttons": m.buttons} for m in messages],
        "next": messages[-1].id if messages else after,
    }
    return web.json_response(body, headers=_HEADERS)
