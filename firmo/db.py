"""DuckDB connection and the build-then-swap discipline every loader follows.

A load never writes into the live tables. It builds `<schema>.<table>__staging`, then
`publish()` drops the old table and renames the staging one inside a single transaction, so
a crash at any point leaves either the old tables or the new ones, never a mix, and a re-run
starts by dropping whatever staging tables an earlier crash left behind.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from firmo.settings import Settings
from firmo.sqlfiles import quote_ident

# The public registries firmo loads: each has its schema of raw tables (the registry's column names)
# and its rejects table.
REGISTRIES = ("sirene", "inpi", "bodacc", "labels", "geo", "jobs", "idcc")
SCHEMAS = ("ref", *REGISTRIES, "core", "leads", "waterfall", "exports", "analytics")

REJECTS_DDL = """
CREATE TABLE IF NOT EXISTS {table} (
    target_table VARCHAR NOT NULL,   -- table the row was meant for, e.g. 'sirene.etablissements'
    source_file  VARCHAR NOT NULL,   -- file (or URL) the row came from
    line_number  BIGINT,             -- 1-based physical line in that file (header = line 1); NULL for JSON/parquet
    reason       VARCHAR NOT NULL,   -- why it was quarantined, readable by an analyst
    raw          VARCHAR,            -- the row as read (truncated to 2,000 characters)
    loaded_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
)
"""


def connect(
    path: str | Path | None = None, *, read_only: bool = False, settings: Settings | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (`path`, else `settings.db_path`) with the settings' DuckDB memory and
    threads, and make sure the schemas exist. Entry points pass their `settings`; without it the
    environment's are read now (tests, a REPL)."""
    settings = settings or Settings.from_env()
    target = Path(path) if path is not None else settings.db_path
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": settings.duckdb_memory,
        # Row order of a bulk load carries no meaning here; not preserving it lets DuckDB
        # stream inserts with far less memory.
        "preserve_insertion_order": False,
    }
    threads = settings.duckdb_threads
    if threads:
        config["threads"] = threads
    if not read_only:
        target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(target), read_only=read_only, config=config)
    if not read_only:
        ensure_schemas(con)
    return con


@contextlib.contextmanager
def connection(
    path: str | Path | None = None, *, read_only: bool = False, settings: Settings | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(path, read_only=read_only, settings=settings)
    try:
        yield con
    finally:
        con.close()


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for schema in REGISTRIES:
        con.execute(REJECTS_DDL.format(table=f"{schema}.rejects"))


def create_rejects_staging(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """A fresh, empty table shaped like the rejects tables (defaults included), for one load."""
    con.execute(f"DROP TABLE IF EXISTS {quote_ident(table)}")
    con.execute(REJECTS_DDL.format(table=quote_ident(table)))


def staging_name(table: str) -> str:
    """`sirene.etablissements` -> `sirene.etablissements__staging`."""
    return f"{table}__staging"


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, name],
    ).fetchall()
    return bool(row and row[0][0])


def drop_staging(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """Remove staging leftovers of an earlier crashed load."""
    for table in tables:
        con.execute(f"DROP TABLE IF EXISTS {quote_ident(staging_name(table))}")


# Called by `publish` with (connection, live table names) once every staging table is complete,
# inside the swap's transaction: raising refuses the publish (see `publish_guard`).
PublishGuard = Callable[[duckdb.DuckDBPyConnection, list[str]], None]
_publish_guard: ContextVar[PublishGuard | None] = ContextVar("firmo_publish_guard", default=None)


@contextlib.contextmanager
def publish_guard(guard: PublishGuard) -> Iterator[None]:
    """Run `guard(con, tables)` in every `publish()` of the block, after the `also` statements and
    before the swap, in the same transaction: whatever it raises rolls the publish back, so the
    live tables stay exactly as they were (the loader's own cleanup then drops its staging).
    This is how `firmo load` puts the row-count guard inside each loader's build-then-swap
    without the loaders knowing about it."""
    token = _publish_guard.set(guard)
    try:
        yield
    finally:
        _publish_guard.reset(token)


def publish(
    con: duckdb.DuckDBPyConnection,
    tables: list[str] | tuple[str, ...],
    *,
    rejects: Mapping[str, list[str]] | None = None,
    rejects_staging: str | None = None,
    also: Sequence[str | tuple[str, Mapping[str, object] | Sequence[object]]] = (),
) -> None:
    """Atomically swap each `table__staging` in place of `table`.

    `rejects`, when given, maps a rejects table (e.g. `sirene.rejects`) to the target tables
    whose previous rejects must be replaced by the rows of `rejects_staging` in the same
    transaction, so the quarantine always describes the data that is live. `also` holds extra
    statements (e.g. appending to a history table), each SQL text or (SQL, bound parameters), that
    must commit with the swap or not at all.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in also:  # before the swap: they may compare staging with live
            con.execute(*statement) if isinstance(statement, tuple) else con.execute(statement)
        guard = _publish_guard.get()
        if guard is not None:
            guard(con, list(tables))
        for table in tables:
            live, staging = quote_ident(table), quote_ident(staging_name(table))
            if not table_exists(con, staging_name(table)):
                raise RuntimeError(f"nothing to publish: {staging_name(table)} does not exist")
            con.execute(f"DROP TABLE IF EXISTS {live}")
            con.execute(f"ALTER TABLE {staging} RENAME TO {quote_ident(table.split('.')[1])}")
        if rejects:
            for rejects_table, targets in rejects.items():
                con.execute(
                    f"DELETE FROM {quote_ident(rejects_table)} WHERE target_table IN (SELECT unnest(?::VARCHAR[]))",
                    [list(targets)],
                )
                if rejects_staging:
                    con.execute(
                        f"INSERT INTO {quote_ident(rejects_table)} BY NAME SELECT * FROM {quote_ident(rejects_staging)}"
                        " WHERE target_table IN (SELECT unnest(?::VARCHAR[]))",
                        [list(targets)],
                    )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def replace_table(con: duckdb.DuckDBPyConnection, table: str, data: object) -> int:
    """Build `table` from an Arrow table / Polars frame / DuckDB relation, then swap it in.

    Returns the number of rows published.
    """
    drop_staging(con, table)
    con.register("__firmo_replace_src", data)
    try:
        con.execute(f"CREATE TABLE {quote_ident(staging_name(table))} AS SELECT * FROM __firmo_replace_src")
    finally:
        con.unregister("__firmo_replace_src")
    publish(con, [table])
    return row_count(con, table)


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    # fetchall, not fetchone: DuckDB 2.0 keeps a half-read result open and the next query fails.
    rows = con.execute(f"SELECT count(*) FROM {quote_ident(table)}").fetchall()
    return int(rows[0][0]) if rows else 0


def utc_now(now: datetime | None = None) -> datetime:
    """`now` as naive UTC (aware datetimes are converted), or the current time. Every timestamp the
    warehouse stores is naive UTC, and every function that stamps rows takes `now` so tests pin time."""
    if now is None:
        return datetime.now(UTC).replace(tzinfo=None)
    if now.tzinfo is not None:
        return now.astimezone(UTC).replace(tzinfo=None)
    return now


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN ... COMMIT, ROLLBACK on any exception (including KeyboardInterrupt)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


@contextlib.contextmanager
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
