"""The whole stack with the WeChat channel on, and pushes sent to its webhook the way WeChat's servers do (for the
end-to-end tests)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.fakes.wechat import FakeWeChat, signed_query
from tests.stack import Stack, running_stack

WEBHOOK = "/webhooks/wechat/webhook"
#: Rasa's credentials file with the REST channel and ours.
CREDENTIALS = "rest:\nintegrations.wechat.channel.WeChatInput:\n"


@contextmanager
def wechat_stack(var_dir: Path, fake: FakeWeChat, token: str, aes_key: str = "") -> Iterator[Stack]:
    """`run-all` in `var_dir` with the WeChat channel talking to `fake`; safe mode (AES) when `aes_key` is set."""
    env = {"WECHAT_TOKEN": token, "WECHAT_APP_ID": fake.app_id, "WECHAT_APP_SECRET": fake.app_secret,
           "WECHAT_API_BASE_URL": fake.base_url, "WECHAT_AES_KEY": aes_key}
    with running_stack(var_dir, env=env, credentials=CREDENTIALS) as running:
        yield running


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
