"""Re-derive only the SIRENs a registry poll touched: their signals, prospect row, score and tier.

Why: a poll every few minutes brings a few hundred RNE records and BODACC notices; rebuilding
`core.signals` and `core.prospects` (16M companies) for them would take longer than the poll
interval. `apply_poll` runs the very queries of the nightly build (firmo/signals.py
`signals_select`, firmo/sql/icp/prospects*.sql, the ICP query with its `listed` gate) restricted
to a TEMP table of SIRENs, and replaces those SIRENs' rows in one transaction. The nightly full
run stays the reference (tests/icp/test_incremental_poll.py: same prospects rows, scores and tiers).

The touched set is widened before anything is derived: a company whose officer is a holding
touched by the poll is touched too (its officers are looked through that holding, and the
holding's officer changes are its signals, firmo/lookthrough.py `holding_sirens`).

The touched SIRENs' rows of `core.officer_resolution` are looked through again (the nightly
query over the officers of those SIRENs and of the holdings within reach) when the poll changed
officers, before their signals, which read it. What it does not redo: the lead CSV copies and
`core.lead_list_builds` stay as the last full build wrote them (the nightly build rewrites them);
a lead list at its `max_leads` cap keeps its rows, so a lead pushed below the cap by a touched one
leaves the table, but one waiting below the cap enters only at the next full build.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb

from firmo import db, lookthrough
from firmo.icp import prospects as full
from firmo.icp.leads import leads_table
from firmo.icp.score import leads_statement, prepare
from firmo.icp.validate import ResolvedIcp
from firmo.lookthrough import TABLE as RESOLUTION
from firmo.lookthrough import build_officer_resolution
from firmo.signals import TABLE as SIGNALS
from firmo.signals import load_rne_roles, signals_select
from firmo.sqlfiles import load_sql, quote_ident, render_identifiers

log = logging.getLogger(__name__)

TOUCHED = "poll_sirens"  # TEMP table of the SIRENs re-derived (the ICP query's `listed` relation)
LAST_NAF = "\U0010ffff"  # above every NAF key: the prospects query's range step covers them all
HOLDING_DEPTH = 3  # firmo.lookthrough.MAX_DEPTH: how far a holding's change reaches


@dataclass
class PollReport:
    """What one re-derivation changed, for the sensor's tick and the alert evaluation."""

    touched: int  # SIRENs given
    derived: int  # SIRENs re-derived (touched and the companies their holdings run)
    signals: int  # core.signals rows of those SIRENs now
    prospects: int  # core.prospects rows of those SIRENs now (the others are not prospects)
    leads: dict[str, int] = field(default_factory=dict)  # ICP -> rows of those SIRENs now in leads.<icp>
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)  # step -> seconds (the benchmark's breakdown)


def _touched_table(con: duckdb.DuckDBPyConnection, sirens: Iterable[str]) -> int:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {TOUCHED} (siren VARCHAR PRIMARY KEY)")
    unique = sorted({s for s in sirens if s})
    if unique:
        con.execute(f"INSERT INTO {TOUCHED} SELECT unnest($s::VARCHAR[])", {"s": unique})
    return len(unique)


def _widen_to_held(con: duckdb.DuckDBPyConnection) -> None:
    """Add the companies whose officer chain goes through a touched holding."""
    if not db.table_exists(con, "core.officer_resolution"):
        return
    for _ in range(HOLDING_DEPTH):
        added = con.execute(
            f"INSERT INTO {TOUCHED} SELECT DISTINCT r.siren FROM core.officer_resolution r "
            f"WHERE len(list_intersect(r.holding_sirens, (SELECT list(siren) FROM {TOUCHED}))) > 0 "
            f"AND r.siren NOT IN (SELECT siren FROM {TOUCHED})"
        ).fetchall()
        if not added or not added[0][0]:
            return


