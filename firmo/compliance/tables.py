"""The compliance tables (schema `exports`) and the names of the other tables holding personal data.

`exports.suppression` and `exports.customers` are consulted by enrichment and export alike, so
they belong to neither: they are created here, lazily (`ensure_tables`), so any warehouse opened
with `firmo.db.connect()` can be screened without a migration step. `exports.rejects` takes the
lines of a list file that could not be read (and the export's refusals).

The export ledger (`exports.ledger`) is the CRM layer's table (`firmo.crm.tables` creates it),
but it holds emails: erasure and retention must reach it, so its name is defined here, once.
"""

from __future__ import annotations

import duckdb

from firmo.db import REJECTS_DDL
from firmo.sqlfiles import load_sql, quote_ident

SUPPRESSION = "exports.suppression"
CUSTOMERS = "exports.customers"
REJECTS = "exports.rejects"
LEDGER = "exports.ledger"
# what a CRM holds, read back by firmo.crm.readback: contacts by email, accounts by SIREN
CRM_READBACK = ("exports.crm_contacts", "exports.crm_accounts")


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the suppression, customers and rejects tables if missing (cheap, idempotent)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS exports")
    con.execute(load_sql("compliance/create_tables"))
    con.execute(REJECTS_DDL.format(table=quote_ident(REJECTS)))
