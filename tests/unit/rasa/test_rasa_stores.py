"""Env-driven Rasa stores: SQLite/PostgreSQL tracker store, in-memory/Redis lock store, optional RabbitMQ broker."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from rasa.core.brokers.pika import PikaEventBroker
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_stores import (
    EnvEventBroker,
    EnvLockStore,
    EnvTrackerStore,
    amqp_params,
    redis_params,
)
from tests.conftest import require_service

REDIS_URL = "redis://127.0.0.1:6379/0"
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
_STORE_VARIABLES = ("DATABASE_URL", "TRACKER_DATABASE_URL", "REDIS_URL", "RABBITMQ_URL", "BOT_VAR_DIR")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No store variables set; var/ points into the test's tmp dir."""
    for name in _STORE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_VAR_DIR", str(tmp_path / "var"))
    return monkeypatch


def _tracker(sender_id: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        sender_id,
        [
            ActionExecuted("action_listen"),
            UserUttered("空调不制冷了", intent={"name": "report_fault", "confidence": 0.98}),
            BotUttered("收到，您的设备出现了故障。"),
        ],
    )


async def _save_and_retrieve(store: SQLTrackerStore) -> None:
    sender_id = f"test-{uuid.uuid4().hex[:8]}"
    await store.save(_tracker(sender_id))

    restored = await store.retrieve(sender_id)

    assert restored is not None
    assert restored.latest_message is not None
    assert restored.latest_message.text == "空调不制冷了"
    assert restored.latest_message.intent["name"] == "report_fault"
    assert restored.latest_bot_utterance is not None
    assert restored.latest_bot_utterance.text == "收到，您的设备出现了故障。"


# --- tracker store -------------------------------------------------------------------------------------------


