"""Load the SIRET -> IDCC file (Ministère du Travail, from the DSN; open_data.md §7.1).

Tables, published together in one transaction (build then swap):
- `idcc.siret_idcc` (the publisher's columns MOIS, SIRET, IDCC, DATE_MAJ): every row kept,
  9999 included, SIRET cleaned, IDCC without its padding spaces and on 4 digits;
- `core.company_idcc` (siren, siret, idcc, month): the agreements establishments declare, 9999 left out;
- `core.company_idcc_codes` (siren, idcc_codes): per company, what `core.companies.idcc_codes` shows;
- `core.companies`, when it exists, rebuilt with the new `idcc_codes` (the SIRENE load joins the
  same table when it builds core.companies, so whichever loads last, the column is current).
Bad rows go to `idcc.rejects` with file, line and reason; more than `max_removal_pct` % of the
rows removed refuses the load (the Common conventions' max_removal_percentage), nothing published.

Why the file is read one physical line at a time (one VARCHAR column, split in SQL) rather than
by DuckDB's CSV sniffer: a quarantined row must say its line, and DuckDB's CSV reader gives no
row position; a table built in insertion order numbers the lines by rowid, and ~2M lines of
four short fields split in SQL in a few seconds. The header is still read by name.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from firmo import db, identifiers
from firmo.errors import InputError, reading
from firmo.identifiers import TooManyRemoved
from firmo.sqlfiles import load_sql, render_identifiers
from sources.report import LoadReport

RAW = "idcc.siret_idcc"
COMPANY_IDCC = "core.company_idcc"
COMPANY_CODES = "core.company_idcc_codes"
COMPANIES = "core.companies"
REJECTS = "idcc.rejects"
REJECTS_STAGING = "idcc.rejects__staging"
# TEMP tables of one load (the connection's, never in the warehouse file)
LINES = "idcc_siret_lines"
FIELDS = "idcc_siret_fields"
PARSED = "idcc_siret_parsed"
COLUMNS = ("MOIS", "SIRET", "IDCC", "DATE_MAJ")
NO_AGREEMENT = "9999"
MAX_REMOVAL_PCT = 1.0  # default of FIRMO_IDCC_MAX_REMOVAL_PCT


def header_positions(header: str, path: str) -> tuple[dict[str, int], int]:
    """1-based position of each column of COLUMNS in the header line, and the header's width."""
    names = [n.strip().strip('"').lstrip("\ufeff").strip().upper() for n in header.rstrip("\r").split(",")]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise InputError(
            f"{path}: not the SIRET -> IDCC file: no column {', '.join(missing)} in the header "
            f"({', '.join(names[:8]) or 'empty'}); expected {','.join(COLUMNS)}"
        )
    return {c: names.index(c) + 1 for c in COLUMNS}, len(names)


