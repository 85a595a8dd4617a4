"""`core.signals`: dated intent signals per company, derived from all three registries.

One row per (siren, signal type, date, source record) with a strength (0..1), a polarity, a
short label for score reasons ("new Directeur général") and evidence pointing to the record
("BODACC B n°…", "RNE: …", "SIRENE: …"). The scoring stage weighs and decays them; this table
only says what happened and where it is written. Each registry contributes through its own
query in `firmo/sql/signals/`, used only when that registry's tables are loaded.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import duckdb
import polars as pl

from firmo import db
from firmo.lookthrough import build_officer_resolution
from firmo.sqlfiles import load_sql

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
)
# query file -> tables it needs
PARTS = {
    "signals/from_sirene": ("sirene.unites_legales", "sirene.etablissements", "core.sirene_changes"),
    "signals/from_inpi": ("inpi.officers", "sirene.unites_legales", "core.officer_resolution"),
    "signals/from_bodacc": ("bodacc.notices",),
}
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
    since = as_of - timedelta(days=lookback_days)
    load_rne_roles(con)
    if db.table_exists(con, "inpi.officers"):
        build_officer_resolution(con)  # a holding's new officers are signals of the companies it runs
    con.execute(load_sql("sirene/create_changes"))
    parts = [name for name, needs in PARTS.items() if all(db.table_exists(con, t) for t in needs)]
    skipped = sorted(set(PARTS) - set(parts))
    if skipped:
        log.info("signals: skipping %s (tables not loaded yet)", ", ".join(skipped))
    cols = ", ".join(COLUMNS)
    body = "\nUNION ALL\n".join(f"SELECT {cols} FROM ({_strip(load_sql(p))})" for p in parts) or (
        "SELECT NULL::VARCHAR AS siren, NULL::VARCHAR AS signal_type, NULL::DATE AS signal_date, NULL::DOUBLE AS strength, "
        "NULL::VARCHAR AS polarity, NULL::VARCHAR AS label, NULL::VARCHAR AS evidence, NULL::VARCHAR AS source, "
        "NULL::VARCHAR AS source_ref WHERE false"
    )
    staging = db.staging_name(TABLE)
    db.drop_staging(con, TABLE)
    con.execute(
        f"CREATE TABLE {staging} AS SELECT DISTINCT * FROM ({body}) WHERE siren IS NOT NULL "
        "ORDER BY siren, signal_date DESC",
        {"as_of": as_of, "since": since} if parts else {},
    )
    db.publish(con, [TABLE])
    counts = dict(con.execute(f"SELECT signal_type, count(*) FROM {TABLE} GROUP BY 1 ORDER BY 2 DESC").fetchall())
    log.info("core.signals: %s", counts)
    return counts


def _strip(sql: str) -> str:
    """Drop comment lines so a query file can be nested as a subquery."""
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--")).strip().rstrip(";")
