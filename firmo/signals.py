"""`core.signals`: dated intent signals per company, derived from all three registries.

One row per (siren, signal type, date, source record) with a strength (0..1), a polarity, a
short label for score reasons ("new Directeur général") and evidence pointing to the record
("BODACC B n°…", "RNE: …", "SIRENE: …"). The scoring stage weighs and decays them; this table
only says what happened and where it is written. Each registry contributes through its own
query in `firmo/sql/signals/`, used only when that registry's tables are loaded.
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

import duckdb
import polars as pl

from firmo import db
from firmo.labels import LABELS, UNDATED_EVENTS
from firmo.labels import name as label_name
from firmo.lookthrough import build_officer_resolution
from firmo.sqlfiles import load_sql, render_identifiers

log = logging.getLogger(__name__)

TABLE = "core.signals"
SIGNAL_TYPES = (
    "new_decision_maker",
    "capital_increase",
    "new_establishment",
    "headcount_up",
    "headcount_down",
    "recent_creation",
    "head_office_transfer",
    "business_sold",
    "business_bought",
    "collective_proceeding",
    "radiation",
    "company_closed",
    # open data: firmo/sql/signals/from_decp.sql, from_labels.sql, from_jobs.sql, from_hiring_potential.sql
    "contract_won",
    "label_obtained",
    "label_expiring",
    "job_offers",
    "hiring_potential_high",
    # job-change re-checks (firmo/sql/signals/from_job_changes.sql, waterfall/recheck.py)
    "job_change_left",
    "job_change_joined",
    "promotion",
    "may_have_left",
)
# A label whose validity ends within this many days of as_of is a buying moment for its renewal:
# the label_expiring signal is dated the day that window opened (valid_to - LABEL_EXPIRING_DAYS),
# and score reasons count the days left from it ("RGE qualification expires in 40 days").
LABEL_EXPIRING_DAYS = 90
# job_offers: one signal per company and window of this many days, counted back from as_of
JOB_OFFER_WINDOW_DAYS = 30
# A contract worth this fraction of the company's revenue (its share, when co-contractors hold it
# together) is a full-strength contract_won signal; smaller ones count in proportion.
CONTRACT_FULL_SHARE_OF_REVENUE = 0.1
# query file -> tables it needs
PARTS = {
    "signals/from_sirene": ("sirene.unites_legales", "sirene.etablissements", "core.sirene_changes"),
    "signals/from_inpi": ("inpi.officers", "sirene.unites_legales", "core.officer_resolution"),
    "signals/from_bodacc": ("bodacc.notices",),
    "signals/from_decp": ("core.public_contracts",),
    "signals/from_labels": ("core.labels",),
    "signals/from_jobs": ("core.job_offers",),
    "signals/from_hiring_potential": ("core.hiring_potential",),
    "signals/from_job_changes": ("waterfall.job_changes",),
}
# {{placeholder}} of a part -> (table, columns of the empty stand-in used when it is not loaded):
# tables a part reads when they are there (a contract's size relative to revenue) but does not need
OPTIONAL = {"financials": ("core.latest_financials", "siren VARCHAR, revenue BIGINT, fiscal_year_end DATE")}
COLUMNS = ("siren", "signal_type", "signal_date", "strength", "polarity", "label", "evidence", "source", "source_ref")


def load_rne_roles(con: duckdb.DuckDBPyConnection) -> None:
    """`ref.rne_roles` (code, label, decision_maker) from the RNE role list (firmo.reference.roles)."""
    from firmo.reference.roles import role_codes

    rows = [{"code": c, "label": label, "decision_maker": dm} for c, (label, dm) in role_codes().items()]
    db.replace_table(con, "ref.rne_roles", pl.DataFrame(rows))


def build_signals(
    con: duckdb.DuckDBPyConnection, *, as_of: date | None = None, lookback_days: int = 730
) -> dict[str, int]:
    """Rebuild core.signals for the window [as_of - lookback_days, as_of]; return counts per type."""
    as_of = as_of or date.today()
    load_rne_roles(con)
    if db.table_exists(con, "inpi.officers"):
        build_officer_resolution(con)  # a holding's new officers are signals of the companies it runs
    body, params = signals_select(con, as_of=as_of, lookback_days=lookback_days)
    staging = db.staging_name(TABLE)
    db.drop_staging(con, TABLE)
    con.execute(
        f"CREATE TABLE {staging} AS SELECT DISTINCT * FROM ({body}) WHERE siren IS NOT NULL "
        "ORDER BY siren, signal_date DESC",
        params,
    )
    db.publish(con, [TABLE])
    counts = dict(con.execute(f"SELECT signal_type, count(*) FROM {TABLE} GROUP BY 1 ORDER BY 2 DESC").fetchall())
    log.info("core.signals: %s", counts)
    return counts


def signals_select(con: duckdb.DuckDBPyConnection, *, as_of: date, lookback_days: int) -> tuple[str, dict[str, object]]:
    """The SELECT of every signal column over the loaded parts and its parameters: shared by the
    full build and the poll's re-derivation of a few SIRENs (firmo.icp.incremental), so both say
    the same thing about a company."""
    since = as_of - timedelta(days=lookback_days)
    con.execute(load_sql("sirene/create_changes"))
    parts = [name for name, needs in PARTS.items() if all(db.table_exists(con, t) for t in needs)]
    skipped = sorted(set(PARTS) - set(parts))
    if skipped:
        log.info("signals: skipping %s (tables not loaded yet)", ", ".join(skipped))
    optional = {key: _optional(con, key) for key in OPTIONAL}
    cols = ", ".join(COLUMNS)
    body = "\nUNION ALL\n".join(
        f"SELECT {cols} FROM ({_strip(render_identifiers(load_sql(p), **optional))})" for p in parts
    ) or (
        "SELECT NULL::VARCHAR AS siren, NULL::VARCHAR AS signal_type, NULL::DATE AS signal_date, NULL::DOUBLE AS strength, "
        "NULL::VARCHAR AS polarity, NULL::VARCHAR AS label, NULL::VARCHAR AS evidence, NULL::VARCHAR AS source, "
        "NULL::VARCHAR AS source_ref WHERE false"
    )
    return body, (_bind(body, {"as_of": as_of, "since": since, **PARAMS}) if parts else {})


PARAMS = {
    "label_expiring_days": LABEL_EXPIRING_DAYS,
    "label_codes": list(LABELS),
    "label_names": [label_name(code) for code in LABELS],
    "undated_labels": sorted(UNDATED_EVENTS),
    "job_window_days": JOB_OFFER_WINDOW_DAYS,
    "contract_full_share": CONTRACT_FULL_SHARE_OF_REVENUE,
}


def _optional(con: duckdb.DuckDBPyConnection, key: str) -> str:
    table, columns = OPTIONAL[key]
    if db.table_exists(con, table):
        return table
    con.execute(f"CREATE OR REPLACE TEMP TABLE signals_empty_{key} ({columns})")
    return f"signals_empty_{key}"


def _bind(sql: str, params: dict[str, object]) -> dict[str, object]:
    """Only the parameters the parts in use name (DuckDB rejects unused named parameters)."""
    used = set(re.findall(r"\$([a-z_]+)", sql))
    return {k: v for k, v in params.items() if k in used}


def _strip(sql: str) -> str:
    """Drop comment lines so a query file can be nested as a subquery."""
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--")).strip().rstrip(";")
