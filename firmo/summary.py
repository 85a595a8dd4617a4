"""The end-of-run summary: what is in the warehouse, what was rejected, where to look next."""

from __future__ import annotations

from pathlib import Path

import duckdb

from firmo.db import SCHEMAS
from firmo.sqlfiles import quote_ident


def table_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """(schema.table, rows) for every base table of the firmo schemas, staging tables excluded."""
    tables = con.execute(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE' AND table_schema IN (SELECT unnest(?::VARCHAR[])) "
        "AND table_name NOT LIKE '%\\_\\_staging' ESCAPE '\\' AND table_name <> 'rejects' ORDER BY 1",
        [list(SCHEMAS)],
    ).fetchall()
    return [(t, con.execute(f"SELECT count(*) FROM {quote_ident(t)}").fetchall()[0][0]) for (t,) in tables]


def reject_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for schema in ("sirene", "inpi", "bodacc"):
        out += con.execute(
            f"SELECT target_table, count(*) FROM {schema}.rejects GROUP BY 1 ORDER BY 1"
        ).fetchall()
    return out


def render(con: duckdb.DuckDBPyConnection, db_file: Path, extra: dict[str, str] | None = None) -> str:
    counts = table_counts(con)
    rejects = dict(reject_counts(con))
    width = max((len(t) for t, _ in counts), default=10)
    lines = ["", "firmo: run complete", "", f"{'table'.ljust(width)}  {'rows':>12}  {'rejected':>9}"]
    lines.append(f"{'-' * width}  {'-' * 12}  {'-' * 9}")
    for table, n in counts:
        lines.append(f"{table.ljust(width)}  {n:>12,}  {rejects.get(table, 0):>9,}")
    lines += ["", f"Warehouse:  {db_file}"]
    for label, value in (extra or {}).items():
        lines.append(f"{label + ':':<11} {value}")
    read_copy = Path(db_file).parent / "firmo_read.duckdb"
    query_file = read_copy if read_copy.exists() else db_file
    view = "analytics.leads" if read_copy.exists() else "core.companies"
    lines += [
        "Rejected rows, with file, line and reason:  SELECT * FROM sirene.rejects;  (also inpi., bodacc., exports.rejects)",
        f"Query it:   .venv/bin/python -c \"import duckdb; print(duckdb.connect('{query_file}', read_only=True)"
        f".sql('SELECT * FROM {view} LIMIT 5'))\"",
        "Dagster UI: make ui   (then open http://127.0.0.1:3000; this run's materializations are there)",
        "",
    ]
    return "\n".join(lines)
