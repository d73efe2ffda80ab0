"""Async client for the WeChat HTTP API calls the channel makes: access token, customer-service text, media.

wechatpy's own client is blocking (`requests`), so this one runs on the process's aiohttp session, with explicit
timeouts. The access token (`GET /cgi-bin/token`, valid `expires_in` seconds, usually 7,200) is fetched once and
shared by concurrent senders until shortly before it expires; when WeChat says it is invalid or expired (errcode
40001, 40014, 42001; e.g. another process fetched a new one) it is fetched again and the call retried once.
The token and the app secret travel in query strings: they are never logged, and errors raised here carry neither
the URL nor the chained aiohttp exception (whose text would include the URL).
https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html
https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.services.channels.inbox import MAX_ATTACHMENT_BYTES
from integrations.wechat.errors import WeChatApiError

logger = logging.getLogger(__name__)

#: Refetch the token this long before WeChat says it expires (tokens from other processes may overlap).
TOKEN_MARGIN_S = 300.0
#: errcodes that mean "fetch a new access token and try again".
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
API_TIMEOUT = aiohttp.ClientTimeout(total=10, connect=5)
MEDIA_TIMEOUT = aiohttp.ClientTimeout(total=30, connect=5)
#: Hosts a message's PicUrl may point to (WeChat's image CDN); anything else is not fetched.
PICTURE_HOST_SUFFIXES = (".qpic.cn", ".qlogo.cn")
_CHUNK = 64 * 1024


class WeChatApi:
    """The calls this channel makes to the WeChat API, through one shared `aiohttp.ClientSession`."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        app_id: str,
        app_secret: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        timeout: aiohttp.ClientTimeout = API_TIMEOUT,
        media_timeout: aiohttp.ClientTimeout = MEDIA_TIMEOUT,
        max_media_bytes: int = MAX_ATTACHMENT_BYTES,
    ) -> None:
        """Keep the session and credentials; nothing is fetched until the first call."""
        self._session = session
        self._base = base_url.rstrip("/")
        self._app_id = app_id
        self._app_secret = app_secret
        self._clock = clock
        self._timeout = timeout
        self._media_timeout = media_timeout
        self._max_media_bytes = max_media_bytes
        self._token: str | None = None
        self._token_expires_at = 0.0
        self._token_lock = asyncio.Lock()

    async def access_token(self) -> str:
        """A valid access token: the cached one, or a new one (one fetch however many callers wait for it)."""
        token = self._valid_token()
        if token is not None:
            return token
        async with self._token_lock:
            token = self._valid_token()
            if token is not None:
                return token
            params = {"grant_type": "client_credential", "appid": self._app_id, "secret": self._app_secret}
            data = await self._get_json("/cgi-bin/token", params)
            token, expires_in = data.get("access_token"), data.get("expires_in")
            if not isinstance(token, str) or not token or not isinstance(expires_in, int) or expires_in <= 0:
                raise WeChatApiError("WeChat sent no access token", errcode=_errcode(data))
            lifetime = expires_in - TOKEN_MARGIN_S if expires_in > 2 * TOKEN_MARGIN_S else expires_in / 2
            self._token, self._token_expires_at = token, self._clock() + lifetime
            logger.info("wechat.token_fetched lifetime_s=%d", int(lifetime))
            return token

    def invalidate_token(self, token: str) -> None:
        """Forget `token` (WeChat refused it); a newer token fetched meanwhile by another caller is kept."""
        if self._token == token:
            self._token, self._token_expires_at = None, 0.0

    async def send_text(self, openid: str, content: str) -> None:
        """Send a customer-service text message (allowed within 48 hours of the customer's last message)."""
        body = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        await self._post_with_token("/cgi-bin/message/custom/send", body)

    async def create_menu(self, menu: dict[str, Any]) -> None:
        """Replace the Official Account's menu."""
        await self._post_with_token("/cgi-bin/menu/create", menu)

    async def download_media(self, media_id: str) -> bytes:
        """The bytes of a temporary media file (a photo a customer sent) from `GET /cgi-bin/media/get`."""
        for attempt in (1, 2):
            token = await self.access_token()
            content, error = await self._get_media(
                f"{self._base}/cgi-bin/media/get", {"access_token": token, "media_id": media_id}
            )
            if error is None:
                return content
            errcode = _errcode(error)
            if errcode in TOKEN_ERRCODES and attempt == 1:
                self.invalidate_token(token)
                continue
            raise WeChatApiError(f"media/get failed (errcode {errcode})", errcode=errcode)
        raise AssertionError("unreachable")

    async def fetch_picture(self, url: str) -> bytes:
        """The bytes behind a message's PicUrl, when it points at WeChat's image CDN (or at our API base host)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        allowed = host.endswith(PICTURE_HOST_SUFFIXES) or host == (urlsplit(self._base).hostname or "").lower()
        if parts.scheme not in {"http", "https"} or not allowed:
            raise WeChatApiError("PicUrl is not on WeChat's image host")
        content, error = await self._get_media(url, {})
        if error is not None:
            raise WeChatApiError("PicUrl answered an error", errcode=_errcode(error))
        return content

    async def _post_with_token(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")  # WeChat expects raw UTF-8, not \\u escapes
        for attempt in (1, 2):
            token = await self.access_token()
            data = await self._request_json("POST", path, {"access_token": token}, payload)
            errcode = _errcode(data)
            if errcode in TOKEN_ERRCODES and attempt == 1:
                logger.info("wechat.token_rejected errcode=%d", errcode)
                self.invalidate_token(token)
                continue
            if errcode:
                raise WeChatApiError(f"{path} failed (errcode {errcode})", errcode=errcode)
            return data
        raise AssertionError("unreachable")

    async def _get_json(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        data = await self._request_json("GET", path, params, None)
        if _errcode(data):
            raise WeChatApiError(f"{path} failed (errcode {_errcode(data)})", errcode=_errcode(data))
        return data

    async def _request_json(
        self, method: str, path: str, params: dict[str, str], payload: bytes | None
    ) -> dict[str, Any]:
        headers = {"Content-Type": "application/json; charset=utf-8"} if payload is not None else {}
        try:
            async with self._session.request(method, f"{self._base}{path}", params=params, data=payload,
                                             headers=headers, timeout=self._timeout) as response:
                raw = await response.read()
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise WeChatApiError(f"WeChat API unreachable ({type(exc).__name__})") from None
        if not 200 <= status < 300:
            raise WeChatApiError(f"WeChat API answered HTTP {status}", status=status)
        try:
            data = json.loads(raw)
        except ValueError:
            raise WeChatApiError("WeChat API answered something other than JSON", status=status) from None
        if not isinstance(data, dict):
            raise WeChatApiError("WeChat API answered something other than a JSON object", status=status)
        return data

    async def _get_media(self, url: str, params: dict[str, str]) -> tuple[bytes, dict[str, Any] | None]:
        """(content, None) for a file; (b"", error JSON) when WeChat answered an error object instead."""
        try:
            async with self._session.get(url, params=params, timeout=self._media_timeout) as response:
                status, kind = response.status, response.content_type
                if response.content_length is not None and response.content_length > self._max_media_bytes:
                    raise WeChatApiError("media larger than the attachment limit", status=status)
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.content.iter_chunked(_CHUNK):
                    size += len(chunk)
                    if size > self._max_media_bytes:
                        raise WeChatApiError("media larger than the attachment limit", status=status)
                    chunks.append(chunk)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise WeChatApiError(f"WeChat media unreachable ({type(exc).__name__})") from None
        if not 200 <= status < 300:
            raise WeChatApiError(f"WeChat media answered HTTP {status}", status=status)
        content = b"".join(chunks)
        if kind in {"application/json", "text/plain"} or content.startswith(b'{"errcode"'):
            try:
                error = json.loads(content)
            except ValueError:
                error = None
            if isinstance(error, dict):
                return b"", error
        return content, None

    def _valid_token(self) -> str | None:
        if self._token is not None and self._clock() < self._token_expires_at:
            return self._token
        return None


def _errcode(data: dict[str, Any]) -> int:
    value = data.get("errcode", 0)
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return -1
