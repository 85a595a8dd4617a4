"""Load SIRENE stock files into `sirene.unites_legales`, `sirene.etablissements` and `core.companies`.

One load = stage every table it touches (`*__staging`), quarantine bad rows into the rejects
staging table, then publish all of them in one transaction (`firmo.db.publish`). The live
tables are never written in place, so a crash leaves the previous load intact, and running the
same load twice gives the same tables.

Bad rows, each with file, line number and a readable reason:
- malformed lines (wrong column count, unterminated quote) and impossible values (a date
  `2023-02-30`): caught by DuckDB's CSV reject store during the typed scan, with exact lines;
- invalid SIREN / SIRET (length, checksum, La Poste exception), SIRET not SIREN+NIC: checked in
  SQL (`firmo/sql/sirene/reject_reason_*.sql`); their CSV line numbers are found by a narrow second
  scan that runs only when such rows exist;
- duplicate keys: the most recently processed row is kept, the others quarantined.
If more than `max_reject_ratio` of a file is bad, the load fails and nothing is published: that
is a format change to look at, not data to quarantine.
"""

from __future__ import annotations

import bisect
import logging
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from firmo import db, identifiers
from firmo.errors import InputError, reading
from firmo.sqlfiles import load_sql, quote_ident
from sources.sirene.linefinder import MAX_PREFIXES, find_line_numbers
from sources.sirene.reader import StockSource, open_stock, scan_sql

log = logging.getLogger(__name__)

TABLES = {"unites_legales": "sirene.unites_legales", "etablissements": "sirene.etablissements"}
KEYS = {"unites_legales": ("siren",), "etablissements": ("siret",)}
PROCESSED_AT = {
    "unites_legales": "dateDernierTraitementUniteLegale",
    "etablissements": "dateDernierTraitementEtablissement",
}
REJECTS_STAGING = "sirene.rejects__staging"
RAW_MAX = 2000


class TooManyRejects(InputError):
    """A file whose share of bad rows says its format changed: nothing was published."""


@dataclass
class TableLoad:
    """What one file gave: rows kept, rows quarantined and why, layout seen."""

    table: str
    source: str
    fmt: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    missing_columns: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class SireneLoad:
    tables: dict[str, TableLoad]
    companies: int
    seconds: float

    def summary_rows(self) -> list[tuple[str, int, int]]:
        rows = [(t.table, t.rows_loaded, t.rows_rejected) for t in self.tables.values()]
        return rows + [("core.companies", self.companies, 0)]


def load_sirene(
    con: duckdb.DuckDBPyConnection,
    *,
    unites_legales: str | Path | None = None,
    etablissements: str | Path | None = None,
    workdir: Path | None = None,
    max_reject_ratio: float = 0.01,
) -> SireneLoad:
    """Load either or both stock files, rebuild `core.companies`, publish everything at once.

    Sources are local paths (a URL is fetched first by the caller through `sources.download`).
    When only one file is given, the other table keeps its live content and `core.companies`
    is rebuilt from the new table and the live one.
    """
    started = time.perf_counter()
    given = {k: v for k, v in (("unites_legales", unites_legales), ("etablissements", etablissements)) if v}
    if not given:
        raise ValueError("give at least one of unites_legales / etablissements")
    from firmo.reference import load_reference  # reference tables feed core.companies

    load_reference(con)
    identifiers.create_macros(con)
    con.execute(load_sql("sirene/macros"))
    staged = list(TABLES[k] for k in given) + ["core.companies"]
    db.drop_staging(con, *staged)
    db.create_rejects_staging(con, REJECTS_STAGING)

    reports: dict[str, TableLoad] = {}
    try:
        for kind, source in given.items():
            with reading(source):  # a truncated zip or a binary file: one line naming the file
                src = open_stock(kind, Path(source), original=str(source), workdir=workdir)
                try:
                    reports[kind] = stage_stock(con, src, max_reject_ratio=max_reject_ratio)
                finally:
                    src.cleanup()
        ul = db.staging_name(TABLES["unites_legales"]) if "unites_legales" in given else TABLES["unites_legales"]
        et = db.staging_name(TABLES["etablissements"]) if "etablissements" in given else TABLES["etablissements"]
        for table in (ul, et):
            if not db.table_exists(con, table):
                raise InputError(
                    f"{table.removesuffix('__staging')} is not loaded yet: give both files "
                    "(--unites-legales and --etablissements) for a first load"
                )
        log.info("building core.companies")
        build_companies(con, ul, et, db.staging_name("core.companies"))
        db.publish(
            con,
            staged,
            rejects={"sirene.rejects": [TABLES[k] for k in given]},
            rejects_staging=REJECTS_STAGING,
            also=_changes_statements(con) if "unites_legales" in given else (),
        )
    finally:
        db.drop_staging(con, *staged)
        con.execute(f"DROP TABLE IF EXISTS {REJECTS_STAGING}")
    companies = db.row_count(con, "core.companies")
    total = time.perf_counter() - started
    log.info("SIRENE load published in %.1fs: %s", total, {r.table: r.rows_loaded for r in reports.values()})
    return SireneLoad(reports, companies, total)


