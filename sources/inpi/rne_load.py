"""Load RNE payloads into `inpi.officers` and `inpi.companies`.

Two ways in, same semantics:
- `load_rne` (stock, or any set of files): builds both tables from scratch in `__staging`
  tables and swaps them in with the rejects in one transaction (`firmo.db.publish`);
- `apply_rne_updates` (the `/diff` feed): replaces, in one transaction, the officers of the
  SIRENs present in the batch.

The RNE never signals a removed director (search-infra #331), so a payload is the whole truth
for its SIREN: a newer one replaces all its officers. Stock and diff both hold the same SIREN
twice with different `updatedAt` (search-infra #739): the latest `updatedAt` wins, the later
one read on a tie, and an update older than what is loaded is ignored.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from firmo import db
from firmo.errors import InputError
from firmo.sqlfiles import load_sql, quote_ident, render_identifiers
from sources.inpi.rne_files import Bad, Payload, iter_file
from sources.inpi.rne_parse import (
    COMPANY_COLUMNS,
    LEGAL_PERSON_COLUMNS,
    OFFICER_COLUMNS,
    RejectedPayload,
    iter_payloads,
    parse_company,
)
from sources.report import LoadReport

OFFICERS = "inpi.officers"
COMPANIES = "inpi.companies"
REJECTS = "inpi.rejects"
REJECTS_STAGING = "inpi.rejects__staging"
# connection-private TEMP work tables: faster to fill, and a crash cannot leave them behind
WORK = {"officers": "inpi_officers_work", "companies": "inpi_companies_work"}
FLUSH_ROWS = 50_000
RAW_MAX = 2000

_SEQ = pa.field("payload_seq", pa.int64())
OFFICER_SCHEMA = pa.schema(
    [
        *(pa.field(c, pa.string()) for c in OFFICER_COLUMNS[:7]),
        pa.field("role_codes", pa.list_(pa.string())),
        pa.field("role_label", pa.string()),
        pa.field("start_date", pa.date32()),
        pa.field("active", pa.bool_()),
        pa.field("representant_id", pa.string()),
        pa.field("updated_at", pa.timestamp("us")),
        pa.field("source_file", pa.string()),
        *(pa.field(c, pa.string()) for c in LEGAL_PERSON_COLUMNS),
    ]
)
COMPANY_SCHEMA = pa.schema(
    [
        *(pa.field(c, pa.string()) for c in COMPANY_COLUMNS[:4]),
        pa.field("diffusion_commerciale", pa.bool_()),
        pa.field("officers", pa.int32()),
        pa.field("updated_at", pa.timestamp("us")),
        pa.field("source_file", pa.string()),
    ]
)
REJECT_SCHEMA = pa.schema(
    [("target_table", pa.string()), ("source_file", pa.string()), ("line_number", pa.int64()),
     ("reason", pa.string()), ("raw", pa.string())]
)  # fmt: skip


def create_table(con: duckdb.DuckDBPyConnection, kind: str, table: str, *, temp: bool = False) -> None:
    """Create `table` with the DDL of `inpi.officers` (kind='officers') or `inpi.companies`."""
    ddl = render_identifiers(load_sql(f"inpi/create_{kind}"), table=table)
    con.execute(ddl.replace("CREATE TABLE", "CREATE TEMP TABLE", 1) if temp else ddl)


def _raw(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text[:RAW_MAX]


class _Batch:
    """Rows parsed so far, turned into Arrow tables on demand (keeps Python lists short)."""

    def __init__(self) -> None:
        self.officers: list[dict] = []
        self.companies: list[dict] = []
        self.rejects: list[dict] = []

    def add(self, item: Payload | Bad, seq: int, today: date) -> None:
        if isinstance(item, Bad):
            self.reject(item.source, item.line, item.reason, item.raw)
            return
        try:
            parsed = parse_company(item.data, item.source, today)
        except RejectedPayload as exc:
            self.reject(item.source, item.line, str(exc), _raw(item.data))
            return
        for reason, pouvoir in parsed.bad_pouvoirs:
            self.reject(item.source, item.line, f"{reason}, SIREN {parsed.siren}", _raw(pouvoir))
        self.companies.append({**parsed.company, "payload_seq": seq})
        self.officers.extend({**o, "payload_seq": seq} for o in parsed.officers)

    def reject(self, source: str, line: int | None, reason: str, raw: str) -> None:
        self.rejects.append({"target_table": OFFICERS, "source_file": source, "line_number": line,
                             "reason": reason, "raw": raw})  # fmt: skip

    def __len__(self) -> int:
        return len(self.officers) + len(self.companies) + len(self.rejects)

    def tables(self) -> dict[str, pa.Table]:
        return {
            "officers": pa.Table.from_pylist(self.officers, OFFICER_SCHEMA.append(_SEQ)),
            "companies": pa.Table.from_pylist(self.companies, COMPANY_SCHEMA.append(_SEQ)),
            "rejects": pa.Table.from_pylist(self.rejects, REJECT_SCHEMA),
        }


def _insert(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    if data.num_rows == 0:
        return
    con.register("__inpi_batch", data)
    try:
        con.execute(f"INSERT INTO {quote_ident(table)} BY NAME SELECT * FROM __inpi_batch")
    finally:
        con.unregister("__inpi_batch")


def _flush(con: duckdb.DuckDBPyConnection, batch: _Batch, targets: dict[str, str]) -> _Batch:
    for name, data in batch.tables().items():
        _insert(con, targets[name], data)
    return _Batch()


def _items(paths: Iterable[Path]) -> Iterator[Payload | Bad]:
    for path in paths:
        yield from iter_file(Path(path))


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> int:
    """fetchall, not fetchone: DuckDB 2 keeps a half-read result open and then refuses con.sql()."""
    rows = con.execute(sql, params or []).fetchall()
    return int(rows[0][0]) if rows else 0


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    sql = "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?"
    return _count(con, sql, [schema, name]) > 0


def _reasons(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, int]:
    """Rejects by kind of reason (the text before ': '), for a short summary."""
    rows = con.execute(
        f"SELECT split_part(reason, ': ', 1), count(*) FROM {quote_ident(table)} GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall()
    return {reason: int(n) for reason, n in rows}


def load_rne(con: duckdb.DuckDBPyConnection, paths: list[Path], *, today: date | None = None) -> LoadReport:
    """Rebuild `inpi.officers` / `inpi.companies` from RNE files (stock zip, JSON, NDJSON).

    Raises InputError (a ValueError), publishing nothing, when no usable payload was found at
    all: an empty result is a broken download, not an RNE without companies.
    """
    started, today = time.monotonic(), today or date.today()
    db.drop_staging(con, OFFICERS, COMPANIES, "inpi.rejects")
    for work in WORK.values():
        con.execute(f"DROP TABLE IF EXISTS {quote_ident(work)}")
    for kind, work in WORK.items():
        create_table(con, kind, work, temp=True)
        con.execute(f"ALTER TABLE {quote_ident(work)} ADD COLUMN payload_seq BIGINT")
    con.execute(f"CREATE TABLE {REJECTS_STAGING} AS SELECT * EXCLUDE (loaded_at) FROM {REJECTS} LIMIT 0")
    targets = {**WORK, "rejects": REJECTS_STAGING}
    try:
        batch = _Batch()
        for seq, item in enumerate(_items(paths)):
            batch.add(item, seq, today)
            if len(batch) >= FLUSH_ROWS:
                batch = _flush(con, batch, targets)
        _flush(con, batch, targets)
        payloads = _count(con, f"SELECT count(*) FROM {WORK['companies']}")
        if payloads == 0:
            reasons = "; ".join(f"{n} x {r}" for r, n in _reasons(con, REJECTS_STAGING).items()) or "no payload at all"
            raise InputError(
                f"no usable RNE payload in {', '.join(str(p) for p in paths)} ({reasons}); nothing published"
            )
        con.execute(render_identifiers(load_sql("inpi/rne_latest_payloads"), work=WORK["companies"]))
        create_table(con, "companies", db.staging_name(COMPANIES))
        create_table(con, "officers", db.staging_name(OFFICERS))
        cols = ", ".join(COMPANY_COLUMNS)
        con.execute(f"INSERT INTO inpi.companies__staging SELECT {cols} FROM {WORK['companies']} WHERE is_latest")
        cols = ", ".join(f"o.{c}" for c in OFFICER_COLUMNS)
        con.execute(
            f"INSERT INTO inpi.officers__staging SELECT {cols} FROM {WORK['officers']} o"
            f" JOIN {WORK['companies']} c USING (siren, payload_seq) WHERE c.is_latest"
        )
        report = LoadReport(sources=[str(p) for p in paths])
        report.rejects_by_reason = _reasons(con, REJECTS_STAGING)
        report.rejected = {OFFICERS: _count(con, f"SELECT count(*) FROM {REJECTS_STAGING}")}
        report.superseded = payloads - _count(con, "SELECT count(*) FROM inpi.companies__staging")
        db.publish(con, [OFFICERS, COMPANIES], rejects={REJECTS: [OFFICERS]}, rejects_staging=REJECTS_STAGING)
    finally:
        for work in (*WORK.values(), REJECTS_STAGING):
            con.execute(f"DROP TABLE IF EXISTS {quote_ident(work)}")
        db.drop_staging(con, OFFICERS, COMPANIES)
    report.loaded = {t: _count(con, f"SELECT count(*) FROM {t}") for t in (OFFICERS, COMPANIES)}
    report.seconds = round(time.monotonic() - started, 3)
    return report


def _latest_per_siren(batch: _Batch) -> tuple[list[dict], list[dict]]:
    """Keep, per SIREN, the payload with the latest updatedAt (the later one on a tie)."""
    best: dict[str, dict] = {}
    for company in batch.companies:
        current = best.get(company["siren"])
        if current is None or _newer_or_same(company["updated_at"], current["updated_at"]):
            best[company["siren"]] = company
    keep = {(c["siren"], c["payload_seq"]) for c in best.values()}
    officers = [o for o in batch.officers if (o["siren"], o["payload_seq"]) in keep]
    return list(best.values()), officers


def _newer_or_same(candidate: Any, current: Any) -> bool:
    return candidate is None or current is None or candidate >= current


def apply_rne_updates(
    con: duckdb.DuckDBPyConnection,
    companies: Iterable[dict],
    *,
    source: str = "rne-diff",
    today: date | None = None,
    also: Sequence[str | tuple[str, Any]] = (),
) -> LoadReport:
    """Replace, atomically, the officers of every SIREN in `companies` (diff items or payloads).

    An update older than the payload already loaded for its SIREN is skipped and counted in
    `superseded`: diff pages can replay old states. `also`: statements committed with the update
    or not at all (the poll's cursor, sources/inpi/poll.py).
    """
    started, today = time.monotonic(), today or date.today()
    for kind, table in (("officers", OFFICERS), ("companies", COMPANIES)):
        if not _exists(con, table):
            create_table(con, kind, table)
    # a warehouse loaded before officers carried every role code: give it the column (a full
    # load_rne rebuilds the table from the DDL anyway)
    con.execute(f"ALTER TABLE {OFFICERS} ADD COLUMN IF NOT EXISTS role_codes VARCHAR[]")
    for column in LEGAL_PERSON_COLUMNS:  # ... or the legal-person officers' country and representative
        con.execute(f"ALTER TABLE {OFFICERS} ADD COLUMN IF NOT EXISTS {column} VARCHAR")
    batch, seq = _Batch(), 0
    for item in companies:
        for payload in iter_payloads(item):
            batch.add(Payload(source, None, payload), seq, today)
            seq += 1
    latest, officers = _latest_per_siren(batch)
    tables = {
        "companies": pa.Table.from_pylist(latest, COMPANY_SCHEMA.append(_SEQ)),
        "officers": pa.Table.from_pylist(officers, OFFICER_SCHEMA.append(_SEQ)),
        "rejects": pa.Table.from_pylist(batch.rejects, REJECT_SCHEMA),
    }
    for name, data in tables.items():
        con.register(f"__rne_{name}", data)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(load_sql("inpi/rne_apply_updates"))
        applied = _count(con, "SELECT count(*) FROM __rne_applied")
        officers_in = _count(con, "SELECT count(*) FROM __rne_officers JOIN __rne_applied USING (siren, payload_seq)")
        con.execute("DROP TABLE __rne_applied")
        for statement in also:
            con.execute(*statement) if isinstance(statement, tuple) else con.execute(statement)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in tables:
            con.unregister(f"__rne_{name}")
    return LoadReport(
        loaded={OFFICERS: officers_in, COMPANIES: applied},
        rejected={OFFICERS: len(batch.rejects)},
        rejects_by_reason=_reason_counts(r["reason"] for r in batch.rejects),
        superseded=len(batch.companies) - applied,
        sources=[source],
        seconds=round(time.monotonic() - started, 3),
    )


def _reason_counts(reasons: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for reason in reasons:
        key = reason.split(": ", 1)[0]
        counts[key] = counts.get(key, 0) + 1
    return counts