def _officer_resolution(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Stage the look-through of the touched SIRENs' legal-person officers (poll_resolution) with
    the nightly query (firmo/sql/inpi/officer_resolution.sql) over the officers it can walk: those
    of the touched SIRENs and of the holdings reachable from them, MAX_DEPTH + 1 companies deep."""
    if not db.table_exists(con, RESOLUTION):
        return []
    lookthrough._inputs(con, lookthrough.OFFICERS)
    con.execute(f"CREATE OR REPLACE TEMP TABLE poll_reach AS SELECT siren FROM {TOUCHED}")
    # the company -> holding links, read once (a few % of the officers), walked MAX_DEPTH + 1 deep
    con.execute(
        "CREATE OR REPLACE TEMP TABLE poll_links AS SELECT DISTINCT siren, company_officer_siren AS holding "
        "FROM lookthrough_officers WHERE company_officer_siren IS NOT NULL"
    )
    for _ in range(lookthrough.MAX_DEPTH + 1):
        con.execute(
            "INSERT INTO poll_reach SELECT DISTINCT holding FROM poll_links "
            "WHERE siren IN (SELECT siren FROM poll_reach) AND holding NOT IN (SELECT siren FROM poll_reach)"
        )
    con.execute(
        "CREATE OR REPLACE TEMP VIEW poll_lt_officers AS SELECT * FROM lookthrough_officers "
        "WHERE siren IN (SELECT siren FROM poll_reach)"
    )
    sql, params = lookthrough.resolution_statement(officers="poll_lt_officers", rne="lookthrough_rne")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE poll_resolution AS SELECT * FROM ({sql}) "
        f"WHERE siren IN (SELECT siren FROM {TOUCHED})",
        params,
    )
    return [
        f"DELETE FROM {RESOLUTION} WHERE siren IN (SELECT siren FROM {TOUCHED})",
        f"INSERT INTO {RESOLUTION} BY NAME SELECT * FROM poll_resolution",
    ]


def _restricted(con: duckdb.DuckDBPyConnection, table: str, name: str) -> str:
    """A TEMP view of `table`'s rows of the touched SIRENs (the same columns)."""
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {quote_ident(table) if '.' in table else table} "
        f"WHERE siren IN (SELECT siren FROM {TOUCHED})"
    )
    return name


def _signals(con: duckdb.DuckDBPyConnection, as_of: date, lookback_days: int) -> list[str]:
    """Statements replacing the touched SIRENs' rows of core.signals (staged in poll_signals)."""
    if not db.table_exists(con, SIGNALS):
        return []
    body, params = signals_select(con, as_of=as_of, lookback_days=lookback_days)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE poll_signals AS SELECT DISTINCT * FROM ({body}) "
        f"WHERE siren IN (SELECT siren FROM {TOUCHED}) ORDER BY siren, signal_date DESC",
        params,
    )
    return [
        f"DELETE FROM {SIGNALS} WHERE siren IN (SELECT siren FROM {TOUCHED})",
        f"INSERT INTO {SIGNALS} BY NAME SELECT * FROM poll_signals",
    ]