def stage_stock(con: duckdb.DuckDBPyConnection, src: StockSource, *, max_reject_ratio: float) -> TableLoad:
    """Scan one file into `<table>__staging`, moving bad rows to the rejects staging table."""
    t0 = time.perf_counter()
    table = TABLES[src.kind]
    staging = quote_ident(db.staging_name(table))
    report = TableLoad(
        table, src.original, src.fmt, missing_columns=src.missing_columns, unknown_columns=src.unknown_columns
    )
    if report.unknown_columns:
        log.warning("%s: columns not in the known layout, ignored: %s", src.original, report.unknown_columns)
    rej = f"__rej_{src.kind}"
    con.execute(f"DROP TABLE IF EXISTS {rej}; DROP TABLE IF EXISTS {rej}_scan")
    reason = "\n".join(
        line for line in load_sql(f"sirene/reject_reason_{src.kind}").splitlines() if not line.lstrip().startswith("--")
    )
    log.info("reading %s (%s, %s)", src.original, src.fmt, src.vintage)
    ints = "TRY_CAST(siren AS UBIGINT) AS __siren_n" + (
        ", TRY_CAST(siret AS UBIGINT) AS __siret_n" if src.kind == "etablissements" else ""
    )
    # The identifiers are cast to integers once, in a subquery: the checksum macros take digits
    # arithmetically, and a macro argument that is an expression would be recomputed per use.
    con.execute(
        f"CREATE TABLE {staging} AS SELECT * "
        f"EXCLUDE (__siren_n{', __siret_n' if src.kind == 'etablissements' else ''}), "
        f"({reason}) AS __reason FROM (SELECT *, {ints} FROM ({scan_sql(src, rej)}))",
        {"path": str(src.path)},
    )
    reader_lines = _reader_rejects(con, src, rej, table)
    reader_rejected = con.execute(
        f"SELECT count(*) FROM {REJECTS_STAGING} WHERE target_table = ? AND source_file = ?", [table, src.original]
    ).fetchall()[0][0]
    report.rows_read = db.row_count(con, db.staging_name(table)) + reader_rejected
    n_bad = con.execute(f"SELECT count(*) FROM {staging} WHERE __reason IS NOT NULL").fetchall()[0][0]
    if n_bad:
        _quarantine_invalid(con, src, table, staging, rej, reader_lines)
    _quarantine_duplicates(con, src, table, staging)
    con.execute(f"ALTER TABLE {staging} DROP COLUMN __reason")
    con.execute(f"ALTER TABLE {staging} DROP COLUMN __cast_errors")
    con.execute(f"ALTER TABLE {staging} DROP COLUMN __row")

    report.rows_loaded = db.row_count(con, db.staging_name(table))
    counts = con.execute(
        f"SELECT regexp_replace(reason, '''[^'']*''', '…', 'g') AS kind, count(*) FROM {REJECTS_STAGING} "
        "WHERE target_table = ? AND source_file = ? GROUP BY ALL ORDER BY 2 DESC",
        [table, src.original],
    ).fetchall()
    report.rejects_by_reason = {k: int(n) for k, n in counts}
    report.rows_rejected = sum(report.rejects_by_reason.values())
    report.seconds = time.perf_counter() - t0
    if report.rows_read and report.rows_rejected / report.rows_read > max_reject_ratio:
        raise TooManyRejects(
            f"{src.original}: {report.rows_rejected} of {report.rows_read} rows rejected "
            f"(> {max_reject_ratio:.1%}); nothing published. Reasons: {report.rejects_by_reason}"
        )
    log.info(
        "%s: %d rows staged, %d rejected in %.1fs", table, report.rows_loaded, report.rows_rejected, report.seconds
    )
    return report


