"""`exports.ledger`: what was sent to each CRM, so the next run sends only what changed.

The content hash is taken over the CRM row as built by its layout (before CSV neutralisation),
so a change in a field the CRM never sees (e.g. `lead_updated_at`) does not re-export a lead,
while a change in the layout itself does.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import duckdb
import polars as pl
from polars.datatypes import DataTypeClass

from firmo.compliance.normalise import InvalidIdentifier, normalise_email
from firmo.db import registered
from firmo.sqlfiles import load_sql

LEDGER_SCHEMA: dict[str, pl.DataType | DataTypeClass] = {
    "crm": pl.String,
    "icp": pl.String,
    "lead_key": pl.String,
    "siren": pl.String,
    "email": pl.String,
    "content_hash": pl.String,
    "exported_at": pl.Datetime("us"),
    "file": pl.String,
}


def contact_email(lead: Mapping[str, Any]) -> str | None:
    """Normalised email, or None when absent or malformed."""
    if not lead.get("email"):
        return None
    try:
        return normalise_email(str(lead["email"]))
    except InvalidIdentifier:
        return None


def lead_key(lead: Mapping[str, Any]) -> str:
    """`<siren>|<email>`, or `<siren>|name:<first last>` for a contact without email."""
    email = contact_email(lead)
    if email:
        return f"{lead['siren']}|{email}"
    name = " ".join(str(p) for p in (lead.get("first_name"), lead.get("last_name")) if p)
    name = re.sub(r"\s+", " ", name).strip().lower()
    return f"{lead['siren']}|name:{name}"


def content_hash(row: Mapping[str, Any]) -> str:
    """sha256 of the row's (column, value) pairs in layout order. `repr` is unambiguous for the
    value types a layout produces (str, int, date, None) and much cheaper than JSON."""
    return hashlib.sha256(repr(tuple(row.items())).encode("utf-8")).hexdigest()


def last_hashes(con: duckdb.DuckDBPyConnection, crm: str, icp: str) -> dict[str, str]:
    rows = con.execute(load_sql("crm/ledger_hashes"), {"crm": crm, "icp": icp}).fetchall()
    return dict(rows)


def ledger_row(
    crm: str, icp: str, lead: Mapping[str, Any], digest: str, exported_at: datetime, file: str
) -> dict[str, Any]:
    return {
        "crm": crm,
        "icp": icp,
        "lead_key": lead_key(lead),
        "siren": lead["siren"],
        "email": contact_email(lead),
        "content_hash": digest,
        "exported_at": exported_at,
        "file": file,
    }


def record(con: duckdb.DuckDBPyConnection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Upsert ledger rows. Does not open a transaction: the caller commits files and ledger together."""
    if not rows:
        return
    frame = pl.DataFrame(list(rows), schema=LEDGER_SCHEMA)
    with registered(con, "__crm_ledger_rows", frame):
        con.execute(load_sql("crm/ledger_record"))
