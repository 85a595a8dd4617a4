"""`alerts.watchlist`: the accounts a team asked to hear about, whatever their score: any signal
on one alerts through the `watched: true` rules, below every score and tier threshold. The legal
screening still applies (firmo/alerts/rules.py LEGAL_REASONS): a watched SIRENE `P` unit, one
opposed at the RNE or on the suppression list is refused exactly as an unwatched one, since being
asked for by name does not lift what the law forbids; only the business refusals (closed,
customer, disqualified in a CRM) are lifted. Added by hand (`firmo watch add SIREN...`, source 'manual'), from a CSV with
a `siren` column (source 'file:<name>'), or as every account a CRM read-back matched to a SIREN
(`--from-crm hubspot`, source 'crm:hubspot', from exports.crm_accounts).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import duckdb

from firmo import db
from firmo.alerts.tables import ensure_tables
from firmo.compliance.normalise import InvalidIdentifier, normalise_siren
from firmo.db import utc_now
from firmo.errors import InputError


def _sirens(values: Iterable[str], where: str) -> list[str]:
    out = []
    for n, value in enumerate(values, start=1):
        try:
            out.append(normalise_siren(str(value)))
        except InvalidIdentifier:
            raise InputError(f"{where} {n}: {value!r} is not a SIREN (9 digits)") from None
    return out


def read_csv_sirens(path: Path) -> list[str]:
    """The `siren` column of a CSV (a SIRET's first 9 digits count too, column `siret`)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            fields = {f.strip().lower(): f for f in reader.fieldnames or []}
            column = fields.get("siren") or fields.get("siret")
            if column is None:
                raise InputError(f"{path}: no siren (or siret) column")
            raw = [(row.get(column) or "").strip() for row in reader]
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    return _sirens([v[:9] if len(v) == 14 else v for v in raw if v], f"{path}: row")


def add(con: duckdb.DuckDBPyConnection, sirens: Iterable[str], *, source: str, now: datetime | None = None) -> int:
    """Watch `sirens` (already watched ones keep their first source); returns how many are new."""
    ensure_tables(con)
    wanted = sorted(set(_sirens(sirens, "SIREN")))
    before = db.row_count(con, "alerts.watchlist")
    con.executemany(
        "INSERT INTO alerts.watchlist VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [[s, source, utc_now(now)] for s in wanted],
    )
    return db.row_count(con, "alerts.watchlist") - before


def crm_sirens(con: duckdb.DuckDBPyConnection, crm: str) -> list[str]:
    """The SIRENs of the accounts read back from `crm` (exports.crm_accounts, matched ones)."""
    if not db.table_exists(con, "exports.crm_accounts"):
        raise InputError(f"no CRM accounts read back yet: run `firmo crm pull {crm}` first")
    rows = con.execute(
        "SELECT DISTINCT siren FROM exports.crm_accounts WHERE crm = ? AND siren IS NOT NULL ORDER BY siren", [crm]
    ).fetchall()
    return [s for (s,) in rows]


def remove(con: duckdb.DuckDBPyConnection, sirens: Iterable[str]) -> int:
    ensure_tables(con)
    wanted = sorted(set(_sirens(sirens, "SIREN")))
    before = db.row_count(con, "alerts.watchlist")
    con.execute("DELETE FROM alerts.watchlist WHERE list_contains(?, siren)", [wanted])
    return before - db.row_count(con, "alerts.watchlist")


def entries(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, datetime]]:
    ensure_tables(con)
    return con.execute("SELECT siren, source, added_at FROM alerts.watchlist ORDER BY siren").fetchall()
