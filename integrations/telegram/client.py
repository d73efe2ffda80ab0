"""The Telegram Bot API through python-telegram-bot's `telegram.Bot`, with explicit timeouts and typed errors.

The token is kept out of every message, log line and repr.

`BotApiClient` keeps the channel's small interface (JSON in and out) and makes its calls with PTB's typed methods over
`HTTPXRequest`; PTB's exceptions become ours (see `errors`). The base URL comes from
`Settings.telegram_api_base_url`, so a self-hosted Bot API server (or the test suite's fake) works like
api.telegram.org. File bytes are the exception: PTB's `File.download_*` reads a whole file into memory with no cap,
so `download` streams it through the shared aiohttp session, capped, from the URL PTB builds for files
(`Bot.base_file_url`). Nothing connects at import or construction: the runtime calls `initialize()` (PTB's
`Bot.initialize`, which checks the token with getMe) and `shutdown()`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import aiohttp
from telegram import Bot, ForceReply, InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove, TelegramObject
from telegram import error as ptb
from telegram.request import HTTPXRequest

from integrations.telegram.errors import BotApiError, BotApiUnavailable, FileTooLarge, RetryAfter

_CHUNK = 64 * 1024
_MASK = "<token>"
#: Loggers whose records can carry the bot's URL (httpx logs every request URL at INFO, PTB its own at DEBUG) or
#: customer data (PTB logs every call's parameters and result at DEBUG).
_SCRUBBED_LOGGERS = ("httpx", "telegram", "telegram.Bot", "telegram.request.BaseRequest",
                     "telegram.request.HTTPXRequest")
#: What PTB raises (besides its own errors) when a 2xx reply is not the method's result.
_UNREADABLE = (KeyError, TypeError, ValueError, AttributeError)
#: The Bot API status behind PTB's exception classes, which keep only the description (BadRequest is one of PTB's
#: NetworkErrors: looked up here before those count as "unavailable").
_CODES: tuple[tuple[type[ptb.TelegramError], int], ...] = (
    (ptb.InvalidToken, 401), (ptb.EndPointNotFound, 404), (ptb.Forbidden, 403), (ptb.Conflict, 409),
    (ptb.ChatMigrated, 400), (ptb.BadRequest, 400),
)
_MARKUPS: dict[str, type[TelegramObject]] = {"inline_keyboard": InlineKeyboardMarkup, "keyboard": ReplyKeyboardMarkup,
                                             "remove_keyboard": ReplyKeyboardRemove, "force_reply": ForceReply}


@dataclass(frozen=True)
class Timeouts:
    """Seconds allowed per phase of a call, for a whole file download, and on top of a long poll's own wait.

    The phases are httpx's: waiting for the reply, connecting, sending, waiting for a pooled connection.
    """

    call_s: float = 10.0
    connect_s: float = 5.0
    download_s: float = 30.0
    poll_margin_s: float = 10.0
    write_s: float = 10.0
    pool_s: float = 5.0


@dataclass(frozen=True)
class RemoteFile:
    """A file as `getFile` describes it: its path relative to the bot's file URL and its size, if known."""

    file_path: str
    file_size: int | None


