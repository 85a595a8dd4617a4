"""`core.prospects`: the pre-joined table every ICP preview and build scans.

Joining 16M companies with officers, accounts and signals for each preview would take tens of
seconds; done once per pipeline run (after core.signals), a preview is a single scan. The
table is rebuilt from scratch and swapped in with its small companions in one transaction:
`core.prospects_naf` (the pairs of NAF rév. 2 / NAF 2025 codes present, so NAF patterns
resolve without scanning the big table) and `core.prospects_role_sets` (distinct sets of
officer roles, so each ICP ranks the authority of a few thousand sets instead of millions of
companies). Missing inputs (INPI or BODACC not loaded yet) count as empty, so the demo and a
SIRENE-only warehouse still get leads, just without contacts, revenue or signals.
"""

from __future__ import annotations

import logging

import duckdb

from firmo import db
from firmo.lookthrough import build_officer_resolution
from firmo.sqlfiles import load_sql, render_identifiers

log = logging.getLogger(__name__)

TABLE = "core.prospects"
NAF_TABLE = "core.prospects_naf"
ROLE_SETS_TABLE = "core.prospects_role_sets"
# The prospects a labels, public_contracts or hiring criterion can select, in a table of their own
# (about a tenth of the rows): those criteria qualify a few thousand SIRENs spread over every row
# group of core.prospects, which is sorted by NAF, so their semi-join cannot prune and the preview
# scanned all 9.6M rows (3-6 s at 16M companies). OPEN_DATA_SIRENS holds every SIREN of those
# tables at build time (prospect or not), OPEN_DATA_FINGERPRINTS a fingerprint of each table's
# SIRENs (count and sum of hashes): a preview uses OPEN_DATA_TABLE only when the criterion's table
# still has the fingerprint it had at the build (firmo.icp.score), so a table loaded after the
# build falls back to the full scan and the leads never differ. The fingerprint costs ~0.05 CPU s
# on 1.5M contracts, where checking each SIREN against OPEN_DATA_SIRENS cost ~0.4 s.
OPEN_DATA_TABLE = "core.prospects_open_data"
OPEN_DATA_SIRENS = "core.prospects_open_data_sirens"
OPEN_DATA_FINGERPRINTS = "core.prospects_open_data_fingerprints"
# criterion -> the table its SIRENs come from
OPEN_DATA_SOURCES = {"labels": "core.labels", "public_contracts": "core.public_contracts", "hiring": "core.job_offers"}

# input -> columns of an empty stand-in when the input is not loaded
_INPUTS = {
    "signals": (
        "core.signals",
        "siren VARCHAR, signal_type VARCHAR, signal_date DATE, strength DOUBLE, "
        "polarity VARCHAR, label VARCHAR, source VARCHAR",
    ),
    "officers": (
        "inpi.officers",
        "siren VARCHAR, officer_kind VARCHAR, family_name VARCHAR, given_names VARCHAR, "
        "company_officer_siren VARCHAR, company_officer_name VARCHAR, role_code VARCHAR, role_codes VARCHAR[], "
        "role_label VARCHAR, start_date DATE, active BOOLEAN, representant_id VARCHAR",
    ),
    "financials": ("core.latest_financials", "siren VARCHAR, revenue BIGINT, fiscal_year_end DATE"),
    # the RNE opposition flag (firmo/compliance/prospecting.py): read here, so whichever registry loads last
    # the rebuilt table honours both
    "rne": ("inpi.companies", "siren VARCHAR, diffusion_commerciale BOOLEAN"),
}


