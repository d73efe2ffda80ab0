"""The Sanic blueprint Rasa mounts, driven over ASGI: status codes for every refusal (503 disabled, 403 signature,
413 size, 400 malformed), "success" before the bot's turn finishes, AES safe mode, and nothing processed when a
request is refused."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.settings import Settings
from integrations.common.runtime import SharedRuntime
from integrations.wechat.channel import WeChatInput
from integrations.wechat.output import WeChatOutput
from integrations.wechat.runtime import WeChatRuntime
from tests.fakes.wechat import FakeWeChat, encrypted_push, event_xml, signed_query, text_xml

TOKEN = "channel-test-token"
OPENID = "oChannelUser_42"
AES_KEY = base64.b64encode(os.urandom(32)).decode().rstrip("=")
URL = "/webhooks/wechat/webhook"
pytestmark = pytest.mark.filterwarnings("ignore:You have set a listener:UserWarning")  # Sanic, in ASGI mode


@pytest.fixture(autouse=True)
def sanic_test_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several apps in one process: Sanic's start-up rewrites shared methods once unless in test mode."""
    monkeypatch.setattr(Sanic, "test_mode", True)


class Rasa:
    """Rasa's message handler stand-in: records messages, optionally holds each turn until released."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        await self.release.wait()
        assert message.output_channel is not None
        await message.output_channel.send_text_message(message.sender_id, "好的")


@dataclasses.dataclass
class Client:
    http: httpx.AsyncClient
    channel: WeChatInput
    rasa: Rasa
    fake: FakeWeChat
    db_path: Path

    async def post(self, body: str | bytes, query: dict[str, str] | None = None, **kwargs: object) -> httpx.Response:
        query = signed_query(TOKEN, openid=OPENID) if query is None else query
        content = body.encode() if isinstance(body, str) else body
        return await self.http.post(URL, params=query, content=content, **kwargs)  # type: ignore[arg-type]

    def processed_updates(self) -> int:
        with sqlite3.connect(self.db_path) as db:
            return int(db.execute("SELECT count(*) FROM channel_updates").fetchone()[0])

    async def settle(self) -> None:
        runtime = self.channel._runtime
        if runtime is not None:
            await runtime.lanes.drain(10)


@pytest.fixture
def fake_loop_settings(db_url: str, tmp_path: Path) -> Iterator[Settings]:
    yield Settings(database_url=db_url, tracker_database_url=db_url, var_dir=tmp_path, wechat_token=TOKEN,
                   wechat_app_id="wx-test-app", wechat_app_secret="test-secret")


async def _client(settings: Settings, fake: FakeWeChat, db_url: str) -> tuple[Client, Sanic]:
    settings = dataclasses.replace(settings, wechat_api_base_url=fake.base_url)
    channel = WeChatInput(settings)
    rasa = Rasa()
    app = Sanic(f"wechat_test_{uuid.uuid4().hex[:8]}")
    app.blueprint(channel.blueprint(rasa), url_prefix="/webhooks/wechat")
    await app._startup()  # what Sanic's ASGI lifespan does; no server needed
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://rasa")
    return Client(http, channel, rasa, fake, Path(db_url.removeprefix("sqlite:///"))), app


@pytest.fixture
async def fake() -> AsyncIterator[FakeWeChat]:
    async with FakeWeChat() as wechat:
        yield wechat


@pytest.fixture
async def client(fake_loop_settings: Settings, fake: FakeWeChat, db_url: str) -> AsyncIterator[Client]:
    made, _ = await _client(fake_loop_settings, fake, db_url)
    yield made
    await made.http.aclose()
    await made.channel.close()


@pytest.fixture
async def aes_client(fake_loop_settings: Settings, fake: FakeWeChat, db_url: str) -> AsyncIterator[Client]:
    made, _ = await _client(dataclasses.replace(fake_loop_settings, wechat_aes_key=AES_KEY), fake, db_url)
    yield made
    await made.http.aclose()
    await made.channel.close()


async def test_url_verification_echoes_only_for_a_valid_signature(client: Client) -> None:
    ok = await client.http.get(URL, params=signed_query(TOKEN, echostr="5837397749493"))
    assert (ok.status_code, ok.text) == (200, "5837397749493")
    wrong = await client.http.get(URL, params=signed_query("not-the-token", echostr="5837397749493"))
    assert wrong.status_code == 403 and "5837397749493" not in wrong.text
    assert (await client.http.get(URL, params={"echostr": "1"})).status_code == 403


async def test_a_push_is_answered_success_before_the_turn_ends(client: Client) -> None:
    client.rasa.release.clear()  # Rasa is busy (e.g. creating a ticket) for as long as the test wants
    response = await asyncio.wait_for(client.post(text_xml(OPENID, "你好", 1)), timeout=3)
    assert (response.status_code, response.text) == (200, "success")
    await asyncio.sleep(0.05)
    assert [m.text for m in client.rasa.messages] == ["你好"] and client.fake.sent == []
    client.rasa.release.set()
    await client.settle()
    assert client.fake.texts_to(OPENID) == ["好的"]
    [message] = client.rasa.messages
    assert (message.sender_id, message.input_channel) == (f"wx:{OPENID}", "wechat")


@pytest.mark.parametrize("query", [
    {},
    {"timestamp": "1700000000", "nonce": "abc"},
    {"signature": "0" * 40, "timestamp": "1700000000", "nonce": "abc"},
])
async def test_missing_or_wrong_signature_is_403_and_nothing_is_processed(client: Client,
                                                                          query: dict[str, str]) -> None:
    response = await client.post(text_xml(OPENID, "伪造的消息", 2), query=query)
    assert response.status_code == 403
    await client.settle()
    assert client.rasa.messages == [] and client.processed_updates() == 0 and client.fake.sent == []


async def test_signature_by_another_token_or_too_old_is_403(client: Client) -> None:
    for query in (signed_query("other-token"), signed_query(TOKEN, timestamp=1_500_000_000)):
        assert (await client.post(text_xml(OPENID, "x", 3), query=query)).status_code == 403
    assert client.processed_updates() == 0


async def test_signature_is_checked_before_the_size_of_the_body(client: Client) -> None:
    response = await client.post(b"x" * 200_000, query={})
    assert response.status_code == 403


async def test_oversized_bodies_are_413(client: Client) -> None:
    padding = "<Pad>" + "x" * 70_000 + "</Pad>"
    response = await client.post(text_xml(OPENID, "hi", 4).replace("</xml>", padding + "</xml>"))
    assert response.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: refused while reading
        for _ in range(10):
            yield b"x" * 10_000

    response = await client.http.post(URL, params=signed_query(TOKEN), content=chunks())
    assert response.status_code == 413
    assert client.rasa.messages == [] and client.processed_updates() == 0


@pytest.mark.parametrize("body", ["<xml><MsgType>text", "hello", "", "<xml></xml>",
                                  '<!DOCTYPE x [<!ENTITY a "b">]><xml>&a;</xml>'])
async def test_malformed_xml_is_400(client: Client, body: str) -> None:
    assert (await client.post(body)).status_code == 400
    assert client.processed_updates() == 0


async def test_a_replay_is_answered_success_and_processed_once(client: Client) -> None:
    body = text_xml(OPENID, "确认", 6054768590064713728)
    for _ in range(3):
        response = await client.post(body)
        assert (response.status_code, response.text) == (200, "success")
    await client.settle()
    assert len(client.rasa.messages) == 1 and client.processed_updates() == 1


async def test_concurrent_pushes_of_one_customer_keep_their_order(client: Client) -> None:
    texts = [f"消息{i}" for i in range(8)]
    for i, text in enumerate(texts):
        assert (await client.post(text_xml(OPENID, text, 100 + i))).status_code == 200
    await client.settle()
    assert [m.text for m in client.rasa.messages] == texts


async def test_ignored_events_are_acknowledged(client: Client) -> None:
    response = await client.post(event_xml(OPENID, "unsubscribe"))
    assert (response.status_code, response.text) == (200, "success")
    await client.settle()
    assert client.rasa.messages == []


async def test_aes_safe_mode(aes_client: Client) -> None:
    query, body = encrypted_push(TOKEN, AES_KEY, "wx-test-app", text_xml(OPENID, "加密的消息", 7), OPENID)
    response = await aes_client.post(body, query=query)
    assert (response.status_code, response.text) == (200, "success")
    await aes_client.settle()
    assert [m.text for m in aes_client.rasa.messages] == ["加密的消息"]
    # Plaintext (validly signed) is refused in safe mode, and so is a wrong msg_signature.
    assert (await aes_client.post(text_xml(OPENID, "明文", 8))).status_code == 403
    query, body = encrypted_push(TOKEN, AES_KEY, "wx-test-app", text_xml(OPENID, "篡改", 9), OPENID)
    assert (await aes_client.post(body, query=dict(query, msg_signature="f" * 40))).status_code == 403
    await aes_client.settle()
    assert len(aes_client.rasa.messages) == 1 and aes_client.processed_updates() == 1


async def test_without_token_the_channel_answers_503(fake: FakeWeChat, fake_loop_settings: Settings,
                                                     db_url: str) -> None:
    made, _ = await _client(dataclasses.replace(fake_loop_settings, wechat_token=None), fake, db_url)
    try:
        assert (await made.post(text_xml(OPENID, "hi", 1))).status_code == 503
        assert (await made.http.get(URL, params=signed_query(TOKEN, echostr="1"))).status_code == 503
        assert (await made.http.get("/webhooks/wechat/")).json() == {"status": "disabled"}
        assert made.channel.get_output_channel() is None
    finally:
        await made.http.aclose()


async def test_without_app_credentials_only_url_verification_works(fake: FakeWeChat, fake_loop_settings: Settings,
                                                                    db_url: str) -> None:
    settings = dataclasses.replace(fake_loop_settings, wechat_app_secret=None)
    made, _ = await _client(settings, fake, db_url)
    try:
        assert (await made.http.get(URL, params=signed_query(TOKEN, echostr="1"))).text == "1"
        assert (await made.post(text_xml(OPENID, "hi", 1))).status_code == 503
    finally:
        await made.http.aclose()


async def test_a_bad_aes_key_disables_the_channel_but_does_not_raise(fake: FakeWeChat, fake_loop_settings: Settings,
                                                                     db_url: str) -> None:
    made, _ = await _client(dataclasses.replace(fake_loop_settings, wechat_aes_key="short"), fake, db_url)
    try:
        assert (await made.post(text_xml(OPENID, "hi", 1))).status_code == 503
    finally:
        await made.http.aclose()


async def test_a_database_failure_is_500_so_wechat_retries(fake: FakeWeChat, fake_loop_settings: Settings,
                                                           db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    settings = dataclasses.replace(fake_loop_settings, database_url="sqlite:////nonexistent-dir/x.db")
    made, _ = await _client(settings, fake, db_url)
    try:
        response = await made.post(text_xml(OPENID, "机密内容", 1))
        assert response.status_code == 500
        assert "wechat.webhook_failed" in caplog.text
        assert OPENID not in caplog.text and "机密内容" not in caplog.text
    finally:
        await made.http.aclose()
        await made.channel.close()


async def test_output_channel_for_rasa_api_turns(client: Client) -> None:
    output = client.channel.get_output_channel()
    assert isinstance(output, WeChatOutput) and output.name() == "wechat"
    await output.send_response(f"wx:{OPENID}", {"text": "请为本次服务打分", "buttons": [
        {"title": f"{n}分", "payload": f'/inform{{"csat_score": "{n}"}}'} for n in range(1, 6)]})
    assert client.fake.texts_to(OPENID)[-1].endswith("5. 5分\n回复数字选择")
    assert (await client.post(text_xml(OPENID, "5", 10))).status_code == 200
    await client.settle()
    assert client.rasa.messages[-1].text == '/inform{"csat_score": "5"}'
    await output.send_response("tg:123", {"text": "not ours"})  # another channel's conversation: dropped
    assert all(s.openid == OPENID for s in client.fake.sent)


def test_rasa_builds_it_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WECHAT_TOKEN", "env-token")
    monkeypatch.setenv("WECHAT_APP_ID", "wx-env")
    monkeypatch.setenv("WECHAT_APP_SECRET", "env-secret")
    channel = WeChatInput.from_credentials(None)
    assert isinstance(channel, WeChatInput) and channel.name() == "wechat" and channel.enabled
    monkeypatch.delenv("WECHAT_TOKEN")
    assert not WeChatInput.from_credentials({}).enabled  # type: ignore[attr-defined]


def test_runtime_needs_app_credentials(fake_loop_settings: Settings) -> None:
    with pytest.raises(ValueError):
        settings = dataclasses.replace(fake_loop_settings, wechat_app_id=None)
        WeChatRuntime.open(settings, SharedRuntime(settings))