class BotApiClient:
    """The Bot API methods the channel uses, through one `telegram.Bot` (file bytes through the aiohttp session)."""

    #: Connections for sending: the pacer lets at most 30 messages a second through. getUpdates has one of its own.
    POOL_SIZE = 32

    def __init__(self, session: aiohttp.ClientSession, token: str, base_url: str,
                 timeouts: Timeouts = Timeouts()) -> None:
        """Keep the session (owned by the caller) for downloads and build the Bot for `base_url` (no I/O yet)."""
        self._session = session
        self._token = token
        self._base = base_url.rstrip("/")
        self._timeouts = timeouts
        _SCRUBBER.protect(token)  # before the Bot exists: it logs its URLs as it is built
        self._requests = (self._http(1), self._http(self.POOL_SIZE))
        self._bot = _Bot(token, base_url=f"{self._base}/bot", base_file_url=f"{self._base}/file/bot",
                         get_updates_request=self._requests[0], request=self._requests[1])

    def __repr__(self) -> str:
        return f"BotApiClient(base_url={self._base!r})"  # never the token

    def _http(self, pool_size: int) -> HTTPXRequest:
        t = self._timeouts
        # Our pacer does the rate limiting; trust_env=False: no proxy or netrc from the environment, as before.
        return HTTPXRequest(connection_pool_size=pool_size, connect_timeout=t.connect_s, read_timeout=t.call_s,
                            write_timeout=t.write_s, pool_timeout=t.pool_s, media_write_timeout=t.write_s,
                            httpx_kwargs={"trust_env": False})

    async def initialize(self) -> None:
        """Open PTB's connection pools and check the token with getMe (`Bot.initialize`)."""
        with _translated("getMe", self._token):
            await self._bot.initialize()

    async def shutdown(self) -> None:
        """Close PTB's connection pools (directly too: `Bot.shutdown` skips them if `initialize` failed)."""
        try:
            await self._bot.shutdown()
        finally:
            await asyncio.gather(*(request.shutdown() for request in self._requests))

    async def call(self, method: str, params: Mapping[str, Any] | None = None, *,
                   timeout_s: float | None = None) -> Any:
        """Call a Bot API method with JSON parameters; its JSON `result` (typed errors otherwise, see `errors`)."""
        kwargs, read_s, typed = dict(params or {}), timeout_s or self._timeouts.call_s, _TYPED.get(method)
        # Building the coroutine binds the arguments: a parameter PTB does not know is a TypeError here, not sent.
        request = (typed(self._bot, **_with_markup(kwargs), read_timeout=read_s) if typed is not None
                   else self._bot.do_api_request(method, api_kwargs=kwargs, read_timeout=read_s))
        with _translated(method, self._token):
            return _as_json(await request)

    async def send_message(self, chat_id: int, text: str, reply_markup: Mapping[str, Any] | None = None) -> Any:
        """`sendMessage` (plain text, no parse mode: nothing in the text is interpreted)."""
        params: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if reply_markup is not None:
            params["reply_markup"] = dict(reply_markup)
        return await self.call("sendMessage", params)

    async def send_photo(self, chat_id: int, photo_url: str, caption: str | None = None) -> Any:
        """`sendPhoto` by URL (Telegram fetches it)."""
        params: dict[str, Any] = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = caption
        return await self.call("sendPhoto", params)

    async def answer_callback_query(self, callback_query_id: str, text: str | None = None) -> None:
        """answerCallbackQuery: stops the button's progress indicator, optionally with a short notice."""
        params: dict[str, Any] = {"callback_query_id": callback_query_id}
        if text:
            params["text"] = text
        await self.call("answerCallbackQuery", params)

    async def get_file(self, file_id: str) -> RemoteFile:
        """getFile: where a file can be downloaded from."""
        with _translated("getFile", self._token):
            file = await self._bot.get_file(file_id)
        if not file.file_path:
            raise BotApiUnavailable("getFile: no file_path (file too big for the Bot API?)")
        # PTB turns the path into the download URL, token included: keep only the path (RemoteFile has a repr).
        path = file.file_path.removeprefix(f"{self._bot.base_file_url}/")
        return RemoteFile(path, file.file_size)

    async def download(self, file_path: str, max_bytes: int) -> bytes:
        """The file's bytes; `FileTooLarge` beyond `max_bytes` (checked on the header and while reading)."""
        if file_path.startswith("/") or ".." in file_path.split("/"):
            raise BotApiUnavailable("download: unexpected file path")
        url = f"{self._bot.base_file_url}/{quote(file_path)}"  # the URL PTB's `File.file_path` holds
        timeout = aiohttp.ClientTimeout(total=self._timeouts.download_s, connect=self._timeouts.connect_s)
        try:
            async with self._session.get(url, timeout=timeout) as response:
                if response.status != 200:
                    raise BotApiError("download", response.status)
                if response.content_length is not None and response.content_length > max_bytes:
                    raise FileTooLarge(f"file of {response.content_length} bytes")
                return await _read_capped(response, max_bytes)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise BotApiUnavailable(f"download: {type(exc).__name__}") from None

    async def get_updates(self, offset: int | None, timeout_s: int, allowed_updates: Sequence[str]) -> list[Any]:
        """`getUpdates` long poll: waits up to `timeout_s` for updates after `offset` (as JSON, like the webhook's)."""
        with _translated("getUpdates", self._token):
            # PTB adds the long poll's own wait to this read timeout.
            updates = await self._bot.get_updates(offset=offset, timeout=timeout_s,
                                                  allowed_updates=list(allowed_updates),
                                                  read_timeout=self._timeouts.poll_margin_s)
        return [update.to_dict() for update in updates]

    async def delete_webhook(self) -> None:
        """`deleteWebhook` (keeping pending updates): `getUpdates` refuses to work while a webhook is set."""
        with _translated("deleteWebhook", self._token):
            await self._bot.delete_webhook(drop_pending_updates=False)


