"""Webhooks end to end: our service's background outbox delivers a routed ticket; the CLI configures outlets."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.cli import main
from bot.db.models import OutletWebhook, WebhookDelivery
from bot.db.session import SessionFactory, create_async_db_engine, make_session_factory
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.keys import WEBHOOK_OUTBOX_KEY
from tests.fakes.webhook_receiver import Receiver
from tests.webhook_world import PHONE, build_network


def _settings(db_url: str, interval_s: float) -> Settings:
    base = Settings.from_env({"WEBHOOK_INTERVAL_S": str(interval_s)})
    return replace(base, database_url=db_url, csat_dispatch_interval_s=0)


async def _service(db_url: str, interval_s: float) -> TestClient:
    client = TestClient(TestServer(create_app(_settings(db_url, interval_s))))
    await client.start_server()
    return client


async def test_the_service_delivers_a_routed_ticket(
    db_url: str, session_factory: SessionFactory, receiver: Receiver
) -> None:
    network = await build_network(session_factory)
    await network.hook(receiver, "WH-A")
    client = await _service(db_url, 0.05)
    try:
        assert client.app is not None and client.app[WEBHOOK_OUTBOX_KEY] is not None
        number = await network.routed_ticket()
        for _ in range(200):
            if receiver.received:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # a second delivery, if there were one, would arrive now
    finally:
        await client.close()
    [got] = receiver.received
    assert got.signature_ok and got.fresh
    assert got.json["event"] == "ticket.routed" and got.json["ticket"]["number"] == number
    assert PHONE not in got.body.decode()
    async with session_factory() as session:
        [row] = (await session.execute(select(WebhookDelivery))).scalars().all()
    assert (row.status, row.delivery_id) == ("delivered", got.delivery_id)


async def test_interval_zero_disables_the_outbox(db_url: str) -> None:
    client = await _service(db_url, 0)
    try:
        assert client.app is not None and client.app[WEBHOOK_OUTBOX_KEY] is None
    finally:
        await client.close()


def test_interval_setting() -> None:
    assert Settings.from_env({}).webhook_interval_s == 5.0
    assert Settings.from_env({"WEBHOOK_INTERVAL_S": "0"}).webhook_interval_s == 0
    with pytest.raises(ValueError, match="WEBHOOK_INTERVAL_S"):
        create_app(replace(Settings.from_env({}), database_url="sqlite://", webhook_interval_s=-1))


async def _outlet_code(db_url: str) -> str:
    engine = create_async_db_engine(db_url)
    try:
        return next(iter((await build_network(make_session_factory(engine))).outlet_ids))
    finally:
        await engine.dispose()


async def _hook(db_url: str) -> OutletWebhook | None:
    engine = create_async_db_engine(db_url)
    try:
        async with make_session_factory(engine)() as session:
            return (await session.execute(select(OutletWebhook))).scalar_one_or_none()
    finally:
        await engine.dispose()


def test_cli_prints_the_secret_once_and_disables(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = asyncio.run(_outlet_code(db_url))
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["provider-webhook", "--outlet", code, "--url", "https://hooks.example.com/as"]) == 0
    out, err = capsys.readouterr()
    hook = asyncio.run(_hook(db_url))
    assert hook is not None and out.strip() == hook.secret and hook.enabled and hook.url.endswith("/as")
    assert hook.secret not in err and "will not be shown again" in err
    assert main(["provider-webhook", "--outlet", code, "--disable"]) == 0
    assert "disabled" in capsys.readouterr().err
    hook = asyncio.run(_hook(db_url))
    assert hook is not None and not hook.enabled
    assert main(["provider-webhook", "--outlet", code, "--url", "http://example.com/h"]) == 2
    assert "https" in capsys.readouterr().err
    assert main(["provider-webhook", "--outlet", "no-such-outlet", "--url", "https://example.com/h"]) == 2
    with pytest.raises(SystemExit):
        main(["provider-webhook", "--outlet", code])  # neither --url nor --disable
