"""The tables this package owns: the export ledger (what was exported, to which CRM, when) and
the read-back tables (what the CRMs hold: exports.crm_accounts, crm_contacts, crm_deals, crm_cursors).

Created lazily (`ensure_tables`), together with the compliance tables every export reads, so the
export layer works on any warehouse opened with `firmo.db.connect()` without a migration step.
"""

from __future__ import annotations

import duckdb

from firmo.compliance import tables as compliance_tables
from firmo.sqlfiles import load_sql


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the compliance tables and the ledger if missing (cheap, idempotent)."""
    compliance_tables.ensure_tables(con)
    con.execute(load_sql("crm/create_tables"))
    con.execute(load_sql("crm/create_readback_tables"))  # what the CRMs hold (firmo/crm/readback.py)
