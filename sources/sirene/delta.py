"""The nightly SIRENE delta: API Sirene records overlaid on the monthly stock tables.

Why through a file: the API client flattens each record into the stock files' columns with
CSV-like values (`sources.sirene.api`), so the delta is written as a small CSV in the stock
layout and goes through the very same typed scan, checks and quarantine as a stock file
(`ingest.stage_stock`). The file stays under the raw directory, so a reject's file and line
number still point at something an operator can open.

Publishing follows the build-then-swap rule: the merged tables (live rows not in the delta, plus
the delta) and `core.companies` are built as staging tables and swapped in one transaction, with
the month-on-month change log and the delta's rejects (appended: the stock load's rejects stay).
An empty delta publishes nothing and returns at once: a quiet night costs a few API calls.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from firmo import db, identifiers
from firmo.sqlfiles import load_sql, quote_ident
from sources.sirene.ingest import (
    KEYS,
    PROCESSED_AT,
    REJECTS_STAGING,
    TABLES,
    TableLoad,
    _changes_statements,
    build_companies,
    stage_stock,
)
from sources.sirene.reader import open_stock
from sources.sirene.schema import ETABLISSEMENTS_COLUMNS, UNITES_LEGALES_COLUMNS

log = logging.getLogger(__name__)

COLUMNS = {"unites_legales": UNITES_LEGALES_COLUMNS, "etablissements": ETABLISSEMENTS_COLUMNS}


@dataclass
class SireneDelta:
    """What one nightly delta changed."""

    since: dict[str, datetime | None]
    files: dict[str, str] = field(default_factory=dict)
    tables: dict[str, TableLoad] = field(default_factory=dict)
    companies: int | None = None  # rows of core.companies after the publish; None if unchanged
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return any(t.rows_loaded for t in self.tables.values())

    def summary_rows(self) -> list[tuple[str, int, int]]:
        return [(t.table, t.rows_loaded, t.rows_rejected) for t in self.tables.values()]


def watermark(con: duckdb.DuckDBPyConnection, kind: str) -> datetime | None:
    """The latest `dateDernierTraitement…` already loaded: the API is asked for everything
    processed at or after it (a record processed at that very instant is re-applied, harmlessly)."""
    table = TABLES[kind]
    if not db.table_exists(con, table):
        return None
    rows = con.execute(f"SELECT max({quote_ident(PROCESSED_AT[kind])}) FROM {quote_ident(table)}").fetchall()
    return rows[0][0] if rows else None


def write_delta_csv(records: Iterable[Mapping[str, str | None]], kind: str, path: Path) -> int:
    """Write API records (stock column names, CSV-like values) as a stock-layout CSV; returns
    the number of records. Written as `.part` then renamed, like every file we keep."""
    columns = COLUMNS[kind]
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    n = 0
    with part.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for record in records:
            writer.writerow(["" if record.get(c) is None else record.get(c) for c in columns])
            n += 1
    part.replace(path)
    return n


def apply_sirene_delta(
    con: duckdb.DuckDBPyConnection,
    *,
    unites_legales: Iterable[Mapping[str, str | None]] = (),
    etablissements: Iterable[Mapping[str, str | None]] = (),
    workdir: Path,
    label: str = "API Sirene",
    since: Mapping[str, datetime | None] | None = None,
    max_reject_ratio: float = 0.5,
    also: Sequence[str | tuple[str, Any]] = (),
) -> SireneDelta:
    """Overlay API records on `sirene.*` and rebuild `core.companies`, atomically.

    Records replace the live row with the same key (SIREN / SIRET); bad ones are quarantined in
    `sirene.rejects` with the delta file and line. Needs a loaded stock: a delta is a change to
    something, not a first load. `also`: statements committed with the publish or not at all
    (the poll's cursor, sources/sirene/poll.py).
    """
    started = time.perf_counter()
    for kind in TABLES:
        if not db.table_exists(con, TABLES[kind]):
            raise RuntimeError(f"{TABLES[kind]} is not loaded: load the monthly stock before applying daily changes")
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    report = SireneDelta(since=dict(since or {}))
    files: dict[str, Path] = {}
    for kind, records in (("unites_legales", unites_legales), ("etablissements", etablissements)):
        path = workdir / f"delta_{kind}_{stamp}.csv"
        if write_delta_csv(records, kind, path):
            files[kind] = path
            report.files[kind] = str(path)
        else:
            path.unlink(missing_ok=True)
    if not files:
        report.seconds = time.perf_counter() - started
        log.info("SIRENE delta: nothing changed since %s", report.since)
        return report

    identifiers.create_macros(con)
    con.execute(load_sql("sirene/macros"))
    staged = [TABLES[k] for k in files] + ["core.companies"]
    delta_tables = {k: f"{TABLES[k]}__delta" for k in files}
    db.drop_staging(con, *staged)
    for table in delta_tables.values():
        con.execute(f"DROP TABLE IF EXISTS {quote_ident(table)}")
    db.create_rejects_staging(con, REJECTS_STAGING)
    try:
        for kind, path in files.items():
            src = open_stock(kind, path, original=f"{label} {kind} ({path.name})")
            report.tables[kind] = stage_stock(con, src, max_reject_ratio=max_reject_ratio)
            live, delta = TABLES[kind], delta_tables[kind]
            con.execute(
                f"ALTER TABLE {quote_ident(db.staging_name(live))} RENAME TO {quote_ident(delta.split('.')[1])}"
            )
            key = ", ".join(quote_ident(k) for k in KEYS[kind])
            con.execute(
                f"CREATE TABLE {quote_ident(db.staging_name(live))} AS "
                f"SELECT l.* FROM {quote_ident(live)} l ANTI JOIN {quote_ident(delta)} d USING ({key}) "
                f"UNION ALL BY NAME SELECT * FROM {quote_ident(delta)}"
            )
        ul = db.staging_name(TABLES["unites_legales"]) if "unites_legales" in files else TABLES["unites_legales"]
        et = db.staging_name(TABLES["etablissements"]) if "etablissements" in files else TABLES["etablissements"]
        build_companies(con, ul, et, db.staging_name("core.companies"))
        keep_rejects = f"INSERT INTO sirene.rejects BY NAME SELECT * FROM {REJECTS_STAGING}"
        db.publish(
            con, staged, also=[*(_changes_statements(con) if "unites_legales" in files else ()), keep_rejects, *also]
        )
    finally:
        db.drop_staging(con, *staged)
        for table in delta_tables.values():
            con.execute(f"DROP TABLE IF EXISTS {quote_ident(table)}")
        con.execute(f"DROP TABLE IF EXISTS {REJECTS_STAGING}")
    report.companies = db.row_count(con, "core.companies")
    report.seconds = time.perf_counter() - started
    log.info("SIRENE delta published in %.1fs: %s", report.seconds, report.summary_rows())
    return report


def refresh_from_api(con: duckdb.DuckDBPyConnection, client, *, workdir: Path) -> SireneDelta:
    """Ask API Sirene for every unit and establishment processed since the last load, apply them."""
    since = {kind: watermark(con, kind) for kind in TABLES}
    if None in since.values():
        raise RuntimeError("load the monthly SIRENE stock before asking the API for daily changes")
    return apply_sirene_delta(
        con,
        unites_legales=client.iter_unites_legales_since(since["unites_legales"]),
        etablissements=client.iter_etablissements_since(since["etablissements"]),
        workdir=workdir,
        since=since,
    )
