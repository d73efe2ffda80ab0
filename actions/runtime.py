"""The services the actions call, built lazily on first use (importing `actions` has no side effects).

The action server is one process serving many conversations: one engine and one services container
(`bot.services.container`, built as our aiohttp service builds its own, without a Rasa client) are shared by all
actions. Tests replace the container with `use_services(...)`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.session import create_async_db_engine, make_session_factory
from bot.services.container import Services, build_services
from bot.settings import Settings

__all__ = ["SERVICE_TIMEOUT_S", "Services", "as_dict", "close_services", "public_error", "services", "use_services",
           "warm_up", "within_budget"]

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: An action answers within this budget or apologises (Rasa waits for the action server much longer).
SERVICE_TIMEOUT_S = 1.5


_services: Services | None = None
_engine: AsyncEngine | None = None
_lock = asyncio.Lock()


async def services() -> Services:
    """The process-wide services, created from the environment on first use."""
    global _services, _engine
    if _services is None:
        async with _lock:
            if _services is None:
                settings = Settings.from_env()
                _engine = create_async_db_engine(settings.database_url)
                _services = build_services(make_session_factory(_engine), settings)
                logger.info("actions.services_ready")
    return _services


async def warm_up() -> None:
    """Build the services and load what the first requests would otherwise wait for (geocoding tables, routing)."""
    svc = await services()
    started = time.perf_counter()
    await asyncio.to_thread(svc.geocoder.warm_up)
    await svc.routing.load()
    logger.info("actions.warmed_up seconds=%.2f", time.perf_counter() - started)


async def close_services() -> None:
    """Forget the services and close their database engine (process shutdown)."""
    global _services, _engine
    engine, _services, _engine = _engine, None, None
    if engine is not None:
        await engine.dispose()


def use_services(replacement: Services | None) -> None:
    """Install (or, with None, forget) the services; for tests and embedding."""
    global _services
    _services = replacement


async def within_budget(call: Awaitable[T], timeout_s: float = SERVICE_TIMEOUT_S) -> T:
    """Await a service call, giving up after the action's time budget."""
    return await asyncio.wait_for(call, timeout=timeout_s)


def public_error(exc: BaseException) -> str:
    """A log-safe name for an unexpected failure (never the message, which may carry customer data)."""
    return type(exc).__name__


def as_dict(value: Any) -> dict[str, Any]:
    """A slot value that should be a mapping, or an empty one."""
    return value if isinstance(value, dict) else {}
