"""Our aiohttp service alone (no Rasa), on a thread with its own event loop, over a small provider network: for
browser tests of the provider portal that need tickets in many states. `run(coro)` runs a coroutine on the service's
loop (the services' database engine lives there)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from bot.db.models import Base
from bot.db.session import create_async_db_engine, create_sync_engine, make_session_factory
from bot.settings import Settings
from bot.web.app import create_app
from tests.provider_world import World, build_world
from tests.stack import free_port

T = TypeVar("T")


@dataclass
class PortalService:
    """The running service, its network and a way to act on its database meanwhile."""

    url: str
    world: World
    _loop: asyncio.AbstractEventLoop

    def run(self, make: Callable[[], Awaitable[T]]) -> T:
        """Run `make()` on the service's loop and wait for its result."""
        async def call() -> T:
            return await make()

        future: Future[T] = asyncio.run_coroutine_threadsafe(call(), self._loop)
        return future.result(30)


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
    port = free_port()
    loop = asyncio.new_event_loop()
    box: dict[str, Any] = {}
    ready = threading.Event()

    async def start() -> None:
        box["engine"] = create_async_db_engine(url)
        box["world"] = await build_world(make_session_factory(box["engine"]))
        runner = web.AppRunner(create_app(settings))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        box["runner"] = runner

    def serve() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(start())
        finally:
            ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, name="portal-service", daemon=True)
    thread.start()
    assert ready.wait(60) and "runner" in box, "the service did not start"

    async def stop() -> None:
        await box["runner"].cleanup()
        await box["engine"].dispose()

    try:
        yield PortalService(f"http://127.0.0.1:{port}", box["world"], loop)
    finally:
        asyncio.run_coroutine_threadsafe(stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
