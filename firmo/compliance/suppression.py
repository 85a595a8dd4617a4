"""Suppression list and existing-customers list: who must never be enriched or exported.

Doc §5: the right to object (GDPR art. 21) is absolute, so opted-out people, erased people,
bounces and vendor legal signals (Hunter/Lusha 451, Dropcontact Do_Not_Contact) go into
`exports.suppression`, which no purge or nightly reload touches. It is consulted *before
enrichment* (don't pay to re-find opted-out people) and *before export*. Existing customers
(`exports.customers`) are not cold prospects either.

`SuppressionIndex` loads both lists once into memory; it is the predicate the waterfall and the
export take (`index(lead) -> bool`, `index.reason(lead) -> str | None`).
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from firmo.compliance.normalise import KINDS, InvalidIdentifier, list_value, normalise_email
from firmo.compliance.tables import CUSTOMERS, REJECTS, SUPPRESSION, ensure_tables
from firmo.db import registered, transaction, utc_now
from firmo.errors import InputError, reading
from firmo.sqlfiles import load_sql

CUSTOMER_KINDS = ("siren", "domain")


@dataclass(frozen=True)
class ListEntry:
    kind: str
    value: str  # already normalised (and hashed for email/phone): see normalise.list_value
    reason: str
    source: str | None = None


def entry(kind: str, value: str, reason: str, source: str | None = None) -> ListEntry:
    """Normalise (and hash when personal) a raw value; raises InvalidIdentifier."""
    return ListEntry(kind, list_value(kind, value), reason, source)


def insert_suppressions(con: duckdb.DuckDBPyConnection, entries: Iterable[ListEntry], now: datetime) -> int:
    """Insert without opening a transaction (callers such as `forget` own it). Returns new rows."""
    rows = [
        {"kind": e.kind, "value": e.value, "reason": e.reason, "source": e.source, "added_at": now} for e in entries
    ]
    if not rows:
        return 0
    before = _count(con, SUPPRESSION)
    frame = pl.DataFrame(
        rows,
        schema={
            "kind": pl.String,
            "value": pl.String,
            "reason": pl.String,
            "source": pl.String,
            "added_at": pl.Datetime("us"),
        },
    )
    with registered(con, "__crm_suppression_rows", frame.unique(["kind", "value"], keep="first")):
        con.execute(load_sql("compliance/suppression_upsert"))
    return _count(con, SUPPRESSION) - before


def suppress(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    value: str,
    *,
    reason: str,
    source: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Add one entry (e.g. an unsubscribe). True when it was not on the list yet."""
    ensure_tables(con)
    with transaction(con):
        return insert_suppressions(con, [entry(kind, value, reason, source)], utc_now(now)) == 1


def add_customers(
    con: duckdb.DuckDBPyConnection,
    customers: Iterable[tuple[str, str, str | None]],
    *,
    source: str | None = None,
    now: datetime | None = None,
) -> int:
    """Add or refresh (kind, value, name) customers, kind in siren/domain. Returns rows written."""
    ensure_tables(con)
    with transaction(con):
        return _insert_customers(con, customers, source, utc_now(now))


def _insert_customers(
    con: duckdb.DuckDBPyConnection,
    customers: Iterable[tuple[str, str, str | None]],
    source: str | None,
    now: datetime,
) -> int:
    rows = [
        {"kind": k, "value": list_value(k, v), "name": n, "source": source, "added_at": now}
        for k, v, n in customers
        if _customer_kind(k)
    ]
    if not rows:
        return 0
    frame = pl.DataFrame(
        rows,
        schema={
            "kind": pl.String,
            "value": pl.String,
            "name": pl.String,
            "source": pl.String,
            "added_at": pl.Datetime("us"),
        },
    )
    frame = frame.unique(["kind", "value"], keep="last", maintain_order=True)
    with registered(con, "__crm_customer_rows", frame):
        con.execute(load_sql("compliance/customers_upsert"))
    return frame.height


def _customer_kind(kind: str) -> bool:
    if kind not in CUSTOMER_KINDS:
        raise InvalidIdentifier(f"customer kind must be siren or domain, not {kind!r}")
    return True


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])  # table: module constant


# --------------------------------------------------------------------------- CSV imports


@dataclass(frozen=True)
class ImportResult:
    added: int  # rows new to the list
    read: int  # values read from the file
    rejected: int  # lines quarantined in exports.rejects