def _input(con: duckdb.DuckDBPyConnection, key: str) -> str:
    table, columns = _INPUTS[key]
    if db.table_exists(con, table):
        return table
    log.warning("core.prospects: %s is not loaded; treated as empty", table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE empty_{key} ({columns})")
    return f"empty_{key}"


# rows one aggregation or sort step holds. 2M fitted the 4 GB default limit until the prospects row
# grew (idcc_codes, the officers' holders, the open-data signals): the 16M-company benchmark then
# ran out of memory in the NAF-range step at 4 GB, so each step now holds half as many rows.
ROWS_PER_STEP = 1_000_000
# An officer change reaches BODACC days to weeks after the RNE filing: within this many days, the
# same kind of signal from another registry is the same event told again (firmo/sql/icp/prospects_signals.sql).
SAME_EVENT_DAYS = 45


def _steps(rows: int) -> int:
    return max(1, -(-rows // ROWS_PER_STEP))


def _bucketed(
    con: duckdb.DuckDBPyConnection, sql_name: str, key: str, inputs: dict[str, str], params: dict | None = None
) -> str:
    """Aggregate `key` per SIREN into a TEMP table, one hash bucket of SIRENs at a time."""
    target = f"prospects_{key[:3]}"
    source = inputs[key]
    buckets = _steps(con.execute(f"SELECT count(*) FROM {source}").fetchall()[0][0])
    select = render_identifiers(load_sql(f"icp/{sql_name}"), **{key: source})
    for bucket in range(buckets):
        verb = f"CREATE OR REPLACE TEMP TABLE {target} AS" if bucket == 0 else f"INSERT INTO {target}"
        con.execute(f"{verb} {select}", {"bucket": bucket, "buckets": buckets, **(params or {})})
    return target


def _naf_ranges(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Consecutive NAF-key ranges of at most ROWS_PER_STEP prospects (one NAF code may exceed it)."""
    counts = con.execute(
        "SELECT coalesce(naf_code, naf2025_code, '') AS k, count(*) FROM core.companies WHERE active AND diffusible "
        "GROUP BY 1 ORDER BY 1"
    ).fetchall()
    ranges: list[tuple[str, str]] = []
    first: str | None = None
    previous, size = "", 0
    for naf_key, n in counts:
        if first is not None and size + n > ROWS_PER_STEP:
            ranges.append((first, previous))
            first, size = None, 0
        if first is None:
            first = naf_key
        size += n
        previous = naf_key
    if first is not None:
        ranges.append((first, previous))
    return ranges or [("", "")]


def build_prospects(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild core.prospects and core.prospects_naf from core.companies and the latest signals,
    officers and accounts; return the number of prospects."""
    if not db.table_exists(con, "core.companies"):
        raise RuntimeError("core.prospects needs core.companies: load SIRENE first")
    db.drop_staging(con, TABLE, NAF_TABLE, ROLE_SETS_TABLE, OPEN_DATA_TABLE, OPEN_DATA_SIRENS, OPEN_DATA_FINGERPRINTS)
    inputs = {key: _input(con, key) for key in _INPUTS}
    try:
        # the company officers looked through, read by the officers step (firmo/lookthrough.py)
        build_officer_resolution(con, inputs["officers"])
        off = _bucketed(con, "prospects_officers", "officers", inputs)
        sig = _bucketed(con, "prospects_signals", "signals", inputs, {"same_event_days": SAME_EVENT_DAYS})
        select = render_identifiers(
            load_sql("icp/prospects"),
            companies="core.companies",
            off=off,
            sig=sig,
            financials=inputs["financials"],
            rne=inputs["rne"],
        )
        for i, (first, last) in enumerate(_naf_ranges(con)):
            verb = f"CREATE TABLE {db.staging_name(TABLE)} AS" if i == 0 else f"INSERT INTO {db.staging_name(TABLE)}"
            con.execute(f"{verb} {select}", {"first_naf": first, "last_naf": last})
    finally:
        con.execute("DROP TABLE IF EXISTS prospects_off")
        con.execute("DROP TABLE IF EXISTS prospects_sig")
    con.execute(
        f"CREATE TABLE {db.staging_name(NAF_TABLE)} AS SELECT naf_key, naf2025_key, any_value(naf_code) AS naf_code, "
        f"any_value(naf_section) AS naf_section, any_value(naf2025_code) AS naf2025_code, "
        f"any_value(naf2025_section) AS naf2025_section, count(*) AS companies "
        f"FROM {db.staging_name(TABLE)} GROUP BY naf_key, naf2025_key"
    )
    con.execute(
        f"CREATE TABLE {db.staging_name(ROLE_SETS_TABLE)} AS SELECT role_set, any_value(officer_role_codes) AS role_codes, "
        f"any_value(officer_holders) AS holders, "
        f"count(*) AS companies FROM {db.staging_name(TABLE)} WHERE role_set IS NOT NULL GROUP BY role_set"
    )
    _build_open_data_subset(con)
    db.publish(con, [TABLE, NAF_TABLE, ROLE_SETS_TABLE, OPEN_DATA_TABLE, OPEN_DATA_SIRENS, OPEN_DATA_FINGERPRINTS])
    n = db.row_count(con, TABLE)
    log.info("core.prospects: %s companies", f"{n:,}")
    return n


def _build_open_data_subset(con: duckdb.DuckDBPyConnection) -> None:
    """Staging OPEN_DATA_SIRENS (the SIRENs of OPEN_DATA_SOURCES now), OPEN_DATA_FINGERPRINTS (one
    row per source table present) and OPEN_DATA_TABLE (the staging prospects among those SIRENs,
    same columns, same (naf_key, siren) order)."""
    present = [table for table in OPEN_DATA_SOURCES.values() if db.table_exists(con, table)]
    parts = [f"SELECT siren FROM {table} WHERE siren IS NOT NULL" for table in present]
    prints = [f"SELECT '{table}' AS source, {fingerprint_sql(table)}" for table in present]
    con.execute(
        f"CREATE TABLE {db.staging_name(OPEN_DATA_FINGERPRINTS)} AS "
        + (
            " UNION ALL ".join(prints)
            if prints
            else "SELECT NULL::VARCHAR AS source, NULL::BIGINT AS sirens, NULL::HUGEINT AS fingerprint WHERE false"
        )
    )
    sirens = " UNION ".join(parts) if parts else "SELECT NULL::VARCHAR AS siren WHERE false"
    con.execute(f"CREATE TABLE {db.staging_name(OPEN_DATA_SIRENS)} AS SELECT DISTINCT siren FROM ({sirens})")
    con.execute(
        f"CREATE TABLE {db.staging_name(OPEN_DATA_TABLE)} AS SELECT * FROM {db.staging_name(TABLE)} "
        f"WHERE siren IN (SELECT siren FROM {db.staging_name(OPEN_DATA_SIRENS)}) ORDER BY naf_key, siren"
    )


def fingerprint_sql(table: str) -> str:
    """SELECT list of the fingerprint of `table`'s SIRENs: any SIREN added, removed or changed
    changes it (bar a hash collision); a DuckDB whose hash() differs only falls back to the scan."""
    return f"count(siren) AS sirens, CAST(sum(hash(siren)) AS HUGEINT) AS fingerprint FROM {table}"
