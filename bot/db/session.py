"""Engines and session factories. Created by app factories and commands, never at import time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, create_engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import AsyncAdaptedQueuePool

#: What services receive: call it to get a fresh `AsyncSession` (one per request or unit of work).
SessionFactory = Callable[[], AsyncSession]


def _with_driver(url: str, sqlite_driver: str, pg_driver: str) -> URL:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername=f"sqlite+{sqlite_driver}" if sqlite_driver else "sqlite")
    if backend in {"postgresql", "postgres"}:
        return parsed.set(drivername=f"postgresql+{pg_driver}")
    raise ValueError(f"unsupported database backend {backend!r}: use sqlite or postgresql")


def async_url(url: str) -> URL:
    """The asyncio-driver form of a database URL (aiosqlite / asyncpg)."""
    return _with_driver(url, "aiosqlite", "asyncpg")


def sync_url(url: str) -> URL:
    """The blocking-driver form of a database URL (sqlite3 / psycopg2), for migrations and bulk seeding."""
    return _with_driver(url, "", "psycopg2")


def is_sqlite(url: str) -> bool:
    """Whether the URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the writer; busy_timeout makes concurrent writers wait instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_sync_engine(url: str, **kwargs: Any) -> Engine:
    """A blocking engine (migrations, seeding, benchmarks that load data)."""
    engine = create_engine(sync_url(url), future=True, **kwargs)
    if is_sqlite(url):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def create_async_db_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """The engine services run on."""
    if not is_sqlite(url):
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
        kwargs.setdefault("pool_pre_ping", True)
    elif make_url(url).database not in (None, "", ":memory:"):
        # SQLAlchemy 1.4 gives aiosqlite file databases a NullPool: a new connection, thread and PRAGMAs per
        # session (milliseconds each). A small queue pool is what 2.0 defaults to.
        kwargs.setdefault("poolclass", AsyncAdaptedQueuePool)
    engine = create_async_engine(async_url(url), future=True, **kwargs)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def make_session_factory(engine: AsyncEngine) -> SessionFactory:
    """A factory of `AsyncSession`s; objects stay usable after commit (expire_on_commit=False)."""
    # The 1.4 stubs predate AsyncSession as a sessionmaker class.
    factory: SessionFactory = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)  # type: ignore[type-var]
    return factory
