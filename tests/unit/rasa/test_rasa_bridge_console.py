"""RasaBridge's calls for the agent console (pause, tracker, parse) against a recording fake: paths, token, errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.domain.errors import UpstreamError, ValidationError
from integrations.rasa.bridge import RasaBridge
from tests.fakes.rasa import closed_port_url

TOKEN = "s3cret-token"


class Recorder:
    """Records (method, raw path, query, body) and answers `status` with `body`."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, str], Any]] = []
        self.status, self.body = 200, '{"events": [], "paused": false}'
        self.server: TestServer | None = None

    async def handle(self, request: web.Request) -> web.Response:
        payload = await request.json() if request.can_read_body else None
        self.seen.append((request.method, request.raw_path.split("?")[0], dict(request.query), payload))
        return web.Response(status=self.status, text=self.body, content_type="application/json")


@pytest.fixture
async def rasa() -> AsyncIterator[tuple[Recorder, str]]:
    recorder = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recorder.handle)
    recorder.server = TestServer(app)
    await recorder.server.start_server()
    yield recorder, str(recorder.server.make_url("")).rstrip("/")
    await recorder.server.close()


async def test_pause_tracker_and_parse(rasa: tuple[Recorder, str], http: aiohttp.ClientSession) -> None:
    recorder, base = rasa
    bridge = RasaBridge(base, TOKEN, http)
    await bridge.pause("tg:42")
    assert await bridge.tracker("web/c 2") == {"events": [], "paused": False}
    recorder.body = '{"intent": {"name": "greet"}}'
    assert await bridge.parse("你好") == {"intent": {"name": "greet"}}
    assert recorder.seen == [
        ("POST", "/conversations/tg:42/tracker/events", {"token": TOKEN}, {"event": "pause"}),
        ("GET", "/conversations/web/c%202/tracker", {"include_events": "ALL", "token": TOKEN}, None),
        ("POST", "/model/parse", {"token": TOKEN}, {"text": "你好"}),
    ]


async def test_without_a_token_no_token_is_sent(rasa: tuple[Recorder, str], http: aiohttp.ClientSession) -> None:
    recorder, base = rasa
    await RasaBridge(base, None, http).tracker("tg:1")
    assert recorder.seen[0][2] == {"include_events": "ALL"}


@pytest.mark.parametrize(("status", "body"), [(500, "{}"), (401, "{}"), (200, "not json"), (200, "[1, 2]")])
async def test_bad_answers_raise_upstream_errors(
    rasa: tuple[Recorder, str], http: aiohttp.ClientSession, status: int, body: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder, base = rasa
    recorder.status, recorder.body = status, body
    caplog.set_level(logging.DEBUG, logger="bot")  # our logs (the fake server's access log is not ours)
    bridge = RasaBridge(base, TOKEN, http)
    for call in (bridge.tracker("tg:1"), bridge.parse("hello")):
        with pytest.raises(UpstreamError) as raised:
            await call
        assert TOKEN not in str(raised.value) and base not in str(raised.value)
    assert TOKEN not in "".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))


async def test_unreachable_and_invalid_input(http: aiohttp.ClientSession) -> None:
    bridge = RasaBridge(closed_port_url(), TOKEN, http)
    for call in (bridge.tracker("tg:1"), bridge.parse("hello"), bridge.pause("tg:1")):
        with pytest.raises(UpstreamError) as raised:
            await call
        assert raised.value.status is None and TOKEN not in raised.value.message
    for bad in (bridge.tracker("a/../b"), bridge.tracker(""), bridge.parse(""), bridge.pause("..")):
        with pytest.raises(ValidationError):
            await bad
