"""The Telegram channel served by a real Sanic server on the test's event loop, with a fake Rasa behind it."""

from __future__ import annotations

import json
import socket
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.settings import Settings
from integrations.telegram.channel import TelegramInput
from tests.fakes.telegram import TOKEN, FakeTelegram

SECRET = "webhook-secret_0123456789"
WEBHOOK_PATH = "/webhooks/telegram/webhook"

Reply = dict[str, Any]


@dataclass
class FakeBot:
    """Stands in for Rasa's agent: records each UserMessage and answers through its output channel.

    `replies` maps a user text to the bot's reply dicts (as Rasa's NLG makes them); others get "echo <n>", n being
    the message's position among all messages received.
    """

    replies: dict[str, list[Reply]] = field(default_factory=dict)
    slow_s: float = 0.0
    messages: list[UserMessage] = field(default_factory=list)

    async def __call__(self, message: UserMessage) -> None:
        import asyncio

        self.messages.append(message)
        number = len(self.messages)
        if self.slow_s:
            await asyncio.sleep(self.slow_s)
        assert message.output_channel is not None
        for reply in self.replies.get(message.text or "", [{"text": f"echo {number}"}]):
            await message.output_channel.send_response(message.sender_id, dict(reply))

    @property
    def texts(self) -> list[str]:
        """What the bot was told, in order."""
        return [m.text or "" for m in self.messages]


def settings_for(db_url: str, var_dir: Path, api_base_url: str, **overrides: Any) -> Settings:
    """Settings of a test: the fake Bot API, the throwaway database, token and secret set unless overridden."""
    values: dict[str, Any] = dict(database_url=db_url, tracker_database_url=db_url, var_dir=var_dir,
                                  telegram_token=TOKEN, telegram_secret_token=SECRET,
                                  telegram_api_base_url=api_base_url)
    values.update(overrides)
    return Settings(**values)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serve_channel(settings: Settings,
                        bot: Callable[[UserMessage], Any]) -> AsyncIterator[tuple[str, TelegramInput]]:
    """Serve the channel like `rasa run` does (prefix /webhooks/telegram, server listeners); base URL and channel."""
    Sanic.test_mode = True  # several apps per process
    app = Sanic(f"tg_{uuid.uuid4().hex[:10]}")
    channel = TelegramInput(settings)
    app.blueprint(channel.blueprint(bot), url_prefix=f"/webhooks/{channel.name()}")
    port = _free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}", channel
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


def headers(secret: str | None = SECRET) -> dict[str, str]:
    """Request headers of a Telegram delivery."""
    result = {"Content-Type": "application/json"}
    if secret is not None:
        result["X-Telegram-Bot-Api-Secret-Token"] = secret
    return result


@dataclass
class Served:
    """A served channel with its fake Bot API, fake Rasa, HTTP client and database."""

    url: str
    http: aiohttp.ClientSession
    channel: TelegramInput
    fake: FakeTelegram
    bot: FakeBot
    db_path: str

    async def post(self, body: object, secret: str | None = SECRET, raw: bytes | None = None) -> int:
        """Deliver an update (or raw bytes) like Telegram does; the status."""
        data = raw if raw is not None else json.dumps(body).encode()
        async with self.http.post(self.url, data=data, headers=headers(secret)) as response:
            return response.status

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        """Rows from the channel's database."""
        with sqlite3.connect(self.db_path) as db:
            return db.execute(sql, args).fetchall()

    def recorded_updates(self) -> int:
        """How many update ids the idempotency gate holds."""
        return int(self.query("SELECT count(*) FROM channel_updates")[0][0])


@asynccontextmanager
async def served_channel(db_url: str, var_dir: Path, bot: FakeBot | None = None,
                         **overrides: Any) -> AsyncIterator[Served]:
    """A fake Bot API, and the channel served against it and the database `db_url`."""
    fake = FakeTelegram()
    await fake.start()
    bot = bot or FakeBot()
    try:
        settings = settings_for(db_url, var_dir, fake.base_url, **overrides)
        async with serve_channel(settings, bot) as (base, channel), aiohttp.ClientSession() as http:
            yield Served(base + WEBHOOK_PATH, http, channel, fake, bot, db_url.removeprefix("sqlite:///"))
    finally:
        await fake.close()
