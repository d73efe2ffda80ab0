"""A fake Telegram Bot API server that records every call, for the channel's tests.

It answers the methods the channel uses (getMe, sendMessage, sendPhoto, answerCallbackQuery, getFile, getUpdates,
deleteWebhook) and serves file downloads, checks the bot token in the path like the real server (401 otherwise),
and can be told to fail a method (e.g. a 429 with `retry_after`) or to be slow. Parameters are read like the real
server reads them — a JSON body, or form fields (urlencoded or multipart, as python-telegram-bot sends them) whose
non-string values are JSON — so every call records the same `params` dict. Run it on the test's event loop
(`await fake.start()`) or, for tests against the whole stack, on a thread of its own (`run_in_thread`).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.fakes.server import LocalServer

TOKEN = "123456:TEST-token-never-logged"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "After-sales", "username": "aftersales_test_bot"}
#: Form fields the Bot API reads as strings, never as JSON (a text "42" stays a text).
STRING_FIELDS = frozenset({"text", "caption", "callback_query_id", "file_id", "photo", "url", "parse_mode",
                           "secret_token"})


@dataclass
class Call:
    """One Bot API call as the fake received it."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)  # when it arrived


@dataclass
class FakeTelegram(LocalServer):
    """The fake Bot API. `files` maps a file_id to its bytes; `updates` is what getUpdates hands out."""

    token: str = TOKEN
    files: dict[str, bytes] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # method → replies to give first
    delay_s: dict[str, float] = field(default_factory=dict)  # method → seconds before answering
    calls: list[Call] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    server: TestServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _message_id: int = 1000

    # --- running -------------------------------------------------------------------------------------------------
    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        return app

    async def start(self) -> str:
        """Listen on a free local port of the running loop; the base URL."""
        self.server = TestServer(self.app())
        await self.server.start_server()
        return self.base_url


    @property
    def base_url(self) -> str:
        """Where the fake listens (what TELEGRAM_API_BASE_URL should be)."""
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    @contextmanager
    def run_in_thread(self) -> Iterator[str]:
        """Serve on a thread with its own event loop (for synchronous tests); yields the base URL."""
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()

        thread = threading.Thread(target=serve, name="fake-telegram", daemon=True)
        thread.start()
        assert ready.wait(10), "the fake Bot API did not start"
        try:
            yield self.base_url
        finally:
            asyncio.run_coroutine_threadsafe(self.close(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()

    # --- inspecting ----------------------------------------------------------------------------------------------
    def recorded(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        """Calls so far, optionally of one method and/or to one chat. Without a method: the channel's calls, leaving
        out getMe (PTB's `Bot.initialize` asks it once, at startup); `recorded("getMe")` lists those."""
        with self._lock:
            calls = list(self.calls)
        return [c for c in calls if (c.method == method if method else c.method != "getMe")
                and (chat_id is None or c.params.get("chat_id") == chat_id)]

    def texts(self, chat_id: int) -> list[str]:
        """Texts sent to a chat with sendMessage, in order."""
        return [str(c.params.get("text")) for c in self.recorded("sendMessage", chat_id)]

    def wait_for(self, condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
        """Block (synchronous tests) until `condition()` holds; AssertionError after `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while not condition():
            assert time.monotonic() < deadline, f"timed out; calls: {self.recorded()}"
            time.sleep(0.05)

    async def until(self, condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
        """Wait (async tests) until `condition()` holds; AssertionError after `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while not condition():
            assert time.monotonic() < deadline, f"timed out; calls: {self.recorded()}"
            await asyncio.sleep(0.01)

    # --- serving -------------------------------------------------------------------------------------------------
    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await _params(request)
        with self._lock:
            self.calls.append(Call(method, params))
            failure = self.failures.get(method, []).pop(0) if self.failures.get(method) else None
        if self.delay_s.get(method):
            await asyncio.sleep(self.delay_s[method])
        if failure is not None:
            return web.json_response(failure, status=int(failure.get("error_code", 400)))
        return web.json_response({"ok": True, "result": await self._result(method, params)})

    async def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in {"sendMessage", "sendPhoto"}:
            with self._lock:
                self._message_id += 1
                message_id = self._message_id
            chat = {"id": params.get("chat_id"), "type": "private", "first_name": "Customer"}
            return {"message_id": message_id, "date": int(time.time()), "chat": chat, "text": params.get("text", "")}
        if method == "getFile":
            file_id = str(params.get("file_id"))
            content = self.files.get(file_id)
            if content is None:
                return {"file_id": file_id, "file_unique_id": f"u{file_id}"}
            return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(content),
                    "file_path": f"photos/{file_id}.jpg"}
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            deadline = time.monotonic() + min(float(params.get("timeout") or 0), 0.2)
            while True:
                with self._lock:
                    ready = [u for u in self.updates if u["update_id"] >= offset]
                if ready or time.monotonic() >= deadline:
                    return ready
                await asyncio.sleep(0.02)
        return True  # answerCallbackQuery, deleteWebhook, setWebhook…

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        self.downloads.append(path)
        file_id = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        content = self.files.get(file_id)
        return web.Response(body=content) if content is not None else web.Response(status=404)


async def _params(request: web.Request) -> dict[str, Any]:
    """A call's parameters, whichever way they were sent."""
    if not request.can_read_body:
        return {}
    if request.content_type == "application/json":
        body = await request.json()
        return dict(body) if isinstance(body, dict) else {}
    params: dict[str, Any] = {}
    for name, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            params[name] = {"filename": value.filename, "content": value.file.read()}
        elif isinstance(value, bytes):
            params[name] = value
        else:
            params[name] = _form_value(name, value)
    return params


def _form_value(name: str, value: str) -> Any:
    if name in STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. a chat_id of "@channel"
