"""Load label sources into `labels.<source>` and rebuild `core.labels`, in one build-then-swap.

For each source given: its files are read by header name (`read.py`), the identifier columns
cleaned in place (`clean.py`), unreadable rows, refused identifiers and repeated keys quarantined
with file, line and reason; if more than the source's `max_removal_pct` of its rows were removed the
load fails and nothing is published (a file that lost its leading zeros or changed its header
is not half-loaded). Then `core.labels` is built from every raw table (this load's staging ones,
the live ones of the sources not reloaded) and the SIRENE flags, and everything is swapped in
one transaction (`firmo.db.publish`, where `firmo load` puts the row-count guard).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from firmo import db, identifiers
from firmo.errors import InputError, reading
from firmo.identifiers import TooManyRemoved, clean_identifier
from firmo.sqlfiles import load_sql, quote_ident, render_identifiers
from sources.labels.catalog import SOURCES
from sources.labels.read import Record, header_of, iter_rows, page_files
from sources.labels.spec import Source
from sources.report import LoadReport

CORE = "core.labels"
REJECTS = "labels.rejects"
REJECTS_STAGING = "labels.rejects__staging"
UNITS = "sirene.unites_legales"
BATCH = 50_000
RAW_MAX = 2000
# core.labels parts: (SQL file, raw source name or None for the SIRENE flags, SIRENE column)
PARTS: tuple[tuple[str, str | None, str | None], ...] = (
    *((f"labels/core_{name}", name, None) for name in SOURCES),
    ("labels/core_sirene_ess", None, "economieSocialeSolidaireUniteLegale"),
    ("labels/core_sirene_mission", None, "societeMissionUniteLegale"),
)


def column_ident(name: str) -> str:
    """A publisher's column name ("Numéro Déclaration Activité") as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def clean_record(source: Source, record: Record) -> str | None:
    """Clean the identifier columns of `record` in place; the reason it is refused, or None."""
    for spec in source.ids:
        value, reason = clean_identifier(record.get(spec.column), pad=spec.pad, accept=spec.accept)
        if reason is None:
            record[spec.column] = value
        elif spec.required:
            return f"{spec.column}: {reason}"
        else:
            record[spec.column] = None
    return None


def _raw_text(record: Record | None, reason: str) -> str:
    return reason if record is None else "; ".join(f"{k}={v}" for k, v in record.items() if v is not None)[:RAW_MAX]


def stage_source(
    con: duckdb.DuckDBPyConnection, source: Source, paths: Sequence[Path], *, max_removal_pct: float | None = None
) -> tuple[int, int, Counter[str]]:
    """Build `labels.<source>__staging` from `paths` and append its rejects to the rejects staging
    table; (rows kept, rows read, rejects by reason). Raises TooManyRemoved past the allowed share."""
    paths = page_files(paths) if source.fmt == "pages" else list(paths)
    if not paths:
        raise InputError(f"{source.title}: no file to load")
    staging = db.staging_name(source.table)
    con.execute(f"DROP TABLE IF EXISTS {quote_ident(staging)}")
    with reading(paths[0]):
        header = header_of(source, paths)
    if len(set(header)) != len(header):
        raise InputError(f"{paths[0]}: repeated column names in the header")
    schema = pa.schema([(c, pa.string()) for c in header])
    cols = ", ".join(column_ident(c) for c in header)
    con.execute(f"CREATE TABLE {quote_ident(staging)} ({', '.join(column_ident(c) + ' VARCHAR' for c in header)})")
    seen: set[tuple] = set()
    reasons: Counter[str] = Counter()
    batch: list[Record] = []
    rejects: list[tuple] = []
    read = kept = 0

    def flush() -> None:
        if batch:
            table = pa.Table.from_pylist(batch, schema=schema)
            with db.registered(con, "__labels_batch", table):
                con.execute(f"INSERT INTO {quote_ident(staging)} ({cols}) SELECT {cols} FROM __labels_batch")
            batch.clear()
        if rejects:
            con.executemany(
                f"INSERT INTO {REJECTS_STAGING} (target_table, source_file, line_number, reason, raw) "
                "VALUES (?, ?, ?, ?, ?)",
                rejects,
            )
            rejects.clear()

    for path in paths:
        with reading(path):
            for file, line, record, reason in iter_rows(source, [path], header):
                read += 1
                if record is not None and reason is None:
                    reason = clean_record(source, record)
                if reason is None and record is not None and source.unique:
                    key = tuple(record.get(c) for c in source.unique)
                    if key in seen:
                        reason = f"duplicate ({', '.join(source.unique)}) = ({', '.join(str(k) for k in key)})"
                    seen.add(key)
                if reason is not None:
                    reasons[reason.split(" = ")[0]] += 1
                    rejects.append((source.table, file, line, reason, _raw_text(record, reason)))
                else:
                    kept += 1
                    batch.append(record)  # type: ignore[arg-type]  # record is set when reason is None
                if len(batch) >= BATCH or len(rejects) >= BATCH:
                    flush()
    flush()
    removed = read - kept
    allowed = source.max_removal_pct if max_removal_pct is None else max_removal_pct
    if read == 0:
        raise InputError(f"{source.title}: no row in {', '.join(str(p) for p in paths)}")
    share = identifiers.removal_exceeded(removed, read, allowed)
    if share is not None:
        top = ", ".join(f"{n} x {r}" for r, n in reasons.most_common(3))
        raise TooManyRemoved(
            f"{source.table}: {removed:,} of {read:,} rows removed ({share:.1f} %), above the {allowed:g} % "
            f"this source allows; nothing published ({top})"
        )
    return kept, read, reasons


