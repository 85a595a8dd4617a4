"""Load the geolocation file into `geo.geolocalisation` (raw), `core.establishment_locations` and
`core.commune_points`, built then swapped in one transaction.

One pass of DuckDB over the file (~38M rows, 4-5 GB of CSV: never pandas) stages every row with its
cleaned SIRET and typed coordinates; then bad rows are quarantined in `geo.rejects` with file, line
and reason:
- malformed CSV lines (column count, quoting): DuckDB's reject store, exact physical lines;
- SIRET removed by the Common conventions' cleaning (missing, scientific notation, not 14 digits
  once non-digits are stripped and 11-13 digits left-padded) or failing its checksum: counted, and
  when more than `max_removal_pct` % of the rows are removed the load fails, nothing published;
- coordinates that are not `[ND]` but cannot be used: unparseable, only one of the two given, or
  outside France's boxes (firmo/sql/geoloc/macros.sql: metropole, DROM, COM, TAAF);
- the same SIRET twice: the first line is kept.
Lines: the file is read with insertion order preserved, so a staged row's rowid is its ordinal among
the well-formed records; the physical line adds the header and the malformed lines before it (one
line per record: the file has no free text). Parquet rows carry their row number instead.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from pathlib import Path

import duckdb

from firmo import db, geo, identifiers
from firmo.errors import reading
from firmo.identifiers import TooManyRemoved
from firmo.sqlfiles import load_sql, quote_ident, render_identifiers
from sources.geoloc.reader import COLUMNS, GeolocSource, open_geoloc, scan_sql
from sources.report import LoadReport

log = logging.getLogger(__name__)

RAW = "geo.geolocalisation"
LOCATIONS = geo.LOCATIONS
COMMUNE_POINTS = geo.COMMUNE_POINTS
TABLES = (RAW, LOCATIONS, COMMUNE_POINTS)
REJECTS = "geo.rejects"
REJECTS_STAGING = "geo.rejects__staging"
NO_ETABLISSEMENTS = "geo.etablissements__none"
MAX_REMOVAL_PCT = 1.0  # default of FIRMO_GEOLOC_MAX_REMOVAL_PCT
RAW_MAX = 2000
HELPERS = ("__siret_raw", "__lat", "__lon", "__row", "__siret_reason", "__coord_reason")


def load_geoloc(
    con: duckdb.DuckDBPyConnection,
    source: str | Path,
    *,
    original: str | None = None,
    workdir: Path | None = None,
    max_removal_pct: float = MAX_REMOVAL_PCT,
) -> LoadReport:
    """Load one geolocation file (zip, CSV, CSV.gz or parquet; a URL is fetched by the caller) and
    publish the three tables and their rejects at once. Returns rows loaded and rejected by reason."""
    started = time.perf_counter()
    path = Path(source)
    original = original or str(source)
    report = LoadReport(sources=[original])
    from firmo.reference import load_reference  # ref.communes gives the EPCI of each commune

    load_reference(con)
    identifiers.create_macros(con)
    geo.create_macros(con)
    con.execute(load_sql("geoloc/macros"))
    db.drop_staging(con, *TABLES)
    db.create_rejects_staging(con, REJECTS_STAGING)
    staging = db.staging_name(RAW)
    try:
        with reading(path):  # a truncated zip or a binary file: one line naming the file
            src = open_geoloc(path, original=original, workdir=workdir)
            try:
                rows_read = _stage(con, src, staging)
            finally:
                src.cleanup()
        removed = _quarantine(con, src, staging)
        share = identifiers.removal_exceeded(removed, rows_read, max_removal_pct)
        if share is not None:
            raise TooManyRemoved(
                f"{original}: {removed:,} of {rows_read:,} SIRETs removed by the cleaning "
                f"({share:.2f} % > {max_removal_pct} %, FIRMO_GEOLOC_MAX_REMOVAL_PCT); "
                "nothing published"
            )
        _build_locations(con, staging)
        for column in HELPERS:
            con.execute(f"ALTER TABLE {quote_ident(staging)} DROP COLUMN {column}")
        db.publish(con, list(TABLES), rejects={REJECTS: [RAW]}, rejects_staging=REJECTS_STAGING)
        counts = con.execute(
            f"SELECT reason, count(*) FROM {REJECTS} WHERE target_table = ? GROUP BY ALL ORDER BY 2 DESC, 1", [RAW]
        ).fetchall()
    finally:
        db.drop_staging(con, *TABLES)
        for table in (REJECTS_STAGING, NO_ETABLISSEMENTS):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    reasons = Counter({reason: int(n) for reason, n in counts})
    for table in TABLES:
        report.loaded[table] = db.row_count(con, table)
    report.rejected[RAW] = sum(reasons.values())
    report.rejects_by_reason = dict(reasons)
    report.seconds = time.perf_counter() - started
    log.info("geolocation load published in %.1fs: %s", report.seconds, report.loaded)
    return report


def _stage(con: duckdb.DuckDBPyConnection, src: GeolocSource, staging: str) -> int:
    """Scan the file into `staging` (insertion order kept: rowid = ordinal); returns rows read,
    malformed lines included (those are in the rejects staging already)."""
    rej = "__geoloc_rej"
    con.execute(f"DROP TABLE IF EXISTS {rej}; DROP TABLE IF EXISTS {rej}_scan")
    log.info("reading %s (%s, %d columns, missing: %s)", src.original, src.fmt, len(src.header), src.missing_columns)
    scan = scan_sql(src, rej)
    sql = render_identifiers(load_sql("geoloc/stage"), staging=staging).replace("FROM __geoloc_scan", f"FROM ({scan})")
    con.execute("SET preserve_insertion_order = true")
    try:
        con.execute(sql, {"path": str(src.path)})
    finally:
        con.execute("SET preserve_insertion_order = false")
    malformed = 0
    if src.fmt == "csv":
        rows = con.execute(
            f"SELECT line, string_agg(DISTINCT error_type::VARCHAR, ', '), any_value(csv_line) FROM {rej} "
            "GROUP BY line ORDER BY line"
        ).fetchall()
        con.execute("CREATE OR REPLACE TEMP TABLE __geoloc_skipped (line BIGINT, k BIGINT)")
        if rows:
            con.executemany("INSERT INTO __geoloc_skipped VALUES (?, ?)", [(r[0], i) for i, r in enumerate(rows, 1)])
            con.executemany(
                f"INSERT INTO {REJECTS_STAGING} (target_table, source_file, line_number, reason, raw) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (RAW, src.original, int(line), _malformed_reason(kinds), (raw or "")[:RAW_MAX])
                    for line, kinds, raw in rows
                ],
            )
        malformed = len(rows)
        con.execute(f"DROP TABLE IF EXISTS {rej}; DROP TABLE IF EXISTS {rej}_scan")
    return db.row_count(con, staging) + malformed


def _malformed_reason(kinds: str) -> str:
    if "COLUMNS" in kinds:
        return "malformed line: wrong number of ';'-separated columns"
    return f"malformed line ({kinds.lower()})"


def _line_sql(src: GeolocSource, alias: str = "s") -> str:
    """SQL giving the file line (CSV, header = line 1) or parquet row number of a staged row."""
    if src.fmt == "parquet":
        return f"{alias}.__row"
    # the k-th malformed line sits after the records of ordinal < line - k: each one before a record
    # pushes it one line down
    ordinal = f"({alias}.rowid + 1)"
    return f"({ordinal} + 1 + (SELECT count(*) FROM __geoloc_skipped k WHERE k.line - k.k < {ordinal} + 1))"


def _quarantine(con: duckdb.DuckDBPyConnection, src: GeolocSource, staging: str) -> int:
    """Move rows with a bad SIRET, unusable coordinates or a repeated SIRET to the rejects staging;
    returns the number removed for their SIRET (the max-removal rule's count). Every reject is
    written before the first DELETE: rowids (the lines) are only stable until then."""
    table = quote_ident(staging)
    fields = ", ".join(f'"{c}" := s.__siret_raw' if c == "siret" else f'"{c}" := s."{c}"' for c in COLUMNS)
    raw = f"left(CAST(to_json(struct_pack({fields})) AS VARCHAR), {RAW_MAX})"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __geoloc_dups AS SELECT rid FROM ("
        f"SELECT rowid AS rid, row_number() OVER (PARTITION BY siret ORDER BY rowid) AS n FROM {table} "
        "WHERE __siret_reason IS NULL AND __coord_reason IS NULL AND siret IN ("
        f"SELECT siret FROM {table} WHERE __siret_reason IS NULL AND __coord_reason IS NULL "
        "GROUP BY siret HAVING count(*) > 1)) WHERE n > 1"
    )
    bad = "s.__siret_reason IS NOT NULL OR s.__coord_reason IS NOT NULL OR s.rowid IN (SELECT rid FROM __geoloc_dups)"
    con.execute(
        f"INSERT INTO {REJECTS_STAGING} (target_table, source_file, line_number, reason, raw) "
        f"SELECT ?, ?, {_line_sql(src)}, "
        "coalesce(s.__siret_reason, s.__coord_reason, 'duplicate SIRET (the first line is kept)'), "
        f"{raw} FROM {table} s WHERE {bad}",
        [RAW, src.original],
    )
    removed = con.execute(f"SELECT count(*) FROM {table} WHERE __siret_reason IS NOT NULL").fetchall()[0][0]
    con.execute(f"DELETE FROM {table} s WHERE {bad}")
    con.execute("DROP TABLE IF EXISTS __geoloc_dups")
    con.execute("DROP TABLE IF EXISTS __geoloc_skipped")
    return int(removed)


def _build_locations(con: duckdb.DuckDBPyConnection, staging: str) -> None:
    """core.establishment_locations and core.commune_points from the staged rows."""
    etablissements = "sirene.etablissements"
    if not {"siret", "codeCommuneEtablissement", "etatAdministratifEtablissement"} <= db.columns_of(
        con, etablissements
    ):
        log.info("sirene.etablissements not loaded: active and the SIRENE commune are left NULL")
        etablissements = NO_ETABLISSEMENTS
        con.execute(
            f"CREATE OR REPLACE TABLE {NO_ETABLISSEMENTS} (siret VARCHAR, codeCommuneEtablissement VARCHAR, "
            "etatAdministratifEtablissement VARCHAR)"
        )
    con.execute(
        render_identifiers(
            load_sql("geoloc/locations"),
            target=db.staging_name(LOCATIONS),
            geoloc=staging,
            etablissements=etablissements,
        )
    )
    con.execute(
        render_identifiers(
            load_sql("geoloc/commune_points"),
            target=db.staging_name(COMMUNE_POINTS),
            locations=db.staging_name(LOCATIONS),
        )
    )
