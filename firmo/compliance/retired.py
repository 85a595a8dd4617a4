"""Contact data retired by a job change: a person seen at another employer is no longer a lawful
B2B target at the old company's address (doc §7.1), so the export's last gate refuses that
(company, person) and that address for good. Written by the re-check (waterfall.recheck), read by
`firmo.crm.export.registry_refusals`; both sit on this floor's compliance package, which the
waterfall and the export share."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from firmo.compliance.normalise import sha256_hex
from firmo.db import table_exists
from firmo.sqlfiles import load_sql

TABLE = "exports.retired_contacts"
PREFIX = "job change:"  # every refusal reason starts with it (the export counts them apart)


def _fold(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def person_hash(first: str | None, last: str | None, email: str | None = None) -> str | None:
    """sha256 of 'first|last' folded, or of the address when the name is unknown; None: neither."""
    if _fold(first) and _fold(last):
        return sha256_hex(f"{_fold(first)}|{_fold(last)}")
    return email_hash(email)


def email_hash(email: str | None) -> str | None:
    return sha256_hex(email.strip().lower()) if email and email.strip() else None


@dataclass(frozen=True)
class Retirement:
    siren: str
    first_name: str | None
    last_name: str | None
    email: str | None
    reason: str  # starts with PREFIX


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS exports")
    con.execute(load_sql("compliance/create_retired"))


def retire(con: duckdb.DuckDBPyConnection, rows: Iterable[Retirement], now: datetime) -> int:
    """Record the retirements (a second one of the same person and company keeps the first)."""
    ensure_table(con)
    values = [
        (r.siren, key, email_hash(r.email), r.reason, now)
        for r in rows
        if (key := person_hash(r.first_name, r.last_name, r.email)) is not None
    ]
    if values:
        con.executemany(f"INSERT OR IGNORE INTO {TABLE} VALUES (?, ?, ?, ?, ?)", values)
    return len(values)


def refusals(con: duckdb.DuckDBPyConnection, leads: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    """(siren, email) -> reason for each lead whose person or address was retired at that SIREN."""
    if not table_exists(con, TABLE):  # read only: no re-check ever retired anyone
        return {}
    by_siren: dict[str, list[tuple[str | None, str | None, str]]] = {}
    for siren, person, mail, reason in con.execute(
        f"SELECT siren, person_hash, email_hash, reason FROM {TABLE}"
    ).fetchall():
        by_siren.setdefault(siren, []).append((person, mail, reason))
    out: dict[tuple[str, str], str] = {}
    for lead in leads:
        siren, email = str(lead.get("siren") or ""), str(lead.get("email") or "").strip().lower()
        if siren not in by_siren or not email:
            continue
        person, mail = person_hash(lead.get("first_name"), lead.get("last_name"), email), email_hash(email)
        for p, m, reason in by_siren[siren]:
            if p == person or (m is not None and m == mail):
                out[(siren, email)] = reason
                break
    return out