_COUNT_RE = re.compile(r"Expected Number of Columns:\s*(\d+)\s*Found:\s*(\d+)", re.I)
_CAST_RE = re.compile(r'Could not convert string "([^"]*)" to \'?(\w+)', re.I)


def _reader_rejects(con: duckdb.DuckDBPyConnection, src: StockSource, rej: str, table: str) -> list[int]:
    """Copy DuckDB's CSV reject store into our rejects, one row per bad line.

    Returns the lines rejected for their *structure* (column count, quoting): the only ones a
    scan that casts nothing also skips, which `_quarantine_invalid` needs to map ordinals back
    to physical lines.
    """
    if src.fmt != "csv":
        return []
    rows = con.execute(
        f"SELECT line, error_type::VARCHAR, column_name, error_message, csv_line FROM {rej} ORDER BY line"
    ).fetchall()
    by_line: dict[int, tuple[list[tuple[str, str, str | None]], str]] = {}
    for line, etype, column, message, raw in rows:
        errors, _ = by_line.setdefault(int(line), ([], raw or ""))
        errors.append((etype, message or "", column))
    if not by_line:
        return []
    structural: list[int] = []
    records = []
    for line, (errors, raw) in by_line.items():
        if any(etype != "CAST" for etype, _, _ in errors):
            structural.append(line)
        records.append((table, src.original, line, _line_reason(errors), raw[:RAW_MAX]))
    con.executemany(
        f"INSERT INTO {REJECTS_STAGING} (target_table, source_file, line_number, reason, raw) VALUES (?, ?, ?, ?, ?)",
        records,
    )
    return sorted(structural)


def _line_reason(errors: list[tuple[str, str, str | None]]) -> str:
    """One readable reason for all the errors DuckDB reported on one line."""
    counts = [e for e in errors if e[0] in ("MISSING COLUMNS", "TOO MANY COLUMNS")]
    if counts:
        # With the wrong number of columns every value is shifted: cast errors on the same line
        # are noise. DuckDB reports a missing-columns error per absent column; the smallest
        # "found" is the line's real count (the largest for too many).
        found = [(int(m.group(1)), int(m.group(2))) for _, msg, _ in counts if (m := _COUNT_RE.search(msg))]
        if not found:
            return "wrong column count"
        expected = found[0][0]
        actual = min(f for _, f in found) if counts[0][0] == "MISSING COLUMNS" else max(f for _, f in found)
        return f"wrong column count: expected {expected}, found {actual}"
    return "; ".join(dict.fromkeys(_reader_reason(etype, column, message) for etype, message, column in errors))


def _reader_reason(etype: str, column: str | None, message: str) -> str:
    if etype in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
        m = _COUNT_RE.search(message)
        return f"wrong column count: expected {m.group(1)}, found {m.group(2)}" if m else "wrong column count"
    if etype == "CAST":
        m = _CAST_RE.search(message)
        value = f" '{m.group(1)}'" if m else ""
        kind = (
            {"DATE": "date", "TIMESTAMP": "timestamp", "BOOLEAN": "boolean"}.get(m.group(2).upper(), "value")
            if m
            else "value"
        )
        return f"impossible {kind}{value} in {column}"
    return f"malformed CSV line ({etype.lower()})"


