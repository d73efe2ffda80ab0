"""A fake WeChat: the HTTP API the channel calls (token, customer-service send, media, menu), recording every
request, and the pushes WeChat's servers send, built, signed and encrypted the way WeChat does (with wechatpy).

Use `FakeWeChat` inside a test's event loop, or `threaded_fake_wechat()` beside a stack started in a subprocess.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
import xml.sax.saxutils
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import xmltodict
from aiohttp import web
from aiohttp.test_utils import TestServer
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from tests.fakes.server import LocalServer

#: The smallest valid PNG (1x1): what the fake serves as a customer's photo.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass
class Sent:
    """One customer-service message the fake received."""

    openid: str
    content: str
    raw_body: bytes


@dataclass
class FakeWeChat(LocalServer):
    """The WeChat API endpoints the channel uses. Thread-safe reads: `sent`, `token_requests`, `wait_for`."""

    app_id: str = "wx-test-app"
    app_secret: str = "test-secret"
    expires_in: int = 7200
    media: dict[str, bytes] = field(default_factory=lambda: {"MEDIA-PHOTO": PNG})
    pictures: dict[str, bytes] = field(default_factory=lambda: {"photo.png": PNG})
    send_delay_s: float = 0.0
    sent: list[Sent] = field(default_factory=list)
    menus: list[dict[str, Any]] = field(default_factory=list)
    token_requests: int = 0
    media_requests: int = 0
    send_requests: int = 0
    server: TestServer | None = None
    _valid_tokens: set[str] = field(default_factory=set)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    async def start(self) -> str:
        """Listen on a free local port; returns the base URL (WECHAT_API_BASE_URL)."""
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._send)
        app.router.add_get("/cgi-bin/media/get", self._media)
        app.router.add_post("/cgi-bin/menu/create", self._menu)
        app.router.add_get("/pictures/{name}", self._picture)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server(access_log=None)  # its access log would hold tokens: keep caplog clean
        return self.base_url

    @property
    def base_url(self) -> str:
        """Where the fake listens."""
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")


    def expire_tokens(self) -> None:
        """Make every token issued so far invalid (as when another process fetched a new one)."""
        with self._changed:
            self._valid_tokens.clear()

    def texts_to(self, openid: str) -> list[str]:
        """The texts sent to `openid`, in order."""
        with self._changed:
            return [s.content for s in self.sent if s.openid == openid]

    def wait_for(self, predicate: Callable[[], bool], timeout_s: float = 60.0) -> bool:
        """Block (in another thread than the fake's) until `predicate()` holds or the time is up."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.5))
        return True

    def wait_for_text(self, openid: str, needle: str, after: int = 0, timeout_s: float = 60.0) -> str:
        """The first text to `openid` (from index `after`) containing `needle`; AssertionError on timeout."""
        def found() -> str | None:
            return next((t for t in self.texts_to(openid)[after:] if needle in t), None)

        if not self.wait_for(lambda: found() is not None, timeout_s):
            raise AssertionError(f"no message containing {needle!r}; got {self.texts_to(openid)[after:]!r}")
        text = found()
        assert text is not None
        return text

    async def _token(self, request: web.Request) -> web.Response:
        query = request.query
        with self._changed:
            self.token_requests += 1
        if query.get("grant_type") != "client_credential" or query.get("appid") != self.app_id:
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        if query.get("secret") != self.app_secret:
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        token = f"TOKEN-{uuid.uuid4().hex}"
        with self._changed:
            self._valid_tokens.add(token)
        return web.json_response({"access_token": token, "expires_in": self.expires_in})

    def _token_ok(self, request: web.Request) -> bool:
        with self._changed:
            return request.query.get("access_token") in self._valid_tokens

    async def _send(self, request: web.Request) -> web.Response:
        with self._changed:
            self.send_requests += 1
        if not self._token_ok(request):
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        raw = await request.read()
        body = json.loads(raw.decode("utf-8"))
        if body.get("msgtype") != "text" or not isinstance(body.get("text", {}).get("content"), str):
            return web.json_response({"errcode": 40008, "errmsg": "invalid message type"})
        if len(body["text"]["content"].encode("utf-8")) > 2048:
            return web.json_response({"errcode": 45002, "errmsg": "content size out of limit"})
        if self.send_delay_s:
            await asyncio.sleep(self.send_delay_s)
        with self._changed:
            self.sent.append(Sent(str(body["touser"]), body["text"]["content"], raw))
            self._changed.notify_all()
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _media(self, request: web.Request) -> web.Response:
        with self._changed:
            self.media_requests += 1
        if not self._token_ok(request):
            return web.Response(text='{"errcode":40001,"errmsg":"invalid credential"}', content_type="text/plain")
        content = self.media.get(request.query.get("media_id", ""))
        if content is None:
            return web.Response(text='{"errcode":40007,"errmsg":"invalid media_id"}', content_type="text/plain")
        return web.Response(body=content, content_type="image/png")

    async def _menu(self, request: web.Request) -> web.Response:
        if not self._token_ok(request):
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        with self._changed:
            self.menus.append(json.loads(await request.read()))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _picture(self, request: web.Request) -> web.Response:
        content = self.pictures.get(request.match_info["name"])
        if content is None:
            raise web.HTTPNotFound()
        return web.Response(body=content, content_type="image/png")


@contextmanager
def threaded_fake_wechat(**options: Any) -> Iterator[FakeWeChat]:
    """A `FakeWeChat` serving from its own thread and event loop (for tests that are not async)."""
    fake = FakeWeChat(**options)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fake-wechat", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(fake.start(), loop).result(timeout=10)
    try:
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(fake.close(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


# --- what WeChat's servers push -------------------------------------------------------------------------------

ACCOUNT = "gh_0123456789ab"  # the Official Account's original id (ToUserName)


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _xml(fields: dict[str, Any]) -> str:
    """WeChat's layout: strings in CDATA, numbers bare."""
    parts = [f"<{name}>{value if isinstance(value, int | float) else _cdata(str(value))}</{name}>"
             for name, value in fields.items()]
    return "<xml>" + "".join(parts) + "</xml>"


def _head(openid: str, msg_type: str, created: int | None) -> dict[str, Any]:
    return {"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": created or int(time.time()),
            "MsgType": msg_type}


def text_xml(openid: str, content: str, msg_id: int, created: int | None = None) -> str:
    """A text message."""
    return _xml({**_head(openid, "text", created), "Content": content, "MsgId": msg_id})


def location_xml(openid: str, latitude: float, longitude: float, label: str, msg_id: int) -> str:
    """A shared location (Location_X is the latitude)."""
    return _xml({**_head(openid, "location", None), "Location_X": latitude, "Location_Y": longitude, "Scale": 15,
                 "Label": label, "MsgId": msg_id})


def image_xml(openid: str, msg_id: int, media_id: str = "MEDIA-PHOTO", pic_url: str = "") -> str:
    """A photo."""
    return _xml({**_head(openid, "image", None), "PicUrl": pic_url, "MediaId": media_id, "MsgId": msg_id})


def voice_xml(openid: str, msg_id: int, recognition: str = "") -> str:
    """A voice message (with WeChat's transcript when recognition is on)."""
    fields = {**_head(openid, "voice", None), "MediaId": "MEDIA-VOICE", "Format": "amr", "MsgId": msg_id}
    if recognition:
        fields["Recognition"] = recognition
    return _xml(fields)


def event_xml(openid: str, event: str, key: str = "", created: int | None = None) -> str:
    """An event push (subscribe, CLICK…); events carry no MsgId."""
    fields = {**_head(openid, "event", created), "Event": event}
    if key:
        fields["EventKey"] = key
    return _xml(fields)


def signed_query(token: str, timestamp: int | None = None, nonce: str | None = None, **extra: str) -> dict[str, str]:
    """The query string WeChat adds to each push: signature over token, timestamp and nonce (wechatpy's signer)."""
    timestamp_text = str(timestamp if timestamp is not None else int(time.time()))
    nonce = nonce or uuid.uuid4().hex[:10]
    signer = WeChatSigner()
    signer.add_data(token, timestamp_text, nonce)
    return {"signature": signer.signature, "timestamp": timestamp_text, "nonce": nonce, **extra}


def encrypted_push(token: str, aes_key: str, app_id: str, plain_xml: str, openid: str) -> tuple[dict[str, str], str]:
    """(query, body) of a safe-mode push: the message AES-encrypted with wechatpy, and msg_signature over it."""
    query = signed_query(token, encrypt_type="aes", openid=openid)
    envelope = WeChatCrypto(token, aes_key, app_id).encrypt_message(plain_xml, query["nonce"], query["timestamp"])
    fields = xmltodict.parse(envelope)["xml"]
    query["msg_signature"] = fields["MsgSignature"]
    body = f"<xml><ToUserName>{_cdata(ACCOUNT)}</ToUserName><Encrypt>{_cdata(fields['Encrypt'])}</Encrypt></xml>"
    return query, body


def escape(text: str) -> str:
    """XML-escape text for hand-written bodies."""
    return xml.sax.saxutils.escape(text)
