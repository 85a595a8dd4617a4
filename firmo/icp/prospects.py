"""`core.prospects`: the pre-joined table every ICP preview and build scans.

Joining 16M companies with officers, accounts and signals for each preview would take tens of
seconds; done once per pipeline run (after core.signals), a preview is a single scan. The
table is rebuilt from scratch and swapped in with its small companions in one transaction:
`core.prospects_naf` (NAF codes present, so NAF patterns resolve without scanning the big
table) and `core.prospects_role_sets` (distinct sets of officer roles, so each ICP ranks the
authority of a few thousand sets instead of millions of companies). Missing inputs (INPI or BODACC not loaded yet) count as empty, so the demo and a
SIRENE-only warehouse still get leads, just without contacts, revenue or signals.
"""

from __future__ import annotations

import logging

import duckdb

from firmo import db
from firmo.sqlfiles import load_sql, render_identifiers

log = logging.getLogger(__name__)

TABLE = "core.prospects"
NAF_TABLE = "core.prospects_naf"
ROLE_SETS_TABLE = "core.prospects_role_sets"

# input -> columns of an empty stand-in when the input is not loaded
_INPUTS = {
    "signals": ("core.signals", "siren VARCHAR, signal_type VARCHAR, signal_date DATE, strength DOUBLE, "
                                "polarity VARCHAR, label VARCHAR"),
    "officers": ("inpi.officers", "siren VARCHAR, officer_kind VARCHAR, family_name VARCHAR, given_names VARCHAR, "
                                  "company_officer_name VARCHAR, role_code VARCHAR, role_label VARCHAR, "
                                  "start_date DATE, active BOOLEAN"),
    "financials": ("core.latest_financials", "siren VARCHAR, revenue BIGINT, fiscal_year_end DATE"),
}


def _input(con: duckdb.DuckDBPyConnection, key: str) -> str:
    table, columns = _INPUTS[key]
    if db.table_exists(con, table):
        return table
    log.warning("core.prospects: %s is not loaded; treated as empty", table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE empty_{key} ({columns})")
    return f"empty_{key}"


def build_prospects(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild core.prospects and core.prospects_naf from core.companies and the latest signals,
    officers and accounts; return the number of prospects."""
    if not db.table_exists(con, "core.companies"):
        raise RuntimeError("core.prospects needs core.companies: load SIRENE first")
    db.drop_staging(con, TABLE, NAF_TABLE, ROLE_SETS_TABLE)
    sql = render_identifiers(
        load_sql("icp/prospects"),
        target=db.staging_name(TABLE), companies="core.companies",
        **{key: _input(con, key) for key in _INPUTS},
    )
    con.execute(sql)
    con.execute(
        f"CREATE TABLE {db.staging_name(NAF_TABLE)} AS SELECT naf_key, any_value(naf_code) AS naf_code, "
        f"any_value(naf_section) AS naf_section, count(*) AS companies FROM {db.staging_name(TABLE)} GROUP BY naf_key"
    )
    con.execute(
        f"CREATE TABLE {db.staging_name(ROLE_SETS_TABLE)} AS SELECT role_set, any_value(officer_role_codes) AS role_codes, "
        f"count(*) AS companies FROM {db.staging_name(TABLE)} WHERE role_set IS NOT NULL GROUP BY role_set"
    )
    db.publish(con, [TABLE, NAF_TABLE, ROLE_SETS_TABLE])
    n = db.row_count(con, TABLE)
    log.info("core.prospects: %s companies", f"{n:,}")
    return n
