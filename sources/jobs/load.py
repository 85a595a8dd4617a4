"""Load the raw France Travail files into `jobs.offres` and `jobs.labonneboite`, then the derived
`core.hiring_potential`; every table built in staging and swapped in (firmo.db.publish).

Upsert by id: the offers of a poll replace the same ids already loaded and add the new ones;
offers no longer returned (filled, expired) stay, since their creation date is the signal. A row
that cannot be keyed or dated is quarantined in `jobs.rejects` with its file, line and reason,
replacing that file's earlier rejects in the same transaction. La Bonne Boîte SIRETs are
cleaned the Common-conventions way and checked (Luhn, La Poste's exception) like every open-data
SIRET; a company whose SIRET fails is quarantined the same way; more than MAX_SIRET_REMOVAL of
them unusable fails the load (a format change upstream, not a few bad rows).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from firmo import db, identifiers
from firmo.sqlfiles import load_sql, render_identifiers
from sources.jobs.parse import LBB_FIELDS, OFFER_FIELDS, RowError, check_company, check_offer
from sources.report import LoadReport

OFFRES = "jobs.offres"
LBB = "jobs.labonneboite"
HIRING_POTENTIAL = "core.hiring_potential"
REJECTS = "jobs.rejects"
REJECTS_STAGING = "jobs.rejects__staging"
INCOMING = "jobs.offres__incoming"
LBB_INCOMING = "jobs.labonneboite__incoming"
MAX_SIRET_REMOVAL = 0.05  # share of La Bonne Boîte rows whose SIRET may be unusable
LBB_MAX_SEARCHES = 40  # (département, ROME) searches per poll at 2 calls/s
_ARROW = {
    "VARCHAR": pa.string(),
    "TIMESTAMP": pa.timestamp("us"),
    "DOUBLE": pa.float64(),
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
}
OFFER_SCHEMA = pa.schema(
    [(c, _ARROW[kind]) for c, (_, kind) in OFFER_FIELDS.items()]
    + [("source_file", pa.string()), ("loaded_at", pa.timestamp("us"))]
)
LBB_SCHEMA = pa.schema(
    [(c, _ARROW[kind]) for c, kind in LBB_FIELDS.items()]
    + [("observed_date", pa.date32()), ("source_file", pa.string())]
)


class LoadError(RuntimeError):
    """A load refused as a whole (nothing published)."""


def _read(path: Path, target: str, check: Any) -> tuple[list[dict[str, Any]], list[tuple]]:
    rows: list[dict[str, Any]] = []
    rejects: list[tuple] = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                rows.append(check(json.loads(line)))
            except json.JSONDecodeError:
                rejects.append((target, str(path), number, "not JSON", line[:2000]))
            except RowError as exc:
                rejects.append((target, str(path), number, str(exc), line[:2000]))
    return rows, rejects


def _publish(
    con: duckdb.DuckDBPyConnection,
    table: str,
    incoming: str,
    sql: str,
    create: str,
    rows: pa.Table,
    rejects: list[tuple],
    paths: Sequence[Path],
) -> None:
    staging = db.staging_name(table)
    con.execute(render_identifiers(load_sql(create), table=table))
    for t in (incoming, staging):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    db.create_rejects_staging(con, REJECTS_STAGING)
    try:
        con.execute(render_identifiers(load_sql(create), table=incoming))
        with db.registered(con, "__jobs_batch", rows):
            con.execute(f"INSERT INTO {incoming} BY NAME SELECT * FROM __jobs_batch")
        if rejects:
            con.executemany(
                f"INSERT INTO {REJECTS_STAGING} (target_table, source_file, line_number, reason, raw) "
                "VALUES (?, ?, ?, ?, ?)",
                rejects,
            )
        con.execute(render_identifiers(load_sql(sql), live=table, incoming=incoming, target=staging))
        files = [str(p) for p in paths]
        db.publish(
            con,
            [table],
            also=[
                (
                    f"DELETE FROM {REJECTS} WHERE target_table = ? AND source_file IN (SELECT unnest(?::VARCHAR[]))",
                    [table, files],
                ),
                f"INSERT INTO {REJECTS} BY NAME SELECT * FROM {REJECTS_STAGING}",
            ],
        )
    finally:
        for t in (incoming, staging, REJECTS_STAGING):
            con.execute(f"DROP TABLE IF EXISTS {t}")


def _report(table: str, rows: int, rejects: list[tuple], paths: Sequence[Path], started: float) -> LoadReport:
    reasons = Counter(r[3] for r in rejects)
    return LoadReport(
        loaded={table: rows},
        rejected={table: len(rejects)},
        rejects_by_reason=dict(reasons),
        sources=[str(p) for p in paths],
        seconds=time.perf_counter() - started,
    )


def load_offers(con: duckdb.DuckDBPyConnection, paths: Sequence[Path], *, now: datetime | None = None) -> LoadReport:
    """Upsert the offers of `paths` (raw JSON-lines files of fetch_offers) into jobs.offres."""
    started = time.perf_counter()
    loaded_at = db.utc_now(now)
    rows: list[dict[str, Any]] = []
    rejects: list[tuple] = []
    for path in paths:
        good, bad = _read(Path(path), OFFRES, check_offer)
        rows += [{**r, "source_file": str(path), "loaded_at": loaded_at} for r in good]
        rejects += bad
    table = pa.Table.from_pylist(rows, schema=OFFER_SCHEMA)
    _publish(con, OFFRES, INCOMING, "jobs/upsert_offres", "jobs/create_offres", table, rejects, paths)
    return _report(OFFRES, len(rows), rejects, paths, started)


def load_labonneboite(
    con: duckdb.DuckDBPyConnection, paths: Sequence[Path], *, max_removal: float = MAX_SIRET_REMOVAL
) -> LoadReport:
    """Merge the companies of `paths` into jobs.labonneboite (latest observation per SIRET and
    ROME), then rebuild core.hiring_potential."""
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    rejects: list[tuple] = []
    for path in paths:
        good, bad = _read(Path(path), LBB, check_company)
        rows += [{**r, "source_file": str(path)} for r in good]
        rejects += bad
    total = len(rows) + len(rejects)
    if identifiers.removal_exceeded(len(rejects), total, max_removal * 100) is not None:
        raise LoadError(
            f"La Bonne Boîte: {len(rejects):,} of {total:,} rows have no usable SIRET "
            f"(more than {max_removal:.0%}): nothing loaded"
        )
    table = pa.Table.from_pylist(rows, schema=LBB_SCHEMA)
    _publish(con, LBB, LBB_INCOMING, "jobs/upsert_labonneboite", "jobs/create_labonneboite", table, rejects, paths)
    report = _report(LBB, len(rows), rejects, paths, started)
    report.loaded[HIRING_POTENTIAL] = build_hiring_potential(con)
    return report


def build_hiring_potential(con: duckdb.DuckDBPyConnection) -> int:
    """core.hiring_potential from jobs.labonneboite (empty when La Bonne Boîte was never loaded)."""
    con.execute(render_identifiers(load_sql("jobs/create_labonneboite"), table=LBB))
    db.drop_staging(con, HIRING_POTENTIAL)
    con.execute(
        render_identifiers(load_sql("jobs/hiring_potential"), lbb=LBB, target=db.staging_name(HIRING_POTENTIAL))
    )
    db.publish(con, [HIRING_POTENTIAL])
    return db.row_count(con, HIRING_POTENTIAL)


def lbb_searches(
    con: duckdb.DuckDBPyConnection,
    *,
    rome_codes: Sequence[str] | None = None,
    departements: Sequence[str] | None = None,
    limit: int = LBB_MAX_SEARCHES,
) -> list[tuple[str, str]]:
    """The (département, ROME code) pairs to search in La Bonne Boîte: where the loaded offers
    are most numerous, among `rome_codes` (default: any) and `departements` (default: any)."""
    if not db.table_exists(con, OFFRES):
        return []
    rows = con.execute(
        load_sql("jobs/lbb_searches"),
        {"romes": list(rome_codes or []), "deps": list(departements or []), "limit": limit},
    ).fetchall()
    return [(str(d), str(r)) for d, r in rows]
