"""Our aiohttp service alone (no Rasa), on a thread with its own event loop, over a small provider network: for
browser tests of the provider portal that need tickets in many states. `run(coro)` runs a coroutine on the service's
loop (the services' database engine lives there)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import Base
from bot.db.session import create_async_db_engine, create_sync_engine, make_session_factory
from bot.settings import Settings
from bot.web.app import create_app
from tests.provider_world import World, build_world
from tests.threaded_service import ThreadedService

T = TypeVar("T")


@dataclass
class PortalService:
    """The running service, its network and a way to act on its database meanwhile."""

    url: str
    world: World
    _service: ThreadedService

    def run(self, make: Callable[[], Awaitable[T]]) -> T:
        """Run `make()` on the service's loop and wait for its result."""
        async def call() -> T:
            return await make()

        return self._service.call(call())


@contextmanager
def portal_service(tmp: Path) -> Iterator[PortalService]:
    """Create the schema and network, serve the app on a free port, yield, stop."""
    url = f"sqlite:///{tmp / 'portal.db'}"
    engine = create_sync_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    env = {"WEBHOOK_INTERVAL_S": "0", "SLA_SWEEP_INTERVAL_S": "0", "CSAT_DISPATCH_INTERVAL_S": "0",
           "PROVIDER_TELEGRAM_INTERVAL_S": "0", "CUSTOMER_OUTBOX_INTERVAL_S": "0"}
    settings = replace(Settings.from_env(env), database_url=url, var_dir=tmp)
    service = ThreadedService(create_app(settings))

    async def network() -> tuple[AsyncEngine, World]:
        async_engine = create_async_db_engine(url)
        return async_engine, await build_world(make_session_factory(async_engine))

    async_engine, world = service.call(network())
    try:
        yield PortalService(service.url, world, service)
    finally:
        service.call(async_engine.dispose())
        service.close()
