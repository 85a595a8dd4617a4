"""Load the consolidated DECP into `decp.marches` and derive `core.public_contracts`.

Two ways in, one cleaning (firmo/sql/decp/normalise.sql) and one dedupe:
- `load_decp` (the stock, `decp.parquet` / `decp.csv`): both tables built from scratch in
  `__staging` and swapped in with the rejects and the delta cursor in one transaction;
- `apply_delta` (tabular-API pages, sources/decp/delta.py): every contract (uid) the pages hold in
  its current state replaces that uid's rows, so re-running a window gives the same table.

Only the current state is kept (donneesActuelles = true: the latest modification of a uid; older
states are counted, not stored). Duplicates across platforms are removed on the documented key
(uid, titulaire_id, titulaire_typeIdentifiant, dateNotification), keeping the latest modification,
then the first source in name order. Titulaires identified otherwise than by a 14-digit SIRET
stay in decp.marches but never reach core.public_contracts (counted, not rejected). A row that
cannot be read (a malformed CSV record, no uid, donneesActuelles neither true nor false) is
quarantined in decp.rejects; more than `max_reject_share` of them refuses the whole load, as
search-infra's max_removal_percentage does.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb

from firmo import db, identifiers
from firmo.errors import InputError
from firmo.sqlfiles import load_sql, render_identifiers
from sources.decp.columns import KEY, NAMES
from sources.decp.read import Malformed, TextRead, quote, read_file, record_lines
from sources.report import LoadReport

log = logging.getLogger(__name__)
SCHEMA = "decp"
MARCHES = "decp.marches"
CONTRACTS = "core.public_contracts"
REJECTS = "decp.rejects"
REJECTS_STAGING = "decp.rejects__staging"
STATE = "decp.delta_state"
TEXT = "decp_text_rows"  # TEMP work tables of the loading connection
ROWS = "decp_rows"
MIN_DATE = date(1990, 1, 1)  # earlier notification dates are typos (0002-11-30, 0222-04-29)
MAX_REJECT_SHARE = 0.01  # default of FIRMO_DECP_MAX_REJECT_SHARE
CURSOR_NAME = "tabular"


class TooManyRejects(InputError):
    """More rows quarantined than the load accepts: nothing was published."""


@dataclass
class DecpLoadReport(LoadReport):
    """LoadReport plus what DECP's quirks did: rows of older modification states (not kept),
    duplicates removed on the key, titulaires that are not joinable SIRETs (kept in decp.marches,
    absent from core.public_contracts) by identifier type, and the repairs by kind."""

    historical: int = 0
    duplicates: int = 0
    non_siret: dict[str, int] = field(default_factory=dict)
    repairs: dict[str, int] = field(default_factory=dict)
    extra_columns: list[str] = field(default_factory=list)
    cursor: date | None = None


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """decp schema, decp.marches, decp.rejects and the delta cursor table (idempotent)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    con.execute("CREATE SCHEMA IF NOT EXISTS core")
    con.execute(db.REJECTS_DDL.format(table=REJECTS))
    con.execute(render_identifiers(load_sql("decp/create_marches"), table=MARCHES))
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {STATE} (name VARCHAR PRIMARY KEY, cursor DATE, rows_seen BIGINT, "
        "updated_at TIMESTAMP NOT NULL)"
    )


def cursor(con: duckdb.DuckDBPyConnection) -> date | None:
    """The last dateNotification the warehouse holds from the stock or a delta (None: never loaded)."""
    if not db.table_exists(con, STATE):
        return None
    rows = con.execute(f"SELECT cursor FROM {STATE} WHERE name = ?", [CURSOR_NAME]).fetchall()
    return rows[0][0] if rows else None


def _normalise(con: duckdb.DuckDBPyConnection, today: date) -> None:
    identifiers.ensure_macros(con)  # the Common conventions' macros, which decp/macros builds on
    con.execute(load_sql("decp/macros"))
    sql = render_identifiers(load_sql("decp/normalise"), source=TEXT, target=ROWS)
    con.execute(sql, {"today": today, "min_date": MIN_DATE})


def _rejects(con: duckdb.DuckDBPyConnection, read: TextRead, path: Path | None, reasons: Counter[str]) -> list[tuple]:
    """Quarantine rows: unreadable records (with their line), then rows the rules refuse."""
    rows: list[tuple] = []
    for m in read.malformed:
        rows.append((MARCHES, _source_of(read, path), m.line, m.reason, m.raw))
        reasons[m.reason.split(" (")[0]] += 1
    refused = con.execute(
        f"SELECT __row, __source, __reject, json_object('uid', uid, 'titulaire_id', titulaire_id, "
        f"'dateNotification', dateNotification, 'montant', montant) FROM {ROWS} WHERE __reject IS NOT NULL "
        "ORDER BY __row"
    ).fetchall()
    lines: dict[int, int] = {}
    if refused and read.fmt == "csv" and path is not None:
        skipped = {m.line for m in read.malformed if m.line is not None}
        lines = record_lines(path, [int(r[0]) for r in refused], skipped)
    for row, source, reason, raw in refused:
        line = lines.get(int(row)) if read.fmt == "csv" else None
        rows.append((MARCHES, source, line, reason, f"row {int(row) + 1}: {raw}"[:2000]))
        reasons[reason.split(":")[0]] += 1
    return rows


