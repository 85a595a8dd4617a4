"""The `exports.*` tables this package owns, and the clock every function of it reads.

Tables are created lazily (`ensure_tables`) so the export layer works on any warehouse opened
with `firmo.db.connect()`, without a separate migration step. All timestamps are naive UTC,
like the rest of the warehouse; every public function takes `now` so tests pin time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import duckdb

from firmo.db import REJECTS_DDL, table_exists
from firmo.sqlfiles import load_sql, quote_ident

LEDGER = "exports.ledger"
SUPPRESSION = "exports.suppression"
CUSTOMERS = "exports.customers"
REJECTS = "exports.rejects"


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the exports schema tables if missing (cheap, idempotent)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS exports")
    con.execute(load_sql("crm/create_tables"))
    con.execute(REJECTS_DDL.format(table=quote_ident(REJECTS)))


def utc_now(now: datetime | None = None) -> datetime:
    """`now` as naive UTC (aware datetimes are converted), or the current time."""
    if now is None:
        return datetime.now(timezone.utc).replace(tzinfo=None)
    if now.tzinfo is not None:
        return now.astimezone(timezone.utc).replace(tzinfo=None)
    return now


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN ... COMMIT, ROLLBACK on any exception (including KeyboardInterrupt)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: object) -> Iterator[None]:
    """Expose a polars/arrow frame to SQL under `name` for the duration of the block."""
    con.register(name, frame)
    try:
        yield
    finally:
        con.unregister(name)


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """Column names of `schema.table` (empty set when the table does not exist)."""
    if not table_exists(con, table):
        return set()
    schema, name = table.split(".")
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
        [schema, name],
    ).fetchall()
    return {r[0] for r in rows}


def tables_in_schema(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    """Base tables of a schema as `schema.table`, sorted (staging leftovers excluded)."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'"
        " ORDER BY table_name",
        [schema],
    ).fetchall()
    return [f"{schema}.{r[0]}" for r in rows if not r[0].endswith("__staging")]
