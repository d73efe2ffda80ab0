"""The runtime the Rasa server's channels share.

Telegram and WeChat mounted on one server use one database engine and one HTTP session, opened by the first channel
that needs them and closed once, after the last one stops.
"""

from __future__ import annotations

import dataclasses
import logging
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from integrations.common.runtime import SharedRuntime, shared_runtime
from integrations.telegram.channel import TelegramInput
from integrations.wechat.channel import WeChatInput
from tests.fakes.telegram import TOKEN, FakeTelegram

pytestmark = pytest.mark.filterwarnings("ignore:You have set a listener:UserWarning")


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Both channels configured, on the test's database."""
    return Settings(database_url=db_url, tracker_database_url=db_url, var_dir=tmp_path, telegram_token=TOKEN,
                    telegram_secret_token="webhook-secret_0123456789", wechat_token="wx-token",
                    wechat_app_id="wx-test-app", wechat_app_secret="test-secret")


@pytest.fixture
def disposals(monkeypatch: pytest.MonkeyPatch) -> list[AsyncEngine]:
    """The engines disposed of during the test, one entry a call."""
    disposed: list[AsyncEngine] = []
    dispose = AsyncEngine.dispose

    async def counting(engine: AsyncEngine) -> None:
        disposed.append(engine)
        await dispose(engine)

    monkeypatch.setattr(AsyncEngine, "dispose", counting)
    return disposed


async def _ignore(_message: UserMessage) -> None:
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_both_channels_of_one_server_share_one_engine_and_one_session(
        settings: Settings, disposals: list[AsyncEngine], caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Served like `rasa run` serves them: one set of resources, held by both, closed once."""
    caplog.set_level(logging.INFO)
    monkeypatch.setattr(Sanic, "test_mode", True)
    fake = FakeTelegram()
    await fake.start()
    app = Sanic(f"channels_{uuid.uuid4().hex[:8]}")
    telegram = TelegramInput(dataclasses.replace(settings, telegram_api_base_url=fake.base_url))
    wechat = WeChatInput(settings)
    for channel in (telegram, wechat):
        app.blueprint(channel.blueprint(_ignore), url_prefix=f"/webhooks/{channel.name()}")
    server: Any = await app.create_server(host="127.0.0.1", port=_free_port(), return_asyncio_server=True,
                                          access_log=False)
    try:
        await server.startup()
        await server.before_start()  # Telegram opens here
        await server.after_start()
        assert wechat.get_output_channel() is not None  # WeChat opens on first use
        shared = shared_runtime(app, settings)
        assert shared.users == 2
        tg, wx = telegram._runtime, wechat._runtime
        assert tg is not None and wx is not None
        assert tg._shared is wx.shared is shared
        assert tg._client._session is wx.api._session  # one aiohttp session
        assert tg.handler._inbox is wx.inbox and tg.handler._attachments is wx.attachments  # on one engine
        session = wx.api._session

        await server.before_stop()  # Telegram closes first: the shared resources stay open for WeChat
        assert telegram._runtime is None and shared.users == 1
        assert not session.closed and disposals == []
        server.close()
        await server.wait_closed()
        await server.after_stop()  # WeChat closes: the last one out closes them, once
    finally:
        await fake.close()
    assert shared.users == 0 and session.closed
    assert len(disposals) == 1
    assert caplog.text.count("channels.runtime_opened") == 1 and caplog.text.count("channels.runtime_closed") == 1


async def test_the_last_release_closes_and_a_later_acquire_opens_afresh(settings: Settings,
                                                                         disposals: list[AsyncEngine]) -> None:
    """Reference counting: the resources close with the last holder and reopen for a new one."""
    shared = SharedRuntime(settings)
    first = shared.acquire()
    assert shared.acquire() is first and shared.users == 2
    await shared.release()
    assert not first.http.closed and disposals == []
    await shared.release()
    assert first.http.closed and disposals == [first.engine]
    await shared.release()  # one release too many changes nothing
    assert shared.users == 0 and disposals == [first.engine]
    again = shared.acquire()
    assert again is not first and not again.http.closed
    await shared.release()
    assert len(disposals) == 2