async def test_tracker_store_defaults_to_sqlite_under_var_dir(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    store = EnvTrackerStore(domain=Domain.empty())
    try:
        assert isinstance(store, SQLTrackerStore)
        assert store.engine.dialect.name == "sqlite"
        assert Path(store.engine.url.database) == tmp_path / "var" / "tracker.db"  # var/ was created

        await _save_and_retrieve(store)

        assert (tmp_path / "var" / "tracker.db").stat().st_size > 0
    finally:
        store.engine.dispose()


async def test_tracker_store_ignores_a_url_from_endpoints(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    store = EnvTrackerStore(domain=Domain.empty(), host="postgresql://elsewhere/db")
    try:
        assert store.engine.dialect.name == "sqlite"
    finally:
        store.engine.dispose()


@pytest.mark.postgres
async def test_tracker_store_uses_postgresql_from_database_url(clean_env: pytest.MonkeyPatch, pg_url: str) -> None:
    clean_env.setenv("DATABASE_URL", pg_url)
    store = EnvTrackerStore(domain=Domain.empty())
    try:
        assert store.engine.dialect.name == "postgresql"
        assert store.engine.url.database == pg_url.rsplit("/", 1)[1]

        await _save_and_retrieve(store)

        with store.engine.connect() as connection:
            texts = [row[0] for row in connection.exec_driver_sql("SELECT data FROM events")]
        assert any("空调不制冷了" in json.loads(text).get("text", "") for text in texts)
    finally:
        store.engine.dispose()


@pytest.mark.postgres
async def test_tracker_database_url_wins_over_database_url(
    clean_env: pytest.MonkeyPatch, pg_url: str, tmp_path: Path
) -> None:
    clean_env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    clean_env.setenv("TRACKER_DATABASE_URL", pg_url)
    store = EnvTrackerStore(domain=Domain.empty())
    try:
        assert store.engine.dialect.name == "postgresql"
    finally:
        store.engine.dispose()


# --- lock store ----------------------------------------------------------------------------------------------


async def test_lock_store_defaults_to_in_memory(clean_env: pytest.MonkeyPatch) -> None:
    store = EnvLockStore(EndpointConfig(type="bot.rasa_stores.EnvLockStore"))

    assert isinstance(store.backend, InMemoryLockStore)
    async with store.lock("conversation-1") as lock:
        assert lock.conversation_id == "conversation-1"
        assert store.get_lock("conversation-1") is not None
    assert store.get_lock("conversation-1") is None


def test_redis_params() -> None:
    params = redis_params("rediss://user:p%40ss@cache.internal:6380/3")

    assert (params.host, params.port, params.db) == ("cache.internal", 6380, 3)
    assert (params.username, params.password, params.use_ssl) == ("user", "p@ss", True)
    assert redis_params("redis://localhost").db == 0
    with pytest.raises(ValueError, match="REDIS_URL"):
        redis_params("http://localhost:6379")


@pytest.mark.redis
async def test_lock_store_uses_redis_when_redis_url_is_set(clean_env: pytest.MonkeyPatch) -> None:
    require_service("Redis", 6379)
    import redis

    clean_env.setenv("REDIS_URL", REDIS_URL)
    prefix = f"test{uuid.uuid4().hex[:8]}"
    conversation_id = "conversation-1"
    key = f"{prefix}:lock:{conversation_id}"
    client = redis.Redis.from_url(REDIS_URL)
    store = EnvLockStore(EndpointConfig(type="bot.rasa_stores.EnvLockStore", key_prefix=prefix))
    try:
        assert isinstance(store.backend, RedisLockStore)

        ticket = store.issue_ticket(conversation_id)

        stored = json.loads(client.get(key) or b"{}")
        assert stored["conversation_id"] == conversation_id
        assert [json.loads(t)["number"] for t in stored["tickets"]] == [ticket]  # Rasa nests JSON

        store.cleanup(conversation_id, ticket)
        assert client.get(key) is None

        async with store.lock(conversation_id):
            assert client.get(key) is not None
        assert client.get(key) is None
    finally:
        client.delete(key)
        client.close()


# --- event broker --------------------------------------------------------------------------------------------


async def test_no_event_broker_without_rabbitmq_url(clean_env: pytest.MonkeyPatch) -> None:
    config = EndpointConfig(type="bot.rasa_stores.EnvEventBroker")

    assert await EnvEventBroker.from_endpoint_config(config) is None


def test_amqp_params_keep_credentials_out_of_the_host() -> None:
    params = amqp_params("amqps://svc:s%2Fcret@mq.internal/prod")

    assert params.url == "amqps://svc:s%2Fcret@mq.internal:5671/prod"
    assert (params.host, params.port, params.username, params.password) == (
        "mq.internal",
        5671,
        "svc",
        "s/cret",
    )
    assert amqp_params("amqp://127.0.0.1").url == "amqp://guest:guest@127.0.0.1:5672"
    with pytest.raises(ValueError, match="RABBITMQ_URL"):
        amqp_params("redis://127.0.0.1")


@pytest.mark.rabbitmq
async def test_event_broker_publishes_to_rabbitmq_when_rabbitmq_url_is_set(
    clean_env: pytest.MonkeyPatch,
) -> None:
    require_service("RabbitMQ", 5672)
    import aio_pika

    clean_env.setenv("RABBITMQ_URL", RABBITMQ_URL)
    queue_name = f"test_events_{uuid.uuid4().hex[:8]}"
    config = EndpointConfig(type="bot.rasa_stores.EnvEventBroker", queues=[queue_name])
    broker = await EnvEventBroker.from_endpoint_config(config)
    assert isinstance(broker, PikaEventBroker)
    assert broker.host == "127.0.0.1"  # Rasa logs `host`: no credentials in it
    connection = await aio_pika.connect_robust(RABBITMQ_URL)
    try:
        assert broker.is_ready()
        event = {"event": "user", "sender_id": "conversation-1", "text": "my laptop won't charge"}

        broker.publish(event)

        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, durable=True)
        message = None
        for _ in range(50):
            message = await queue.get(fail=False)
            if message is not None:
                break
            await asyncio.sleep(0.1)
        assert message is not None, "the published event never reached the queue"
        await message.ack()
        assert json.loads(message.body) == event
        await queue.delete(if_unused=False, if_empty=False)
    finally:
        await broker.close()
        await connection.close()
