"""Writes a generated network in one transaction: executemany on SQLite, COPY on PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, cast

from sqlalchemy import JSON, Table, text
from sqlalchemy.engine import Connection, Engine

from bot.db.models import Base
from bot.domain.errors import ConflictError
from bot.seed.catalogue import Catalogue
from bot.seed.network import Network

logger = logging.getLogger(__name__)

#: Tables the seed owns, parents first; reset deletes them in the reverse order.
SEEDED_TABLES = (
    "brands", "other_brands", "product_models", "parts", "part_compatibility", "providers",
    "outlets", "authorisations", "warehouses", "stock",
)
BATCH_ROWS = 10_000


class SeedRefusedError(ConflictError):
    """The database is not in a state the seed may write to (already seeded, or has dependent rows)."""


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _dependants() -> list[str]:
    """Tables outside the seed that reference seeded rows (tickets, devices, ...): reset would orphan them."""
    seeded = set(SEEDED_TABLES)
    return sorted(
        name for name, table in Base.metadata.tables.items()
        if name not in seeded and any(fk.column.table.name in seeded for fk in table.foreign_keys)
    )


def _has_rows(conn: Connection, name: str) -> bool:
    return conn.execute(text(f"SELECT 1 FROM {name} LIMIT 1")).first() is not None


def _prepare(conn: Connection, reset: bool) -> None:
    filled = [name for name in SEEDED_TABLES if _has_rows(conn, name)]
    if filled and not reset:
        raise SeedRefusedError(f"database already seeded ({', '.join(filled)} not empty); pass reset=True")
    if not filled:
        return
    in_use = [name for name in _dependants() if _has_rows(conn, name)]
    if in_use:
        raise SeedRefusedError(f"reset refused: {', '.join(in_use)} hold rows that reference seeded data")
    for name in reversed(SEEDED_TABLES):
        conn.execute(_table(name).delete())
    logger.info("seed.reset tables=%d", len(filled))


def _converters(conn: Connection, table: Table, fields: Sequence[str]) -> list[Callable[[Any], Any] | None]:
    if conn.dialect.name == "postgresql":  # COPY takes text: only JSON needs serialising
        dump = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731
        return [dump if isinstance(table.c[f].type, JSON) else None for f in fields]
    # The column types' own bind processors: dates, JSON and decimals stored exactly as the ORM stores them.
    return [table.c[f].type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for f in fields]


def insert_rows(conn: Connection, name: str, rows: Sequence[NamedTuple]) -> int:
    """Bulk-insert rows whose field names are the table's columns; returns how many were written."""
    if not rows:
        return 0
    table, fields = _table(name), rows[0]._fields
    converters = _converters(conn, table, fields)
    if any(converters):
        pairs = list(enumerate(converters))
        data: Sequence[Sequence[Any]] = [
            tuple(c(row[i]) if c is not None and row[i] is not None else row[i] for i, c in pairs) for row in rows
        ]
    else:
        data = rows
    columns = ", ".join(fields)
    if conn.dialect.name == "postgresql":
        _copy(conn, f"COPY {name} ({columns}) FROM STDIN WITH (FORMAT csv)", data)
    else:
        sql = f"INSERT INTO {name} ({columns}) VALUES ({', '.join('?' for _ in fields)})"
        for start in range(0, len(data), BATCH_ROWS):
            conn.exec_driver_sql(sql, cast(Any, list(data[start : start + BATCH_ROWS])))  # executemany
    return len(rows)


def _copy(conn: Connection, statement: str, data: Sequence[Sequence[Any]]) -> None:
    # COPY is several times faster than multi-row INSERTs; it runs on the same connection and transaction.
    cursor = conn.connection.cursor()
    try:
        for start in range(0, len(data), BATCH_ROWS * 5):
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(data[start : start + BATCH_ROWS * 5])
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)
    finally:
        cursor.close()


def _advance_sequences(conn: Connection) -> None:
    # Explicit ids leave PostgreSQL's serial sequences behind; later ORM inserts would collide without this.
    for name in SEEDED_TABLES:
        if "id" in _table(name).c:
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {name}), 1), (SELECT MAX(id) FROM {name}) IS NOT NULL)"
            ))


def write_network(engine: Engine, catalogue: Catalogue, network: Network, reset: bool = False,
                  chunk_outlets: int = 5000) -> dict[str, int]:
    """Write catalogue and network atomically; returns rows written per table."""
    counts = dict.fromkeys(SEEDED_TABLES, 0)
    with engine.begin() as conn:
        _prepare(conn, reset)
        for name, rows in (
            ("brands", catalogue.brands), ("other_brands", catalogue.other_brands),
            ("product_models", catalogue.models), ("parts", catalogue.parts),
            ("part_compatibility", catalogue.compatibility), ("providers", network.providers),
            ("warehouses", network.regional_warehouses), ("stock", network.regional_stock),
        ):
            counts[name] += insert_rows(conn, name, rows)
        for chunk in network.chunks(chunk_outlets):
            counts["outlets"] += insert_rows(conn, "outlets", chunk.outlets)
            counts["authorisations"] += insert_rows(conn, "authorisations", chunk.authorisations)
            counts["warehouses"] += insert_rows(conn, "warehouses", chunk.warehouses)
            counts["stock"] += insert_rows(conn, "stock", chunk.stock)
        if conn.dialect.name == "postgresql":
            _advance_sequences(conn)
    return counts
