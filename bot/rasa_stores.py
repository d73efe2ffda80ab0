"""Rasa tracker store, lock store and event broker configured from the environment (`bot.settings`).

Referenced by type in `endpoints.yml` and imported only by the Rasa server process. Rasa's own YAML
expansion (`${VAR}`) fails on unset variables and has no defaults, so these classes read
`Settings.from_env()` instead, which gives the embedded defaults:

| setting                                      | unset                          | set                        |
|----------------------------------------------|--------------------------------|----------------------------|
| TRACKER_DATABASE_URL, else DATABASE_URL      | SQLite file `<var>/tracker.db` | that database (PostgreSQL) |
| REDIS_URL                                    | in-memory lock store           | `RedisLockStore`           |
| RABBITMQ_URL                                 | no event broker                | `PikaEventBroker`          |

Note: Rasa decides whether several Sanic workers are allowed from the endpoint *type* alone (a custom lock
store counts as multi-worker safe), so keep `SANIC_WORKERS` at 1 unless REDIS_URL is set.
"""

from __future__ import annotations

import logging
from asyncio import AbstractEventLoop
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from rasa.core.brokers.broker import EventBroker
from rasa.core.brokers.pika import PikaEventBroker
from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from bot.settings import Settings

logger = logging.getLogger(__name__)

#: Queue the event broker publishes to unless `queues` is given in endpoints.yml.
DEFAULT_EVENT_QUEUE = "rasa_events"
#: Redis key prefix of conversation locks (Rasa requires it alphanumeric): keys are `aftersales:lock:<id>`.
DEFAULT_LOCK_KEY_PREFIX = "aftersales"


class EnvTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` on `Settings.tracker_database_url`: SQLite under `var/` by default, or PostgreSQL."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        settings: Settings | None = None,
        **kwargs: Any,
    ) -> None:
        """Connect to the configured database (Rasa passes `host` from endpoints.yml; it is ignored)."""
        from sqlalchemy.engine import make_url

        from bot.db.session import sync_url

        if host:
            logger.warning("tracker_store.url_ignored: the database comes from TRACKER_DATABASE_URL/DATABASE_URL")
        settings = settings or Settings.from_env()
        # The blocking driver form (sqlite3 / psycopg2): SQLTrackerStore uses a synchronous engine.
        url = make_url(str(sync_url(settings.tracker_database_url)))
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        logger.info("tracker_store.connect %s", url.render_as_string(hide_password=True))
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database or "",
            username=url.username,  # type: ignore[arg-type]
            password=url.password,  # type: ignore[arg-type]
            event_broker=event_broker,
            query=dict(url.query),
            **kwargs,
        )


@dataclass(frozen=True)
class RedisParams:
    """Connection parameters of a `redis://` or `rediss://` URL."""

    host: str
    port: int
    db: int
    username: str | None
    password: str | None
    use_ssl: bool


def redis_params(url: str) -> RedisParams:
    """Split a Redis URL (`redis[s]://[[user]:password@]host[:port][/db]`) into its parts."""
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"}:
        raise ValueError(f"REDIS_URL must start with redis:// or rediss://, not {parts.scheme!r}://")
    db = parts.path.strip("/")
    return RedisParams(
        host=parts.hostname or "localhost",
        port=parts.port or 6379,
        db=int(db) if db else 0,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_ssl=parts.scheme == "rediss",
    )


def build_lock_store(redis_url: str | None, key_prefix: str = DEFAULT_LOCK_KEY_PREFIX) -> LockStore:
    """A `RedisLockStore` for `redis_url`, or an `InMemoryLockStore` when it is None."""
    if not redis_url:
        return InMemoryLockStore()
    params = redis_params(redis_url)
    return RedisLockStore(
        host=params.host,
        port=params.port,
        db=params.db,
        username=params.username,
        password=params.password,
        use_ssl=params.use_ssl,
        key_prefix=key_prefix,
    )


