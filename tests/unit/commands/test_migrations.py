"""Alembic migrations: up and down on SQLite and on the real PostgreSQL, and in step with the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.db import migrate
from bot.db.models import Base
from bot.db.session import create_sync_engine

EXPECTED_TABLES = {
    "brands", "product_models", "parts", "part_compatibility", "customers", "devices", "providers", "outlets",
    "authorisations", "warehouses", "stock", "tickets", "ticket_events", "part_reservations",
    "handoffs", "csat_ratings", "csat_requests", "channel_updates", "attachments",
    "provider_api_keys",
    "outlet_webhooks", "webhook_deliveries", "webhook_cursors",
    "agents",
    "customer_messages",
    "outlet_telegram_groups", "provider_telegram_notices",
    "nlu_examples", "nlu_labels",
    "other_brands",
}


def _tables(url: str) -> set[str]:
    engine = create_sync_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _diff(url: str) -> list[object]:
    engine = create_sync_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def _up_down(url: str) -> None:
    migrate.upgrade(url)
    assert _tables(url) == EXPECTED_TABLES
    assert _diff(url) == [], "models and migrations disagree: add a migration"
    migrate.downgrade(url, "base")
    assert _tables(url) == set()
    migrate.upgrade(url)
    assert _tables(url) == EXPECTED_TABLES


def test_migrations_up_and_down_on_sqlite(sqlite_url: str) -> None:
    _up_down(sqlite_url)


@pytest.mark.postgres
def test_migrations_up_and_down_on_postgresql(pg_url: str) -> None:
    _up_down(pg_url)
