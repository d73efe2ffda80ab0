"""Our aiohttp app served on a free port from a background thread's event loop, for synchronous tests (browsers,
Schemathesis) that need a real HTTP server while the test itself runs outside any loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")


class ThreadedService:
    """Our aiohttp app served on 127.0.0.1:<free port> from a background thread's event loop."""

    def __init__(self, app: web.Application) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="service-under-test", daemon=True)
        self.thread.start()
        self.runner = web.AppRunner(app)
        self.call(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self.call(site.start())
        server = site._server
        assert server is not None
        self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"  # type: ignore[attr-defined]

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the service's loop and wait for it."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    def close(self) -> None:
        """Stop the app (its cleanup contexts run) and the loop."""
        self.call(self.runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()