class _Bot(Bot):
    """`telegram.Bot` with a repr that leaves the token out (PTB's shows it)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Bot[token=<hidden>]"


#: The methods `call` makes with PTB's typed methods, whose keyword arguments are the Bot API's parameter names
#: (others go through `Bot.do_api_request`, which warns about methods PTB has typed: add those here).
_TYPED: dict[str, Callable[..., Awaitable[Any]]] = {
    "sendMessage": Bot.send_message, "sendPhoto": Bot.send_photo, "answerCallbackQuery": Bot.answer_callback_query,
    "setWebhook": Bot.set_webhook, "editMessageText": Bot.edit_message_text,
}


def _with_markup(params: dict[str, Any]) -> dict[str, Any]:
    """`params` with `reply_markup` as PTB's markup object (an unknown shape is sent as given, Telegram judges it)."""
    data = params.get("reply_markup")
    kind = next((cls for key, cls in _MARKUPS.items() if key in data), None) if isinstance(data, dict) else None
    if kind is not None and isinstance(data, dict):
        with suppress(*_UNREADABLE):
            params["reply_markup"] = kind.de_json(data, None)
    return params


def _as_json(result: Any) -> Any:  # PTB's objects back to the Bot API's JSON
    if isinstance(result, TelegramObject):
        return result.to_dict()
    if isinstance(result, (list, tuple)):
        return [_as_json(item) for item in result]
    return result


@contextmanager
def _translated(method: str, token: str) -> Iterator[None]:
    """PTB's exceptions as ours, without PTB's texts (they can hold the URL) and without their chain."""
    try:
        yield
    except ptb.RetryAfter as exc:
        wait = exc.retry_after  # seconds; a timedelta in later PTB versions
        raise RetryAfter(method, wait.total_seconds() if isinstance(wait, timedelta) else float(wait)) from None
    except ptb.TelegramError as exc:
        code = next((code for kind, code in _CODES if isinstance(exc, kind)), None)
        if code is None and (isinstance(exc, ptb.NetworkError) or type(exc) is ptb.TelegramError):
            # Unreachable, timed out, 5xx, or a reply that is not JSON (PTB's bare TelegramError).
            raise BotApiUnavailable(f"{method}: {type(exc).__name__}") from None
        raise BotApiError(method, code or 0, exc.message.replace(token, _MASK)[:200]) from None
    except _UNREADABLE as exc:
        raise BotApiUnavailable(f"{method}: not a Bot API reply ({type(exc).__name__})") from None


async def _read_capped(response: aiohttp.ClientResponse, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise FileTooLarge(f"more than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


class _LogScrubber(logging.Filter):
    """Keeps bot tokens, and PTB's payloads (parameters, results, updates: customer data), out of log records."""

    def __init__(self) -> None:
        super().__init__()
        self._tokens: set[str] = set()

    def protect(self, token: str) -> None:
        """Mask `token` from now on (attaching to the loggers the first time)."""
        if not self._tokens:
            for name in _SCRUBBED_LOGGERS:
                logging.getLogger(name).addFilter(self)
        self._tokens.add(token)

    def _masked(self, text: str) -> str:
        for token in self._tokens:
            text = text.replace(token, _MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the record's message (and traceback) now, without tokens or payloads; never drops a record."""
        if record.name.startswith("telegram") and isinstance(record.args, tuple):
            record.args = tuple("<payload>" if isinstance(arg, (Mapping, list, tuple, set, TelegramObject)) else arg
                                for arg in record.args)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: logging reports it itself
            return True
        # Rendered now, not when a handler formats it: PTB logs objects it changes afterwards (getFile's result
        # gets the file URL, token included, after being logged).
        record.msg, record.args = self._masked(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._masked(logging.Formatter().formatException(record.exc_info))
        return True


_SCRUBBER = _LogScrubber()  # attached to the loggers only when the first client is built