def _source_of(read: TextRead, path: Path | None) -> str:
    return str(path) if path is not None else read.fmt


def _store_rejects(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    db.create_rejects_staging(con, REJECTS_STAGING)
    if rows:
        con.executemany(
            f"INSERT INTO {REJECTS_STAGING} (target_table, source_file, line_number, reason, raw) VALUES (?, ?, ?, ?, ?)",
            rows,
        )


def _check_share(rejected: int, total: int, max_share: float, source: str) -> None:
    if identifiers.removal_exceeded(rejected, total, max_share * 100) is not None:
        raise TooManyRejects(
            f"{source}: {rejected:,} of {total:,} rows quarantined ({rejected / total:.2%}), more than "
            f"FIRMO_DECP_MAX_REJECT_SHARE={max_share:g}: nothing published (see the reasons above; a "
            "truncated or wrong file?)"
        )


def _current(con: duckdb.DuckDBPyConnection) -> tuple[str, int, int]:
    """SQL of the current, deduplicated incoming rows as decp.marches columns; (sql, historical, duplicates)."""
    historical, current, distinct = con.execute(
        f"SELECT count(*) FILTER (WHERE NOT donneesActuelles), count(*) FILTER (WHERE donneesActuelles), "
        f"(SELECT count(*) FROM (SELECT DISTINCT {', '.join(quote(k) for k in KEY)} FROM {ROWS} "
        f"WHERE __reject IS NULL AND donneesActuelles)) FROM {ROWS} WHERE __reject IS NULL"
    ).fetchall()[0]
    columns = ", ".join(quote(n) for n in NAMES)
    partition = ", ".join(quote(k) for k in KEY)
    sql = (
        f"SELECT {columns}, repairs, __source AS source_file FROM {ROWS} "
        "WHERE __reject IS NULL AND donneesActuelles "
        f"QUALIFY row_number() OVER (PARTITION BY {partition} "
        "ORDER BY modification_id DESC NULLS LAST, sourceDataset NULLS LAST, __source, __row) = 1"
    )
    return sql, int(historical or 0), int((current or 0) - (distinct or 0))


def _build_contracts(con: duckdb.DuckDBPyConnection, source: str) -> None:
    staging = db.staging_name(CONTRACTS)
    con.execute(f"DROP TABLE IF EXISTS {staging}")
    con.execute(render_identifiers(load_sql("decp/public_contracts"), source=source, target=staging))


def _cursor_statement(source: str, rows_seen: int, floor: date | None) -> tuple[str, list]:
    """Upsert of the cursor: the latest dateNotification of `source`, never below `floor`."""
    return (
        f"INSERT OR REPLACE INTO {STATE} SELECT ?, greatest(max(dateNotification), ?::DATE), ?, "
        f"current_timestamp::TIMESTAMP FROM {source}",
        [CURSOR_NAME, floor, rows_seen],
    )


def _finish(con: duckdb.DuckDBPyConnection, report: DecpLoadReport, started: float) -> DecpLoadReport:
    report.loaded[MARCHES] = db.row_count(con, MARCHES)
    report.loaded[CONTRACTS] = db.row_count(con, CONTRACTS)
    report.non_siret = dict(
        con.execute(
            f"SELECT CASE WHEN titulaire_typeIdentifiant = 'SIRET' THEN 'SIRET (not 14 digits)' "
            f"ELSE coalesce(titulaire_typeIdentifiant, 'no type') END, count(*) FROM {MARCHES} "
            "WHERE NOT (titulaire_typeIdentifiant = 'SIRET' AND regexp_full_match(coalesce(titulaire_id, ''), '[0-9]{14}')) "
            "GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()
    )
    report.cursor = cursor(con)
    report.seconds = time.perf_counter() - started
    return report


def _repairs(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = con.execute(
        f"SELECT split_part(r, ' ', 1) || ' ' || CASE WHEN r LIKE '%sentinel%' THEN 'sentinel -> NULL' "
        "WHEN r LIKE '%future%' THEN 'in the future -> NULL' WHEN r LIKE '%implausible%' THEN 'implausible -> NULL' "
        "WHEN r LIKE '%unreadable%' THEN 'unreadable -> NULL' ELSE regexp_replace(r, '^\\S+ ', '') END AS kind, "
        f"count(*) FROM (SELECT unnest(repairs) AS r FROM {ROWS} WHERE __reject IS NULL) GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall()
    return {k: int(n) for k, n in rows}


def _cleanup(con: duckdb.DuckDBPyConnection) -> None:
    for t in (TEXT, ROWS):
        con.execute(f"DROP TABLE IF EXISTS {quote(t)}")
    for t in (REJECTS_STAGING, db.staging_name(MARCHES), db.staging_name(CONTRACTS)):
        con.execute(f"DROP TABLE IF EXISTS {t}")


def load_decp(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    today: date | None = None,
    max_reject_share: float = MAX_REJECT_SHARE,
) -> DecpLoadReport:
    """Replace decp.marches and core.public_contracts with the stock file at `path`.

    `today`: dates after it are nulled (default: the current date). The delta cursor becomes the
    latest notification date of the stock, so the next delta starts where the stock ends."""
    started = time.perf_counter()
    today = today or date.today()
    path = Path(path)
    report = DecpLoadReport(sources=[str(path)])
    ensure_tables(con)
    _cleanup(con)
    try:
        read = read_file(con, path, TEXT)
        report.extra_columns = read.extra_columns
        _normalise(con, today)
        reasons: Counter[str] = Counter()
        rejects = _rejects(con, read, path, reasons)
        _check_share(len(rejects), read.rows + len(read.malformed), max_reject_share, str(path))
        _store_rejects(con, rejects)
        current_sql, report.historical, report.duplicates = _current(con)
        report.repairs = _repairs(con)
        staging = db.staging_name(MARCHES)
        con.execute(render_identifiers(load_sql("decp/create_marches"), table=staging))
        con.execute(f"INSERT INTO {staging} BY NAME {current_sql}")
        _build_contracts(con, staging)
        db.publish(
            con,
            [MARCHES, CONTRACTS],
            rejects={REJECTS: [MARCHES]},
            rejects_staging=REJECTS_STAGING,
            also=[_cursor_statement(staging, read.rows, None)],
        )
        report.rejected[MARCHES] = len(rejects)
        report.rejects_by_reason = dict(reasons)
        report.superseded = report.historical + report.duplicates
    finally:
        _cleanup(con)
    log.info(
        "DECP: %d rows read, %d historical, %d duplicates, %d rejected",
        read.rows,
        report.historical,
        report.duplicates,
        report.rejected.get(MARCHES, 0),
    )
    return _finish(con, report, started)


def apply_delta(
    con: duckdb.DuckDBPyConnection,
    read: TextRead,
    *,
    source: str,
    today: date | None = None,
    max_reject_share: float = MAX_REJECT_SHARE,
) -> DecpLoadReport:
    """Upsert the rows already in the TEMP text table (sources/decp/delta.py fills it from the
    tabular API): each uid present in its current state replaces that uid's rows in decp.marches;
    core.public_contracts is rebuilt; the cursor moves to the latest notification seen (never
    back). The rejects of an earlier run of the same `source` (the query) are replaced."""
    started = time.perf_counter()
    today = today or date.today()
    report = DecpLoadReport(sources=[source])
    ensure_tables(con)
    for t in (REJECTS_STAGING, db.staging_name(MARCHES), db.staging_name(CONTRACTS), ROWS):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    try:
        _normalise(con, today)
        reasons: Counter[str] = Counter()
        rejects = [(*r[:1], source, *r[2:]) for r in _rejects(con, read, None, reasons)]
        _check_share(len(rejects), read.rows, max_reject_share, source)
        _store_rejects(con, rejects)
        current_sql, report.historical, report.duplicates = _current(con)
        report.repairs = _repairs(con)
        con.execute(f"CREATE OR REPLACE TEMP TABLE decp_incoming AS {current_sql}")
        staging = db.staging_name(MARCHES)
        con.execute(render_identifiers(load_sql("decp/create_marches"), table=staging))
        con.execute(
            f"INSERT INTO {staging} BY NAME SELECT * FROM {MARCHES} "
            "WHERE uid NOT IN (SELECT uid FROM decp_incoming) "
            "UNION ALL BY NAME SELECT * FROM decp_incoming ORDER BY uid"
        )
        _build_contracts(con, staging)
        db.publish(
            con,
            [MARCHES, CONTRACTS],
            also=[
                (f"DELETE FROM {REJECTS} WHERE source_file = ?", [source]),
                f"INSERT INTO {REJECTS} BY NAME SELECT * FROM {REJECTS_STAGING}",
                _cursor_statement("decp_incoming", read.rows, cursor(con)),
            ],
        )
        report.loaded["incoming"] = int(con.execute("SELECT count(*) FROM decp_incoming").fetchall()[0][0])
        report.rejected[MARCHES] = len(rejects)
        report.rejects_by_reason = dict(reasons)
        report.superseded = report.historical + report.duplicates
    finally:
        con.execute("DROP TABLE IF EXISTS decp_incoming")
        _cleanup(con)
    return _finish(con, report, started)


def default_since(con: duckdb.DuckDBPyConnection, today: date, days: int = 7) -> date:
    """Where a delta starts: the cursor (the API's `__greater` is inclusive, so the cursor's day is
    fetched again and upserted idempotently), else `days` before today."""
    return cursor(con) or today - timedelta(days=days)


__all__ = ["DecpLoadReport", "Malformed", "apply_delta", "cursor", "default_since", "load_decp"]