def _prospects(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Stage the touched SIRENs' prospect rows (poll_prospects) with the nightly queries; return the
    statements replacing them in core.prospects and keeping its companions in step."""
    inputs = {key: full._input(con, key) for key in full._INPUTS}
    officers = _restricted(con, inputs["officers"], "poll_officers")
    signals = _restricted(con, inputs["signals"], "poll_signals_in")
    companies = _restricted(con, "core.companies", "poll_companies")
    off_sql = render_identifiers(load_sql("icp/prospects_officers"), officers=officers)
    con.execute(f"CREATE OR REPLACE TEMP TABLE prospects_off AS {off_sql}", {"bucket": 0, "buckets": 1})
    sig_sql = render_identifiers(load_sql("icp/prospects_signals"), signals=signals)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE prospects_sig AS {sig_sql}",
        {"bucket": 0, "buckets": 1, "same_event_days": full.SAME_EVENT_DAYS},
    )
    select = render_identifiers(
        load_sql("icp/prospects"),
        companies=companies,
        off="prospects_off",
        sig="prospects_sig",
        financials=inputs["financials"],
        rne=inputs["rne"],
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE poll_prospects AS {select}", {"first_naf": "", "last_naf": LAST_NAF})
    touched = f"(SELECT siren FROM {TOUCHED})"
    # the companions' counts move by the rows leaving and entering (one scan of core.prospects for
    # the leaving ones, not a recount); their other columns are functions of the key
    cols = "naf_key, naf2025_key, naf_code, naf_section, naf2025_code, naf2025_section, role_set, " + (
        "officer_role_codes, officer_holders"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE poll_keys AS SELECT {cols}, -1 AS d, rowid AS old_row FROM {full.TABLE} "
        f"WHERE siren IN {touched} UNION ALL SELECT {cols}, 1 AS d, NULL AS old_row FROM poll_prospects"
    )
    naf = full.NAF_TABLE
    roles = full.ROLE_SETS_TABLE
    statements = [
        f"DELETE FROM {full.TABLE} WHERE rowid IN (SELECT old_row FROM poll_keys WHERE old_row IS NOT NULL)",
        f"INSERT INTO {full.TABLE} BY NAME SELECT * FROM poll_prospects",
        "CREATE OR REPLACE TEMP TABLE poll_naf AS SELECT naf_key, naf2025_key, any_value(naf_code) AS naf_code, "
        "any_value(naf_section) AS naf_section, any_value(naf2025_code) AS naf2025_code, "
        "any_value(naf2025_section) AS naf2025_section, sum(d) AS d FROM poll_keys GROUP BY naf_key, naf2025_key",
        f"UPDATE {naf} SET companies = {naf}.companies + p.d FROM poll_naf p "
        f"WHERE {naf}.naf_key = p.naf_key AND {naf}.naf2025_key = p.naf2025_key AND p.d <> 0",
        f"INSERT INTO {naf} BY NAME SELECT p.* EXCLUDE (d), p.d AS companies FROM poll_naf p WHERE p.d > 0 "
        f"AND NOT EXISTS (SELECT 1 FROM {naf} n WHERE n.naf_key = p.naf_key AND n.naf2025_key = p.naf2025_key)",
        f"DELETE FROM {naf} WHERE companies <= 0",
        "CREATE OR REPLACE TEMP TABLE poll_roles AS SELECT role_set, any_value(officer_role_codes) AS role_codes, "
        "any_value(officer_holders) AS holders, sum(d) AS d FROM poll_keys WHERE role_set IS NOT NULL GROUP BY role_set",
        f"UPDATE {roles} SET companies = {roles}.companies + p.d FROM poll_roles p "
        f"WHERE {roles}.role_set = p.role_set AND p.d <> 0",
        f"INSERT INTO {roles} BY NAME SELECT p.* EXCLUDE (d), p.d AS companies FROM poll_roles p WHERE p.d > 0 "
        f"AND NOT EXISTS (SELECT 1 FROM {roles} r WHERE r.role_set = p.role_set)",
        f"DELETE FROM {roles} WHERE companies <= 0",
    ]
    if db.table_exists(con, full.OPEN_DATA_TABLE):
        statements += [
            f"DELETE FROM {full.OPEN_DATA_TABLE} WHERE siren IN {touched}",
            f"INSERT INTO {full.OPEN_DATA_TABLE} BY NAME SELECT * FROM poll_prospects "
            f"WHERE siren IN (SELECT siren FROM {full.OPEN_DATA_SIRENS})",
        ]
    return statements


def _leads(
    con: duckdb.DuckDBPyConnection, icp: ResolvedIcp, as_of: date, updated_at: datetime
) -> list[str | tuple[str, dict[str, object]]]:
    """Score the touched SIRENs with the ICP's own query (its `listed` gate), then replace their
    rows of leads.<icp>, rank the list again and keep it within max_leads."""
    table = quote_ident(leads_table(icp.name))
    sql, params = leads_statement(con, icp, as_of, limit=2**62, updated_at=updated_at, listed=TOUCHED)
    scored = f"poll_leads_{icp.name}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {quote_ident(scored)} AS {sql}", params)
    return [
        f"DELETE FROM {table} WHERE siren IN (SELECT siren FROM {TOUCHED})",
        f"INSERT INTO {table} BY NAME SELECT * FROM {quote_ident(scored)}",
        f"UPDATE {table} SET rank = r.new_rank FROM (SELECT siren, CAST(row_number() OVER "
        f"(ORDER BY score DESC, fit_score DESC, intent_score DESC, siren) AS INTEGER) AS new_rank FROM {table}) r "
        f"WHERE {table}.siren = r.siren AND {table}.rank IS DISTINCT FROM r.new_rank",
        (f"DELETE FROM {table} WHERE rank > $max_leads", {"max_leads": icp.config.max_leads}),
    ]


def apply_poll(
    con: duckdb.DuckDBPyConnection,
    touched_sirens: Iterable[str],
    *,
    icps: Sequence[ResolvedIcp] = (),
    as_of: date | None = None,
    lookback_days: int = 730,
    officers_changed: bool = True,
) -> PollReport:
    """Re-derive the signals, prospect rows and, for each ICP whose leads table exists, the scores
    and tiers of `touched_sirens`; all of it is committed in one transaction (or none of it).

    `as_of` and `lookback_days` must be the nightly build's (firmo.signals.build_signals) for the
    rows to be the ones a full rebuild would write. `officers_changed=False` (a poll with no RNE
    record) skips the look-through of their officers (core.officer_resolution is then current)."""
    started = time.perf_counter()
    as_of = as_of or date.today()
    steps: dict[str, float] = {}
    touched = _touched_table(con, touched_sirens)
    if db.table_exists(con, lookthrough.OFFICERS) and not db.table_exists(con, RESOLUTION):
        build_officer_resolution(con)  # a warehouse whose signals were never built
    _widen_to_held(con)
    derived = db.row_count(con, TOUCHED)
    load_rne_roles(con)
    report = PollReport(touched=touched, derived=derived, signals=0, prospects=0, steps=steps)
    steps["widen"] = time.perf_counter() - started
    updated_at = datetime.now().replace(microsecond=0)
    # one transaction: each step reads what the one before wrote (prospects read the new signals,
    # leads the new prospects), and a failure anywhere leaves every table as it was
    con.execute("BEGIN TRANSACTION")
    try:
        mark = time.perf_counter()
        if officers_changed:
            _run(con, _officer_resolution(con))
        steps["officer resolution"], mark = time.perf_counter() - mark, time.perf_counter()
        _run(con, _signals(con, as_of, lookback_days))
        steps["signals"], mark = time.perf_counter() - mark, time.perf_counter()
        if db.table_exists(con, full.TABLE) and db.table_exists(con, "core.companies"):
            _run(con, _prospects(con))
            steps["prospects"], mark = time.perf_counter() - mark, time.perf_counter()
            built = [icp for icp in icps if db.table_exists(con, leads_table(icp.name))]
            if built:
                prepare(con)
            for icp in built:
                _run(con, _leads(con, icp, as_of, updated_at))
            steps["leads"], mark = time.perf_counter() - mark, time.perf_counter()
        con.execute("COMMIT")
        steps["commit"] = time.perf_counter() - mark
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in (
            "poll_officers",
            "poll_signals_in",
            "poll_companies",
            "poll_lt_officers",
            "lookthrough_rne",
            "lookthrough_officers",
        ):
            con.execute(f"DROP VIEW IF EXISTS {name}")
        for name in (
            "poll_signals",
            "poll_prospects",
            "poll_keys",
            "poll_naf",
            "poll_roles",
            "prospects_off",
            "prospects_sig",
            "poll_reach",
            "poll_links",
            "poll_resolution",
        ):
            con.execute(f"DROP TABLE IF EXISTS {name}")
        for icp in icps:
            con.execute(f"DROP TABLE IF EXISTS {quote_ident('poll_leads_' + icp.name)}")
    if db.table_exists(con, SIGNALS):
        report.signals = _count(con, SIGNALS)
    if db.table_exists(con, full.TABLE):
        report.prospects = _count(con, full.TABLE)
    for icp in icps:
        if db.table_exists(con, leads_table(icp.name)):
            report.leads[icp.name] = _count(con, leads_table(icp.name))
    report.seconds = time.perf_counter() - started
    log.info("poll: %d SIRENs touched, %d re-derived in %.2fs", touched, derived, report.seconds)
    return report


def _run(con: duckdb.DuckDBPyConnection, statements: list) -> None:
    for stmt in statements:
        con.execute(*stmt) if isinstance(stmt, tuple) else con.execute(stmt)


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(
        con.execute(
            f"SELECT count(*) FROM {quote_ident(table)} WHERE siren IN (SELECT siren FROM {TOUCHED})"
        ).fetchall()[0][0]
    )