class EnvLockStore(LockStore):
    """Lock store that delegates to Redis when REDIS_URL is set, else to an in-memory store.

    A delegating subclass (rather than a `__new__` that returns another class) keeps Rasa's `lock()`,
    ticket and cleanup machinery of the base class, which only calls `get_lock`/`save_lock`/`delete_lock`.
    """

    def __init__(self, endpoint_config: EndpointConfig | None = None, settings: Settings | None = None) -> None:
        """Build the backend; `key_prefix` in endpoints.yml overrides the Redis key prefix."""
        settings = settings or Settings.from_env()
        options = endpoint_config.kwargs if endpoint_config else {}
        self.backend = build_lock_store(settings.redis_url, options.get("key_prefix", DEFAULT_LOCK_KEY_PREFIX))
        logger.info("lock_store.backend %s", type(self.backend).__name__)
        super().__init__()

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """Fetch the lock of `conversation_id` from the backend."""
        return self.backend.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        """Delete the lock of `conversation_id` from the backend."""
        self.backend.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        """Store `lock` in the backend."""
        self.backend.save_lock(lock)


@dataclass(frozen=True)
class AmqpParams:
    """Connection parameters of an `amqp://` or `amqps://` URL; `url` keeps the credentials."""

    url: str
    host: str
    port: int
    username: str
    password: str


def amqp_params(url: str) -> AmqpParams:
    """Normalise an AMQP URL (`amqp[s]://[user:password@]host[:port][/vhost][?query]`); guest/guest default."""
    parts = urlsplit(url)
    if parts.scheme not in {"amqp", "amqps"}:
        raise ValueError(f"RABBITMQ_URL must start with amqp:// or amqps://, not {parts.scheme!r}://")
    host = parts.hostname or "localhost"
    port = parts.port or (5671 if parts.scheme == "amqps" else 5672)
    # Credentials and vhost stay percent-encoded inside the URL; the decoded forms are for the fields.
    user, password = parts.username or "guest", parts.password or "guest"
    netloc_host = f"[{host}]" if ":" in host else host
    full = f"{parts.scheme}://{user}:{password}@{netloc_host}:{port}{parts.path}"
    if parts.query:
        full = f"{full}?{parts.query}"
    return AmqpParams(url=full, host=host, port=port, username=unquote(user), password=unquote(password))


class _UrlPikaEventBroker(PikaEventBroker):
    """`PikaEventBroker` that connects with a full AMQP URL (vhost, amqps) while its `host` stays bare.

    Rasa logs `host`; passing the URL as `host` (its only way to reach a vhost) would log the password.
    """

    def __init__(self, amqp_url: str, **kwargs: Any) -> None:
        """Keep `amqp_url` for connecting; everything else is `PikaEventBroker`'s."""
        self._amqp_url = amqp_url
        super().__init__(**kwargs)

    def _configure_url(self) -> str | None:
        return self._amqp_url


class EnvEventBroker(EventBroker):
    """Factory for the event broker: a `PikaEventBroker` when RABBITMQ_URL is set, else no broker (None)."""

    @classmethod
    async def from_endpoint_config(  # type: ignore[override]
        cls,
        broker_config: EndpointConfig | None,
        event_loop: AbstractEventLoop | None = None,
        settings: Settings | None = None,
    ) -> EventBroker | None:
        """Connect to RabbitMQ; options in endpoints.yml (`queues`, `exchange_name`, ...) are passed on."""
        settings = settings or Settings.from_env()
        if not settings.rabbitmq_url:
            logger.info("event_broker.disabled RABBITMQ_URL is not set")
            return None
        params = amqp_params(settings.rabbitmq_url)
        options: dict[str, Any] = {"queues": [DEFAULT_EVENT_QUEUE]}
        options.update(broker_config.kwargs if broker_config else {})
        broker = _UrlPikaEventBroker(
            params.url,
            host=params.host,
            port=params.port,
            username=params.username,
            password=params.password,
            event_loop=event_loop,
            **options,
        )
        await broker.connect()
        logger.info("event_broker.connected host=%s queues=%s", params.host, broker.queues)
        return broker