def _quarantine_invalid(con, src: StockSource, table: str, staging: str, rej: str, reader_lines: list[int]) -> None:
    """Move rows failing the SQL rules to the rejects, with their line (CSV) or row (parquet)."""
    keys = KEYS[src.kind]
    key_sql = ", ".join(quote_ident(k) for k in keys)
    if src.fmt == "csv":
        con.execute("DROP TABLE IF EXISTS __bad_lines")
        bad_keys = con.execute(
            f"SELECT DISTINCT {', '.join(quote_ident(c) for c in PREFIX_COLUMNS[src.kind])} FROM {staging} "
            "WHERE __reason IS NOT NULL"
        ).fetchall()
        lines = _lines_by_prefix(src, bad_keys) if len(bad_keys) <= MAX_PREFIXES else None
        if lines is None:
            lines = _lines_by_rescan(con, src, rej, staging, key_sql, reader_lines)
        con.execute(
            f"CREATE TEMP TABLE __bad_lines ({', '.join(f'{quote_ident(k)} VARCHAR' for k in keys)}, line BIGINT)"
        )
        if lines:
            con.executemany(f"INSERT INTO __bad_lines VALUES ({', '.join('?' for _ in keys)}, ?)", lines)
        # A key repeated on n bad lines must give n rejects, not n x n: the k-th bad row of a key
        # takes the k-th line of that key (CSV gives no row position, so which of several rows
        # with the same key carries which raw text is not known; the count and lines are exact).
        bad = (
            f"SELECT {key_sql}, __reason, __raw, row_number() OVER (PARTITION BY {key_sql} ORDER BY __raw) AS __k "
            f"FROM (SELECT s.*, left(CAST(to_json(s) AS VARCHAR), {RAW_MAX}) AS __raw FROM {staging} s "
            "WHERE s.__reason IS NOT NULL)"
        )
        found = (
            f"SELECT {key_sql}, line, row_number() OVER (PARTITION BY {key_sql} ORDER BY line) AS __k FROM __bad_lines"
        )
        select = f"SELECT ?, ?, l.line, b.__reason, b.__raw FROM ({bad}) b LEFT JOIN ({found}) l USING ({key_sql}, __k)"
    else:
        select = (
            f"SELECT ?, ?, s.__row, s.__reason, left(CAST(to_json(s) AS VARCHAR), {RAW_MAX}) "
            f"FROM {staging} s WHERE s.__reason IS NOT NULL"
        )
    con.execute(
        f"INSERT INTO {REJECTS_STAGING} (target_table, source_file, line_number, reason, raw) {select}",
        [table, src.original],
    )
    con.execute("DROP TABLE IF EXISTS __bad_lines")
    con.execute(f"DELETE FROM {staging} WHERE __reason IS NOT NULL")


# The columns a stock line starts with: a bad row's line is found by searching this prefix.
PREFIX_COLUMNS = {"unites_legales": ("siren",), "etablissements": ("siren", "nic", "siret")}


def _lines_by_prefix(src: StockSource, bad_keys: list[tuple]) -> list[tuple] | None:
    """(key..., line) for each bad row, by searching its line prefix; None if any is not found."""
    prefixes = {row: ",".join("" if v is None else v for v in row) + "," for row in bad_keys}
    found = find_line_numbers(src.path, list(prefixes.values()))
    out = []
    for row, prefix in prefixes.items():
        if not found[prefix]:
            return None  # quoted or odd key: let the rescan find it
        key = row[-1:] if src.kind == "etablissements" else row[:1]
        out += [(*key, line) for line in found[prefix]]
    return out


def _lines_by_rescan(
    con, src: StockSource, rej: str, staging: str, key_sql: str, reader_lines: list[int]
) -> list[tuple]:
    """(key..., line) for each bad row by a second, narrow scan in file order."""
    con.execute(f"CREATE TEMP TABLE __bad_keys AS SELECT DISTINCT {key_sql} FROM {staging} WHERE __reason IS NOT NULL")
    # Key columns as text: the scan skips exactly the structurally broken lines, so a row's
    # ordinal maps back to its physical line.
    scan = scan_sql(src, f"{rej}_again", all_varchar=True).replace("store_rejects = true", "ignore_errors = true")
    scan = re.sub(r", rejects_table = '[^']*', rejects_scan = '[^']*', rejects_limit = 0", "", scan)
    con.execute("SET preserve_insertion_order = true")
    try:
        ordinals = con.execute(
            f"SELECT k.*, s.__ord FROM (SELECT row_number() OVER () AS __ord, {key_sql} FROM ({scan})) s "
            f"JOIN __bad_keys k USING ({key_sql})",
            {"path": str(src.path)},
        ).fetchall()
    finally:
        con.execute("SET preserve_insertion_order = false")
        con.execute("DROP TABLE IF EXISTS __bad_keys")
    return [(*row[:-1], _physical_line(int(row[-1]), reader_lines)) for row in ordinals]


