"""Load the `ratios_inpi_bce` export into `inpi.financials` and `core.latest_financials`.

Steps, all in work tables until the final swap (`firmo.db.publish`, one transaction):
1. `ratios_read.load_raw`: every row as text, by column name, from CSV / gzip / parquet;
2. `firmo/sql/inpi/financials_check.sql`: types and a reject reason per row (bad SIREN, date,
   number, duplicate key);
3. `firmo/sql/inpi/financials_build.sql`: usable rows with the export's traps neutralised, each
   correction named in `quality_flags`;
4. `firmo/sql/inpi/latest_financials.sql`: one row per SIREN for the lead lists.

A file giving no usable row fails the load (the "27 days of silently empty data" incident,
shared/docs/inpi_bodacc.md §5.4): an empty financials table is never published.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from firmo import db, identifiers
from firmo.errors import InputError, reading
from firmo.sqlfiles import load_sql, quote_ident, render_identifiers
from sources.inpi.ratios_read import RawRead, load_raw
from sources.report import LoadReport

FINANCIALS = "inpi.financials"
LATEST = "core.latest_financials"
REJECTS = "inpi.rejects"
REJECTS_STAGING = "inpi.rejects__ratios_staging"
RAW = "inpi_financials_raw"  # TEMP tables: private to the connection, gone with it
CHECKED = "inpi_financials_checked"
RAW_MAX = 2000


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    """fetchall, not fetchone: DuckDB 2 keeps a half-read result open and then refuses con.sql()."""
    return con.execute(sql, params or []).fetchall()


def _stage_rejects(con: duckdb.DuckDBPyConnection, read: RawRead, source: str) -> None:
    """Rejected rows (bad values, duplicates, malformed lines) into the rejects staging table,
    with their physical CSV line (NULL for parquet, whose rows have no lines)."""
    con.execute(f"CREATE TABLE {REJECTS_STAGING} AS SELECT * EXCLUDE (loaded_at) FROM {REJECTS} LIMIT 0")
    rows = _rows(con, f"SELECT row_index, reason, raw FROM {CHECKED} WHERE reason IS NOT NULL ORDER BY row_index")
    index = np.array([r[0] for r in rows], dtype=np.int64)
    lines = read.line_of(index).tolist() if read.fmt == "csv" else [None] * len(rows)
    entries = [(line, reason, raw) for line, (_, reason, raw) in zip(lines, rows, strict=True)]
    entries += [(line, "malformed line (wrong number of fields)", text) for line, text in read.malformed]
    if not entries:
        return
    table = pa.table(
        {
            "target_table": pa.array([FINANCIALS] * len(entries), pa.string()),
            "source_file": pa.array([source] * len(entries), pa.string()),
            "line_number": pa.array([e[0] for e in entries], pa.int64()),
            "reason": pa.array([e[1] for e in entries], pa.string()),
            "raw": pa.array([(e[2] or "")[:RAW_MAX] for e in entries], pa.string()),
        }
    )
    con.register("__ratio_rejects", table)
    try:
        con.execute(f"INSERT INTO {REJECTS_STAGING} BY NAME SELECT * FROM __ratio_rejects")
    finally:
        con.unregister("__ratio_rejects")


def build_latest_financials(con: duckdb.DuckDBPyConnection, target: str, *, source: str = FINANCIALS,
                            as_of: date | None = None) -> None:  # fmt: skip
    """(Re)create `target` from `source` with `firmo/sql/inpi/latest_financials.sql`."""
    sql = render_identifiers(load_sql("inpi/latest_financials"), target=target, financials=source)
    con.execute(sql, {"as_of": as_of or date.today()})


def load_ratios(con: duckdb.DuckDBPyConnection, path: Path, *, as_of: date | None = None) -> LoadReport:
    """Rebuild `inpi.financials` and `core.latest_financials` from one ratios export file."""
    started, as_of, path = time.monotonic(), as_of or date.today(), Path(path)
    source = str(path)
    db.drop_staging(con, FINANCIALS, LATEST)
    for work in (RAW, CHECKED, REJECTS_STAGING):
        con.execute(f"DROP TABLE IF EXISTS {quote_ident(work)}")
    try:
        with reading(path):
            read = load_raw(con, path, RAW)
        identifiers.create_macros(con)
        con.execute(
            render_identifiers(load_sql("inpi/financials_check"), raw=RAW, checked=CHECKED),
            {"max_date": as_of + timedelta(days=2 * 366)},
        )
        con.execute(f"DROP TABLE {RAW}")
        staging = db.staging_name(FINANCIALS)
        con.execute(
            render_identifiers(load_sql("inpi/financials_build"), checked=CHECKED, staging=staging),
            {"source_file": source},
        )
        loaded = _rows(con, f"SELECT count(*) FROM {quote_ident(staging)}")[0][0]
        if loaded == 0:
            raise InputError(f"{source}: no usable ratios row out of {read.rows} read; nothing published")
        build_latest_financials(con, db.staging_name(LATEST), source=staging, as_of=as_of)
        _stage_rejects(con, read, source)
        reasons = _rows(
            con,
            f"SELECT split_part(reason, ': ', 1), count(*) FROM {REJECTS_STAGING} GROUP BY 1 ORDER BY 2 DESC",
        )
        db.publish(con, [FINANCIALS, LATEST], rejects={REJECTS: [FINANCIALS]}, rejects_staging=REJECTS_STAGING)
    finally:
        for work in (RAW, CHECKED, REJECTS_STAGING):
            con.execute(f"DROP TABLE IF EXISTS {quote_ident(work)}")
        db.drop_staging(con, FINANCIALS, LATEST)
    counts = {t: _rows(con, f"SELECT count(*) FROM {t}")[0][0] for t in (FINANCIALS, LATEST)}
    rejected = _rows(con, f"SELECT count(*) FROM {REJECTS} WHERE target_table = ?", [FINANCIALS])[0][0]
    return LoadReport(
        loaded=counts,
        rejected={FINANCIALS: int(rejected)},
        rejects_by_reason={str(r): int(n) for r, n in reasons},
        sources=[source],
        seconds=round(time.monotonic() - started, 3),
    )