def _part_sql(con: duckdb.DuckDBPyConnection, staged: set[str]) -> tuple[list[str], list[str]]:
    """The SELECTs of core.labels for the tables present; (parts, inputs used)."""
    parts, inputs = [], []
    units_columns = db.columns_of(con, UNITS)
    for sql_name, name, flag in PARTS:
        if name is not None:
            table = SOURCES[name].table
            used = db.staging_name(table) if table in staged else table
            if not db.table_exists(con, used):
                continue
            parts.append(render_identifiers(load_sql(sql_name), raw=used))
            inputs.append(table)
        elif flag in units_columns:
            parts.append(render_identifiers(load_sql(sql_name), units=UNITS))
            inputs.append(f"{UNITS}.{flag}")
    return parts, inputs


EMPTY_PART = (
    "SELECT CAST(NULL AS VARCHAR) AS siren, CAST(NULL AS VARCHAR) AS siret, CAST(NULL AS VARCHAR) AS label, "
    "CAST(NULL AS VARCHAR) AS detail, CAST(NULL AS DATE) AS valid_from, CAST(NULL AS DATE) AS valid_to, "
    "CAST(NULL AS VARCHAR) AS source WHERE false"
)


def build_core_labels(con: duckdb.DuckDBPyConnection, target: str, staged: Iterable[str] = ()) -> list[str]:
    """(Re)create `target` with the core.labels rows of every raw table (the `staged` ones read from
    their staging table) and the SIRENE flags; returns the inputs used."""
    identifiers.ensure_macros(con)
    parts, inputs = _part_sql(con, set(staged))
    union = "\nUNION ALL\n".join(f"({p.strip()})" for p in parts) or EMPTY_PART
    con.execute(f"DROP TABLE IF EXISTS {quote_ident(target)}")
    con.execute(render_identifiers(load_sql("labels/core_labels").replace("{{parts}}", union), target=target))
    return inputs


def rebuild_core_labels(con: duckdb.DuckDBPyConnection) -> int:
    """core.labels again from the live raw tables (after a SIRENE load changed the flags)."""
    db.drop_staging(con, CORE)
    try:
        build_core_labels(con, db.staging_name(CORE))
        db.publish(con, [CORE])
    finally:
        db.drop_staging(con, CORE)
    return db.row_count(con, CORE)


def load_labels(
    con: duckdb.DuckDBPyConnection,
    inputs: Mapping[str, Sequence[Path]],
    *,
    max_removal_pct: Mapping[str, float] | None = None,
) -> LoadReport:
    """Load the sources of `inputs` ({source name: files}) and rebuild core.labels; returns counts.
    `max_removal_pct` overrides a source's allowed share of removed rows (percent)."""
    started = time.monotonic()
    unknown = sorted(set(inputs) - set(SOURCES))
    if unknown:
        raise InputError(f"unknown label source(s) {', '.join(unknown)}; known: {', '.join(SOURCES)}")
    sources = [SOURCES[name] for name in SOURCES if name in inputs]
    tables = [s.table for s in sources]
    report = LoadReport(sources=[str(p) for s in sources for p in inputs[s.name]])
    db.ensure_schemas(con)
    db.drop_staging(con, *tables, CORE)
    db.create_rejects_staging(con, REJECTS_STAGING)
    try:
        reasons: Counter[str] = Counter()
        for source in sources:
            kept, read, by_reason = stage_source(
                con,
                source,
                [Path(p) for p in inputs[source.name]],
                max_removal_pct=(max_removal_pct or {}).get(source.name),
            )
            report.rejected[source.table] = read - kept
            reasons.update({f"{source.name}: {r}": n for r, n in by_reason.items()})
        build_core_labels(con, db.staging_name(CORE), staged=tables)
        db.publish(con, [*tables, CORE], rejects={REJECTS: tables}, rejects_staging=REJECTS_STAGING)
    finally:
        db.drop_staging(con, *tables, CORE)
        con.execute(f"DROP TABLE IF EXISTS {REJECTS_STAGING}")
    report.loaded = {t: db.row_count(con, t) for t in [*tables, CORE]}
    report.rejects_by_reason = dict(reasons.most_common())
    report.seconds = round(time.monotonic() - started, 3)
    return report
