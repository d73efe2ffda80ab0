"""Alembic environment: runs migrations on the blocking driver of the configured database URL."""

from __future__ import annotations

from alembic import context

from bot.db.models import Base
from bot.db.session import create_sync_engine, is_sqlite

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Emit SQL without a connection (`alembic upgrade --sql`)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through a live connection; SQLite needs batch mode to alter tables."""
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set by bot.db.migrate"
    connectable = config.attributes.get("connection") or create_sync_engine(url)
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=is_sqlite(url),
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
