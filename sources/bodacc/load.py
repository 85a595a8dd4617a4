"""Load BODACC notices into `bodacc.notices`: upsert by id, per-day replace, atomic publish.

Files of any shape (see `readers.py`) are parsed in batches into an incoming table; the new
`bodacc.notices` is built as (live notices not replaced) + (incoming), rectificatifs and
annulations are resolved over the whole table, and the result is swapped in with its rejects
in one transaction. With `window` (a Dagster daily partition or a backfill range), the notices published
that day are replaced as a whole, so re-running a day is idempotent.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from firmo import db
from firmo.sqlfiles import load_sql, render_identifiers
from sources.bodacc.normalise import NoticeError, build_notice
from sources.bodacc.readers import iter_raw_notices
from sources.inpi.report import LoadReport

log = logging.getLogger(__name__)
TABLE = "bodacc.notices"
INCOMING = "bodacc.notices__incoming"
ALL = "bodacc.notices__all"
REJECTS_STAGING = "bodacc.rejects__staging"
BATCH = 50_000
SCHEMA = pa.schema([
    ("id", pa.string()), ("publication_date", pa.date32()), ("edition", pa.string()), ("parution", pa.string()),
    ("notice_number", pa.int32()), ("notice_type", pa.string()), ("family", pa.string()),
    ("sirens", pa.list_(pa.string())), ("seller_sirens", pa.list_(pa.string())), ("company_name", pa.string()),
    ("tribunal", pa.string()), ("departement", pa.string()), ("city", pa.string()),
    ("judgment_family", pa.string()), ("judgment_nature", pa.string()), ("judgment_date", pa.date32()),
    ("proceeding_kind", pa.string()), ("capital_amount", pa.float64()), ("officers_text", pa.string()),
    ("description", pa.string()), ("previous_notice_id", pa.string()), ("status", pa.string()),
    ("repairs", pa.list_(pa.string())), ("source", pa.string()), ("source_file", pa.string()),
])


def create_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    con.execute(render_identifiers(load_sql("bodacc/create_notices"), table=table))


def load_bodacc(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    *,
    window: tuple[date, date] | None = None,
) -> LoadReport:
    """Parse `paths`, upsert their notices, resolve corrections, publish. Returns counts.

    With `window` = [start, end) (a Dagster partition or a backfill range), only the notices
    published in it are taken from the files, and every notice of the window is replaced: the
    window ends up exactly as the files say, however often it is re-run. Notices of the files
    outside the window are counted in `superseded` (they belong to other partitions).
    """
    started = time.perf_counter()
    report = LoadReport(sources=[str(p) for p in paths])
    create_table(con, TABLE)
    for t in (INCOMING, ALL, db.staging_name(TABLE)):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    create_table(con, INCOMING)
    db.create_rejects_staging(con, REJECTS_STAGING)
    reasons: Counter[str] = Counter()
    try:
        buffer: list[dict] = []
        for i, path in enumerate(paths, start=1):
            _parse_file(con, path, reasons, buffer)
            if i % 100 == 0 or i == len(paths):
                log.info("BODACC: %d/%d files read, %d rejected so far", i, len(paths), sum(reasons.values()))
        _flush(con, buffer)
        params: dict = {}
        window_filter = ""
        if window:
            params = {"start": window[0], "end": window[1]}
            outside = con.execute(
                f"SELECT count(*) FROM {INCOMING} WHERE NOT (publication_date >= $start AND publication_date < $end)", params
            ).fetchall()[0][0]
            con.execute(f"DELETE FROM {INCOMING} WHERE NOT (publication_date >= $start AND publication_date < $end)", params)
            report.superseded = int(outside)
            window_filter = "AND NOT (publication_date >= $start AND publication_date < $end)"
        incoming = db.row_count(con, INCOMING)
        source_files = [str(p) for p in paths]
        con.execute(
            f"CREATE TABLE {ALL} AS "
            f"SELECT * FROM {TABLE} WHERE id NOT IN (SELECT id FROM {INCOMING}) {window_filter} "
            f"UNION ALL (SELECT * FROM {INCOMING} QUALIFY row_number() OVER (PARTITION BY id ORDER BY source_file DESC) = 1)",
            params,
        )
        con.execute(render_identifiers(load_sql("bodacc/resolve_status"), source=ALL, target=db.staging_name(TABLE)))
        db.publish(con, [TABLE], also=[
            f"DELETE FROM bodacc.rejects WHERE source_file IN (SELECT unnest(['{_join(source_files)}']))",
            f"INSERT INTO bodacc.rejects BY NAME SELECT * FROM {REJECTS_STAGING}",
        ])
    finally:
        for t in (INCOMING, ALL, REJECTS_STAGING, db.staging_name(TABLE)):
            con.execute(f"DROP TABLE IF EXISTS {t}")
    report.loaded[TABLE] = incoming
    report.rejected[TABLE] = sum(reasons.values())
    report.rejects_by_reason = dict(reasons)
    report.seconds = time.perf_counter() - started
    return report


def _join(values: list[str]) -> str:
    """Literal list body for the rejects cleanup (paths escaped; DuckDB cannot bind in `also`)."""
    return "', '".join(v.replace("'", "''") for v in values)


def _parse_file(con: duckdb.DuckDBPyConnection, path: Path, reasons: Counter, rows: list[dict]) -> None:
    """Parse one file into `rows` (flushed to the incoming table every BATCH rows)."""
    rejects: list[tuple] = []
    source = "dila" if path.name.lower().endswith((".taz", ".xml", ".tar", ".tar.gz", ".tgz")) else "ods"
    for position, raw in iter_raw_notices(path):
        if "__error__" in raw:
            rejects.append((TABLE, str(path), position, raw["__error__"], raw.get("__raw__")))
            continue
        try:
            rows.append(build_notice(raw, source=source, source_file=str(path)))
        except NoticeError as exc:
            rejects.append((TABLE, str(path), position, str(exc), str(raw)[:2000]))
        if len(rows) >= BATCH:
            _flush(con, rows)
    for r in rejects:
        reasons[r[3].split(" (")[0].split(":")[0]] += 1
    if rejects:
        con.executemany(
            f"INSERT INTO {REJECTS_STAGING} (target_table, source_file, line_number, reason, raw) VALUES (?, ?, ?, ?, ?)",
            rejects,
        )


def _flush(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    """Insert the buffered notices and empty the buffer."""
    if not rows:
        return
    for row in rows:
        row["status"] = "active"
    batch = pa.Table.from_pylist(rows, schema=SCHEMA)
    con.register("__bodacc_batch", batch)
    try:
        con.execute(f"INSERT INTO {INCOMING} BY NAME SELECT * FROM __bodacc_batch")
    finally:
        con.unregister("__bodacc_batch")
    rows.clear()