def load_siret_idcc(
    con: duckdb.DuckDBPyConnection, path: str | Path, *, max_removal_pct: float = MAX_REMOVAL_PCT
) -> LoadReport:
    """Parse `path`, quarantine what cannot be kept, publish the four tables. Returns the counts."""
    started = time.perf_counter()
    path = Path(path)
    source = str(path)
    report = LoadReport(sources=[source])
    identifiers.ensure_macros(con)
    con.execute("CREATE SCHEMA IF NOT EXISTS idcc")
    con.execute(db.REJECTS_DDL.format(table=REJECTS))
    targets = [RAW, COMPANY_IDCC, COMPANY_CODES]
    companies = db.table_exists(con, COMPANIES)
    staged = targets + ([COMPANIES] if companies else [])
    db.drop_staging(con, *staged)
    db.create_rejects_staging(con, REJECTS_STAGING)
    try:
        with reading(path):
            read_lines(con, path)
        first = con.execute(f"SELECT line FROM {LINES} WHERE rowid = 0").fetchall()
        if not first or first[0][0] is None:
            raise InputError(f"{path}: empty file, no header {','.join(COLUMNS)}")
        positions, width = header_positions(first[0][0], source)
        con.execute(
            render_identifiers(load_sql("idcc/parse_siret_idcc"), lines=LINES, target=FIELDS),
            {"mois": positions["MOIS"], "siret": positions["SIRET"], "idcc": positions["IDCC"],
             "date_maj": positions["DATE_MAJ"]},
        )  # fmt: skip
        con.execute(
            render_identifiers(load_sql("idcc/check_siret_idcc"), fields=FIELDS, target=PARSED), {"columns": width}
        )
        con.execute(
            f"INSERT INTO {REJECTS_STAGING} (target_table, source_file, line_number, reason, raw) "
            f"SELECT ?, ?, p.line_number, p.__reason, left(l.line, 2000) FROM {PARSED} p "
            f"JOIN (SELECT rowid + 1 AS line_number, line FROM {LINES}) l USING (line_number) "
            "WHERE p.__reason IS NOT NULL",
            [RAW, source],
        )
        counts = con.execute(f"SELECT count(*), count(*) FILTER (WHERE __reason IS NOT NULL) FROM {PARSED}").fetchall()[
            0
        ]
        read, rejected = int(counts[0]), int(counts[1])
        reasons = con.execute(
            f"SELECT reason, count(*) FROM {REJECTS_STAGING} GROUP BY reason ORDER BY 2 DESC, 1"
        ).fetchall()
        report.rejects_by_reason = {r: int(n) for r, n in reasons}
        report.rejected[RAW] = rejected
        share = identifiers.removal_exceeded(rejected, read, max_removal_pct)
        if share is not None:
            raise TooManyRemoved(
                f"{path}: {rejected:,} of {read:,} rows removed ({share:.2f} %), above the "
                f"{max_removal_pct:g} % this source tolerates (FIRMO_IDCC_MAX_REMOVAL_PCT); nothing published. "
                f"Reasons: {report.rejects_by_reason}"
            )
        _build(con, companies)
        kept = db.row_count(con, db.staging_name(RAW))
        report.superseded = read - rejected - kept  # repeated (MOIS, SIRET, IDCC) rows
        db.publish(con, staged, rejects={REJECTS: [RAW]}, rejects_staging=REJECTS_STAGING)
    finally:
        db.drop_staging(con, *staged)
        for table in (LINES, FIELDS, PARSED, REJECTS_STAGING):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    report.loaded = {t: db.row_count(con, t) for t in targets}
    report.seconds = time.perf_counter() - started
    return report


def read_lines(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """`LINES`: one row per physical line of `path`, in file order (rowid 0 = line 1)."""
    previous = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    con.execute("SET preserve_insertion_order = true")  # rowid must follow the file's order
    try:
        con.execute(
            f"CREATE TEMP TABLE {LINES} AS SELECT line FROM read_csv($path, header = false, "
            "columns = {'line': 'VARCHAR'}, delim = $delim, quote = '', escape = '', auto_detect = false, "
            "strict_mode = false, encoding = 'utf-8')",
            {"path": str(path), "delim": "\x01"},
        )
    finally:
        con.execute(f"SET preserve_insertion_order = {'true' if previous else 'false'}")


def _build(con: duckdb.DuckDBPyConnection, companies: bool) -> None:
    """The staging tables of the four targets, from the parsed rows."""
    raw, company_idcc, codes = (db.staging_name(t) for t in (RAW, COMPANY_IDCC, COMPANY_CODES))
    con.execute(render_identifiers(load_sql("idcc/siret_idcc"), parsed=PARSED, target=raw))
    con.execute(render_identifiers(load_sql("idcc/company_idcc"), raw=raw, target=company_idcc))
    con.execute(render_identifiers(load_sql("idcc/company_idcc_codes"), company_idcc=company_idcc, target=codes))
    if companies:
        has_column = con.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_schema = 'core' AND table_name = 'companies' AND column_name = 'idcc_codes'"
        ).fetchall()[0][0]
        sql = load_sql("idcc/companies_refresh" if has_column else "idcc/companies_add")
        con.execute(render_identifiers(sql, companies=COMPANIES, codes=codes, target=db.staging_name(COMPANIES)))
