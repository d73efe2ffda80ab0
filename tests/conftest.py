"""Shared fixtures: throwaway SQLite databases, and real PostgreSQL/Redis/RabbitMQ when they are running; an HTTP
client session; the fakes of Rasa and of a provider's webhook receiver; the provider-API test network."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import Base
from bot.db.session import SessionFactory, create_async_db_engine, create_sync_engine, make_session_factory
from tests.fakes.rasa import FakeRasa
from tests.fakes.webhook_receiver import Receiver
from tests.provider_world import World, build_world

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _create_schema(url: str) -> None:
    engine = create_sync_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()


def require_service(name: str, port: int) -> None:
    """Skip the calling test, with a clear reason, when a real service is not listening."""
    if not _port_open("127.0.0.1", port):
        pytest.skip(f"{name} is not running on 127.0.0.1:{port}; start it to run this test")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a fresh, empty SQLite database file."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """URL of a fresh SQLite database with the schema created."""
    _create_schema(sqlite_url)
    return sqlite_url


@pytest.fixture
async def async_engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """An async engine on the fresh SQLite database."""
    engine = create_async_db_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(async_engine: AsyncEngine):  # type: ignore[no-untyped-def]
    """The session factory services receive."""
    return make_session_factory(async_engine)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped afterwards. Skips when PostgreSQL is absent."""
    require_service("PostgreSQL", 5432)
    import psycopg2

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="test")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@pytest.fixture
def pg_db_url(pg_url: str) -> str:
    """A fresh PostgreSQL database with the schema created."""
    _create_schema(pg_url)
    return pg_url


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """An aiohttp client session for the test, closed afterwards."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def rasa() -> AsyncIterator[FakeRasa]:
    """The fake Rasa HTTP API, answering 200 and recording every request (modules with another fake override it)."""
    async with FakeRasa() as fake:
        yield fake


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A provider's webhook receiver on 127.0.0.1, checking signatures independently of our signer."""
    async with Receiver() as fake:
        yield fake


@pytest.fixture
async def world(session_factory: SessionFactory) -> World:
    """The provider-API test network (`tests.provider_world`): three outlets near Shenzhen, a part, API keys."""
    return await build_world(session_factory)