def _physical_line(ordinal: int, skipped_lines: list[int]) -> int:
    """Line number (header = 1) of the `ordinal`-th good record, given the lines the reader skipped.

    Assumes one physical line per record, which holds for the SIRENE stock files.
    """
    line = ordinal + 1
    # Every skipped line at or before the current candidate pushes the record one line down.
    consumed = 0
    while True:
        skipped_before = bisect.bisect_right(skipped_lines, line)
        if skipped_before == consumed:
            return line
        line += skipped_before - consumed
        consumed = skipped_before


def _quarantine_duplicates(con, src: StockSource, table: str, staging: str) -> None:
    """Keep one row per key (the most recently processed); quarantine the others."""
    keys = KEYS[src.kind]
    key_sql = ", ".join(quote_ident(k) for k in keys)
    dup = con.execute(
        f"SELECT count(*) FROM (SELECT {key_sql} FROM {staging} GROUP BY ALL HAVING count(*) > 1)"
    ).fetchall()[0][0]
    if not dup:
        return
    processed = quote_ident(PROCESSED_AT[src.kind])
    con.execute(
        f"CREATE TEMP TABLE __dups AS SELECT rowid AS rid FROM ("
        f"  SELECT rowid, row_number() OVER (PARTITION BY {key_sql} ORDER BY {processed} DESC NULLS LAST, rowid) AS rn"
        f"  FROM {staging} WHERE ({key_sql}) IN (SELECT {key_sql} FROM {staging} GROUP BY ALL HAVING count(*) > 1)"
        f") WHERE rn > 1"
    )
    con.execute(
        f"INSERT INTO {REJECTS_STAGING} (target_table, source_file, line_number, reason, raw) "
        f"SELECT ?, ?, s.__row, 'duplicate {keys[0]} ''' || s.{quote_ident(keys[0])} || "
        "''': a more recently processed row is kept', "
        f"left(CAST(to_json(s) AS VARCHAR), {RAW_MAX}) FROM {staging} s WHERE s.rowid IN (SELECT rid FROM __dups)",
        [table, src.original],
    )
    con.execute(f"DELETE FROM {staging} WHERE rowid IN (SELECT rid FROM __dups)")
    con.execute("DROP TABLE __dups")


def _changes_statements(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Statements appending what changed between the live and the staged unités légales."""
    from firmo.sqlfiles import render_identifiers

    con.execute(load_sql("sirene/create_changes"))
    if not db.table_exists(con, TABLES["unites_legales"]):
        return []
    return [
        render_identifiers(
            load_sql("sirene/changes"),
            live=TABLES["unites_legales"],
            staging=db.staging_name(TABLES["unites_legales"]),
            target="core.sirene_changes",
        )
    ]


# Published by the IDCC load (sources/idcc): named here, never imported, since a registry package
# does not import another. Absent (IDCC not loaded yet), core.companies gets idcc_codes NULL.
IDCC_CODES = "core.company_idcc_codes"


def _idcc_codes(con: duckdb.DuckDBPyConnection) -> str:
    """The per-company IDCC table, or an empty stand-in of the same shape."""
    if db.table_exists(con, IDCC_CODES):
        return IDCC_CODES
    con.execute("CREATE OR REPLACE TEMP TABLE empty_idcc_codes (siren VARCHAR, idcc_codes VARCHAR[])")
    return "empty_idcc_codes"


def build_companies(con: duckdb.DuckDBPyConnection, ul_table: str, etab_table: str, target: str) -> None:
    """`core.companies`: one row per legal unit with its head office, reference labels and the
    collective agreements of its establishments (when the IDCC file is loaded)."""
    from firmo.sqlfiles import render_identifiers

    sql = render_identifiers(
        load_sql("sirene/companies"), ul=ul_table, etab=etab_table, target=target, idcc=_idcc_codes(con)
    )
    con.execute(sql)
