"""Load BODACC notices into `bodacc.notices`: upsert by id, per-day replace, atomic publish.

Files of any shape (see `readers.py`) are parsed in batches into an incoming table; the new
`bodacc.notices` is built as (live notices not replaced) + (incoming), rectificatifs and
annulations are resolved over the whole table, and the result is swapped in with its rejects
in one transaction. With `window` (a Dagster daily partition or a backfill range), the notices published
that day are replaced as a whole, so re-running a day is idempotent.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from firmo import db
from firmo.errors import reading
from firmo.sqlfiles import load_sql, render_identifiers
from sources.bodacc.normalise import NoticeError, build_notice
from sources.bodacc.readers import iter_raw_notices
from sources.report import LoadReport

log = logging.getLogger(__name__)
TABLE = "bodacc.notices"
INCOMING = "bodacc.notices__incoming"
ALL = "bodacc.notices__all"
REJECTS_STAGING = "bodacc.rejects__staging"
POOL_MIN_BYTES = 32 * 2**20  # below this, starting worker processes costs more than it saves
PARSE_WORKERS = 4  # default of FIRMO_PARSE_WORKERS (firmo/settings.py): at most this many parsing processes
SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("publication_date", pa.date32()),
        ("edition", pa.string()),
        ("parution", pa.string()),
        ("notice_number", pa.int32()),
        ("notice_type", pa.string()),
        ("family", pa.string()),
        ("sirens", pa.list_(pa.string())),
        ("seller_sirens", pa.list_(pa.string())),
        ("company_name", pa.string()),
        ("tribunal", pa.string()),
        ("departement", pa.string()),
        ("city", pa.string()),
        ("judgment_family", pa.string()),
        ("judgment_nature", pa.string()),
        ("judgment_date", pa.date32()),
        ("proceeding_kind", pa.string()),
        ("capital_amount", pa.float64()),
        ("officers_text", pa.string()),
        ("description", pa.string()),
        ("previous_notice_id", pa.string()),
        ("status", pa.string()),
        ("repairs", pa.list_(pa.string())),
        ("source", pa.string()),
        ("source_file", pa.string()),
    ]
)


def create_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    con.execute(render_identifiers(load_sql("bodacc/create_notices"), table=table))


def load_bodacc(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    *,
    window: tuple[date, date] | None = None,
    workers: int = PARSE_WORKERS,
    also: Sequence[str | tuple[str, Any]] = (),
) -> LoadReport:
    """Parse `paths`, upsert their notices, resolve corrections, publish. Returns counts.

    With `window` = [start, end) (a Dagster partition or a backfill range), only the notices
    published in it are taken from the files, and every notice of the window is replaced: the
    window ends up exactly as the files say, however often it is re-run. Notices of the files
    outside the window are counted in `superseded` (they belong to other partitions).
    `workers`: most parsing processes (FIRMO_PARSE_WORKERS, passed down by the entry point).
    `also`: statements committed with the notices or not at all (the poll's cursor,
    sources/bodacc/poll.py); they may read the staging table `bodacc.notices__staging`.
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
        for i, parsed in enumerate(_parsed_files(paths, workers), start=1):
            _store(con, parsed, reasons)
            if i % 100 == 0 or i == len(paths):
                log.info("BODACC: %d/%d files read, %d rejected so far", i, len(paths), sum(reasons.values()))
        params: dict = {}
        window_filter = ""
        if window:
            params = {"start": window[0], "end": window[1]}
            outside = con.execute(
                f"SELECT count(*) FROM {INCOMING} WHERE NOT (publication_date >= $start AND publication_date < $end)",
                params,
            ).fetchall()[0][0]
            con.execute(
                f"DELETE FROM {INCOMING} WHERE NOT (publication_date >= $start AND publication_date < $end)", params
            )
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
        db.publish(
            con,
            [TABLE],
            also=[
                f"DELETE FROM bodacc.rejects WHERE source_file IN (SELECT unnest(['{_join(source_files)}']))",
                f"INSERT INTO bodacc.rejects BY NAME SELECT * FROM {REJECTS_STAGING}",
                *also,
            ],
        )
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


@dataclass
class ParsedFile:
    """One file's notices (Arrow, ready to insert) and quarantined rows."""

    notices: pa.Table
    rejects: list[tuple]


def parse_file(path: Path) -> ParsedFile:
    """Parse one file. A plain module-level function so a process pool can run it."""
    rows: list[dict] = []
    rejects: list[tuple] = []
    source = "dila" if path.name.lower().endswith((".taz", ".xml", ".tar", ".tar.gz", ".tgz")) else "ods"
    with reading(path):  # a truncated .taz or a binary file: one error naming the file, nothing loaded
        for position, raw in iter_raw_notices(path):
            if "__error__" in raw:
                rejects.append((TABLE, str(path), position, raw["__error__"], raw.get("__raw__")))
                continue
            try:
                row = build_notice(raw, source=source, source_file=str(path))
            except NoticeError as exc:
                rejects.append((TABLE, str(path), position, str(exc), str(raw)[:2000]))
                continue
            row["status"] = "active"
            rows.append(row)
    return ParsedFile(pa.Table.from_pylist(rows, schema=SCHEMA), rejects)


def _parsed_files(paths: list[Path], max_workers: int = PARSE_WORKERS) -> Iterator[ParsedFile]:
    """Parse files in order; several files are spread over worker processes (parsing is pure
    Python and CPU-bound: a year of daily exports loads about twice as fast on two cores).
    Workers are spawned, never forked, so they inherit no DuckDB state or threads."""
    workers = min(len(paths), os.cpu_count() or 1, max_workers)
    if workers <= 1 or sum(p.stat().st_size for p in paths) < POOL_MIN_BYTES:
        yield from map(parse_file, paths)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield from pool.map(parse_file, paths, chunksize=1)


def _store(con: duckdb.DuckDBPyConnection, parsed: ParsedFile, reasons: Counter) -> None:
    """Append one parsed file to the incoming table and its rejects to the staging rejects."""
    if parsed.notices.num_rows:
        con.register("__bodacc_batch", parsed.notices)
        try:
            con.execute(f"INSERT INTO {INCOMING} BY NAME SELECT * FROM __bodacc_batch")
        finally:
            con.unregister("__bodacc_batch")
    for r in parsed.rejects:
        reasons[r[3].split(" (")[0].split(":")[0]] += 1
    if parsed.rejects:
        con.executemany(
            f"INSERT INTO {REJECTS_STAGING} (target_table, source_file, line_number, reason, raw) VALUES (?, ?, ?, ?, ?)",
            parsed.rejects,
        )


def window_fingerprint(con: duckdb.DuckDBPyConnection, start: date, end: date) -> tuple[int, int]:
    """(rows, xor of row hashes) of the notices published in [start, end): equal before and
    after a load means the load changed nothing, and the nightly need not wake what follows."""
    if not db.table_exists(con, TABLE):
        return (0, 0)
    rows = con.execute(
        f"SELECT count(*), coalesce(bit_xor(hash(n)), 0) FROM {TABLE} n "
        "WHERE publication_date >= ? AND publication_date < ?",
        [start, end],
    ).fetchall()
    return (int(rows[0][0]), int(rows[0][1]))
