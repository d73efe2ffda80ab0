"""The WeChat API client against the fake WeChat: token cached and shared, refreshed on 40001/42001 and before
expiry; customer-service sends; media downloads; typed errors that never carry the token."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from integrations.wechat.client import WeChatApi
from integrations.wechat.errors import WeChatApiError
from tests.fakes.rasa import closed_port_url
from tests.fakes.wechat import PNG, FakeWeChat


@pytest.fixture
async def fake() -> AsyncIterator[FakeWeChat]:
    async with FakeWeChat() as wechat:
        yield wechat


def _api(fake: FakeWeChat, http: aiohttp.ClientSession, **options: object) -> WeChatApi:
    return WeChatApi(http, fake.base_url, fake.app_id, fake.app_secret, **options)  # type: ignore[arg-type]


async def test_send_text_posts_raw_utf8_json(fake: FakeWeChat, http: aiohttp.ClientSession) -> None:
    await _api(fake, http).send_text("oUser", "您好，服务单 AS-20250101-ABCDEF 已创建")
    [sent] = fake.sent
    assert (sent.openid, sent.content) == ("oUser", "您好，服务单 AS-20250101-ABCDEF 已创建")
    assert "您好".encode() in sent.raw_body  # not \\u-escaped


async def test_token_is_cached_and_shared_by_concurrent_senders(fake: FakeWeChat, http: aiohttp.ClientSession) -> None:
    api = _api(fake, http)
    await asyncio.gather(*(api.send_text(f"o{i}", "hi") for i in range(20)))
    await api.send_text("oLater", "hi")
    assert fake.token_requests == 1
    assert len(fake.sent) == 21


async def test_token_is_refreshed_on_40001_and_the_send_retried(fake: FakeWeChat, http: aiohttp.ClientSession) -> None:
    api = _api(fake, http)
    await api.send_text("oUser", "one")
    fake.expire_tokens()  # e.g. another process fetched a new token
    await asyncio.gather(*(api.send_text("oUser", f"after {i}") for i in range(5)))
    assert fake.token_requests == 2  # one refresh, however many senders hit the expired token
    assert len(fake.texts_to("oUser")) == 6


async def test_token_is_refetched_shortly_before_it_expires(fake: FakeWeChat, http: aiohttp.ClientSession) -> None:
    now = [1000.0]
    api = _api(fake, http, clock=lambda: now[0])
    first = await api.access_token()
    now[0] += 7200 - 300 - 1
    assert await api.access_token() == first and fake.token_requests == 1
    now[0] += 2  # inside the safety margin: a new token, before WeChat's expiry
    assert await api.access_token() != first and fake.token_requests == 2


async def test_short_lived_tokens_are_kept_for_half_their_life(fake: FakeWeChat, http: aiohttp.ClientSession) -> None:
    fake.expires_in = 100
    now = [0.0]
    api = _api(fake, http, clock=lambda: now[0])
    await api.access_token()
    now[0] = 49.0
    await api.access_token()
    assert fake.token_requests == 1
    now[0] = 51.0
    await api.access_token()
    assert fake.token_requests == 2


async def test_a_token_refused_twice_is_an_error_not_a_loop(fake: FakeWeChat, http: aiohttp.ClientSession) -> None:
    original = fake._token_ok
    fake._token_ok = lambda request: False  # type: ignore[method-assign]
    try:
        with pytest.raises(WeChatApiError) as raised:
            await _api(fake, http).send_text("oUser", "hi")
    finally:
        fake._token_ok = original  # type: ignore[method-assign]
    assert raised.value.errcode == 40001 and fake.send_requests == 2 and fake.token_requests == 2


async def test_wrong_secret_is_a_typed_error_without_the_secret(fake: FakeWeChat, http: aiohttp.ClientSession,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api = WeChatApi(http, fake.base_url, fake.app_id, "wrong-secret-value")
    with pytest.raises(WeChatApiError) as raised:
        await api.send_text("oUser", "hi")
    assert raised.value.errcode == 40125
    assert "wrong-secret-value" not in str(raised.value) and "wrong-secret-value" not in caplog.text


async def test_unreachable_api_is_a_typed_error(http: aiohttp.ClientSession) -> None:
    api = WeChatApi(http, closed_port_url(), "app", "secret-value")
    with pytest.raises(WeChatApiError, match="unreachable") as raised:
        await api.send_text("oUser", "hi")
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert "secret-value" not in str(raised.value)


async def test_timeouts_are_explicit(fake: FakeWeChat, http: aiohttp.ClientSession) -> None:
    fake.send_delay_s = 1.0
    api = _api(fake, http, timeout=aiohttp.ClientTimeout(total=0.2))
    await api.access_token()
    with pytest.raises(WeChatApiError, match="TimeoutError"):
        await api.send_text("oUser", "hi")


async def test_other_errcodes_raise_with_the_code(fake: FakeWeChat, http: aiohttp.ClientSession,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api = _api(fake, http)
    with pytest.raises(WeChatApiError) as raised:
        await api.send_text("oUser", "字" * 1000)  # 3,000 bytes: over WeChat's limit
    assert raised.value.errcode == 45002
    token = await api.access_token()
    assert token not in caplog.text and "oUser" not in caplog.text


async def test_media_download_with_token_refresh(fake: FakeWeChat, http: aiohttp.ClientSession) -> None:
    api = _api(fake, http)
    assert await api.download_media("MEDIA-PHOTO") == PNG
    fake.expire_tokens()
    assert await api.download_media("MEDIA-PHOTO") == PNG
    assert fake.token_requests == 2
    with pytest.raises(WeChatApiError) as raised:
        await api.download_media("NO-SUCH-MEDIA")
    assert raised.value.errcode == 40007


async def test_media_over_the_limit_is_refused(fake: FakeWeChat, http: aiohttp.ClientSession) -> None:
    fake.media["BIG"] = PNG + b"\0" * 5000
    with pytest.raises(WeChatApiError, match="limit"):
        await _api(fake, http, max_media_bytes=4096).download_media("BIG")


async def test_picture_urls_only_from_wechat_hosts(fake: FakeWeChat, http: aiohttp.ClientSession) -> None:
    api = _api(fake, http)
    assert await api.fetch_picture(f"{fake.base_url}/pictures/photo.png") == PNG  # the API base host (tests)
    for url in ("http://169.254.169.254/latest/meta-data", "file:///etc/passwd", "https://evil.example/x.png",
                "https://qpic.cn.evil.example/x.png", "ftp://mmbiz.qpic.cn/x"):
        with pytest.raises(WeChatApiError, match="image host"):
            await api.fetch_picture(url)


async def test_create_menu(fake: FakeWeChat, http: aiohttp.ClientSession) -> None:
    await _api(fake, http).create_menu({"button": [{"type": "click", "name": "报修", "key": "REPORT_FAULT"}]})
    assert fake.menus == [{"button": [{"type": "click", "name": "报修", "key": "REPORT_FAULT"}]}]