def _read_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(physical line number, row by lower-case header) of a comma or semicolon CSV; a missing,
    empty or binary file is an InputError naming it (the transaction around the import rolls back)."""
    with reading(path), path.open(encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        fh.seek(0)
        reader = csv.DictReader(fh, delimiter=delimiter)
        if not reader.fieldnames:
            raise InputError(f"{path}: empty file, no header")
        reader.fieldnames = [h.strip().lower() for h in reader.fieldnames]
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


def _values(row: Mapping[str, str], kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    """(kind, raw value) pairs of a row: `kind,value` columns, or one column per kind."""
    if "kind" in row and "value" in row:
        return [(row["kind"].lower(), row["value"])]
    return [(k, row[k]) for k in kinds if row.get(k)]


def _import(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    target: str,
    kinds: tuple[str, ...],
    now: datetime,
    build: Any,
) -> tuple[list[Any], int, int]:
    """Parse a list file; good values go through `build(kind, value, row)`, bad lines to rejects."""
    good, rejects, read = [], [], 0
    for line, row in _read_csv(path):
        pairs = _values(row, kinds)
        if not pairs:
            rejects.append((line, f"no value in any of the columns kind/value or {'/'.join(kinds)}", row))
        for kind, value in pairs:
            read += 1
            try:
                if kind not in kinds:
                    raise InvalidIdentifier(f"kind must be one of {', '.join(kinds)}, not {kind!r}")
                good.append(build(kind, value, row))
            except InvalidIdentifier as exc:
                rejects.append((line, str(exc), row))
    if rejects:
        con.executemany(
            f"INSERT INTO {REJECTS} (target_table, source_file, line_number, reason, raw, loaded_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [[target, str(path), line, reason, str(dict(row))[:2000], now] for line, reason, row in rejects],
        )
    return good, read, len(rejects)


def import_suppression_csv(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    reason: str = "imported opt-out list",
    now: datetime | None = None,
) -> ImportResult:
    """Load an opt-out/bounce list: columns `kind,value[,reason]` or one column per kind
    (`email`, `phone`, `domain`, `siren`). Unusable lines go to exports.rejects with the reason."""
    ensure_tables(con)
    path, now = Path(path), utc_now(now)
    with transaction(con):
        entries, read, rejected = _import(
            con,
            path,
            SUPPRESSION,
            KINDS,
            now,
            lambda k, v, row: entry(k, v, row.get("reason") or reason, row.get("source") or path.name),
        )
        added = insert_suppressions(con, entries, now)
    return ImportResult(added, read, rejected)


def import_customers_csv(
    con: duckdb.DuckDBPyConnection, path: str | Path, *, now: datetime | None = None
) -> ImportResult:
    """Load the existing-customers list: columns `siren` and/or `domain` (optional `name`)."""
    ensure_tables(con)
    path, now = Path(path), utc_now(now)
    with transaction(con):
        before = _count(con, CUSTOMERS)
        rows, read, rejected = _import(
            con, path, CUSTOMERS, CUSTOMER_KINDS, now, lambda k, v, row: (k, list_value(k, v), row.get("name") or None)
        )
        _insert_customers(con, rows, path.name, now)
        added = _count(con, CUSTOMERS) - before
    return ImportResult(added, read, rejected)


# --------------------------------------------------------------------------- lookups


class SuppressionIndex:
    """In-memory snapshot of the suppression and customer lists.

    A lead (any mapping) is blocked when its email, phone, email domain, website domain or SIREN
    is on the suppression list, or its SIREN/domain is a customer. Keys read: `email`, `phone`,
    `siren` (or `siret`), `website_domain` (or `domain`).
    """

    def __init__(self, suppressed: Mapping[tuple[str, str], str], customers: set[tuple[str, str]]):
        self._suppressed = dict(suppressed)
        self._customers = set(customers)

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> SuppressionIndex:
        ensure_tables(con)
        suppressed = {(k, v): r for k, v, r in con.execute(f"SELECT kind, value, reason FROM {SUPPRESSION}").fetchall()}
        customers = set(con.execute(f"SELECT kind, value FROM {CUSTOMERS}").fetchall())
        return cls(suppressed, customers)

    def reason(self, lead: Mapping[str, Any]) -> str | None:
        """'suppressed: <reason>' / 'customer', or None when the lead may be used."""
        suppressed = self.suppression(lead)
        if suppressed:
            return suppressed
        if any(key in self._customers for key in _keys(lead)):
            return "customer"
        return None

    def suppression(self, lead: Mapping[str, Any]) -> str | None:
        """'suppressed: <reason>', or None: the suppression list alone (an opposition, which binds
        whoever asks for the account), without the customer list (a business choice the
        watchlist may override)."""
        for key in _keys(lead):
            if key in self._suppressed:
                return f"suppressed: {self._suppressed[key]}"
        return None

    def __call__(self, lead: Mapping[str, Any]) -> bool:
        return self.reason(lead) is not None


def _keys(lead: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every (kind, list value) a lead can be matched on; malformed values are just skipped."""
    raw: list[tuple[str, Any]] = [
        ("email", lead.get("email")),
        ("phone", lead.get("phone")),
        ("siren", lead.get("siren") or lead.get("siret")),
        ("domain", lead.get("website_domain") or lead.get("domain")),
    ]
    if lead.get("email"):
        with contextlib.suppress(InvalidIdentifier):
            raw.append(("domain", normalise_email(str(lead["email"])).rpartition("@")[2]))
    keys = []
    for kind, value in raw:
        if value:
            try:
                keys.append((kind, list_value(kind, str(value))))
            except InvalidIdentifier:
                continue
    return keys


def is_suppressed(con: duckdb.DuckDBPyConnection, **lead: Any) -> bool:
    """One-off check, e.g. `is_suppressed(con, email="a@b.fr", siren="123456789")`.
    For many checks build a `SuppressionIndex` once instead."""
    return SuppressionIndex.load(con)(lead)
