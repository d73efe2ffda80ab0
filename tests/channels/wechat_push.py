"""Sending pushes to a running stack's WeChat webhook the way WeChat's servers do (for the end-to-end tests)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from tests.channels.fake_wechat import signed_query
from tests.stack import Stack

WEBHOOK = "/webhooks/wechat/webhook"


def post(stack: Stack, body: str | bytes, query: dict[str, str]) -> tuple[int, str]:
    """POST a push; (status, body text)."""
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(f"{stack.rasa_url}{WEBHOOK}?{urllib.parse.urlencode(query)}", data=data,
                                     headers={"Content-Type": "text/xml"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def push(stack: Stack, token: str, xml: str, openid: str) -> None:
    """A signed plaintext push that WeChat would send; asserts it is answered "success" (at once)."""
    status, text = post(stack, xml, signed_query(token, openid=openid))
    assert (status, text) == (200, "success"), (status, text)


def get(stack: Stack, query: dict[str, str]) -> tuple[int, str]:
    """GET the webhook (WeChat's URL verification)."""
    url = f"{stack.rasa_url}{WEBHOOK}?{urllib.parse.urlencode(query)}"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
