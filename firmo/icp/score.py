"""Run an ICP against core.prospects: counts for a preview, the ranked lead rows for a build.

The scoring rules live in firmo/sql/icp/scored.sql (read its header); this module only turns a
resolved ICP into bound parameters and runs the queries. `as_of` is the day scores are computed
for ("12 days ago" counts from it, signals after it are ignored), so a re-run on the same data
and day gives the same list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import cast

import duckdb
import polars as pl

from firmo import db
from firmo.icp import authority
from firmo.icp.prospects import NAF_TABLE, ROLE_SETS_TABLE, TABLE
from firmo.icp.validate import ResolvedIcp
from firmo.signals import SIGNAL_TYPES
from firmo.sqlfiles import load_sql, render_identifiers

DIMENSIONS = ("tier", "region", "naf_division", "headcount_band")
TIERS = ("hot", "warm", "cold")  # what scored.sql gives each lead, best first


@dataclass
class Preview:
    """What `firmo icp preview` prints: counts over the whole selection and the first leads."""

    icp: str
    total: int
    counts: dict[str, list[tuple[str, int]]]
    top: pl.DataFrame
    warnings: list[str] = field(default_factory=list)

    def tier_counts(self) -> dict[str, int]:
        found = dict(self.counts.get("tier", []))
        return {tier: found.get(tier, 0) for tier in TIERS}


def years_before(day: date, years: int) -> date:
    """Same calendar day `years` earlier (29 Feb -> 28 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def query_params(icp: ResolvedIcp, as_of: date) -> dict[str, object]:
    """Every parameter of firmo/sql/icp/*.sql for this ICP (NULL / empty / false = criterion not set)."""
    c, s = icp.config.criteria, icp.config.scoring
    age = c.age_years
    weights = s.weights()
    return {
        "as_of": as_of,
        "icp": icp.name,
        "naf_on": bool(icp.naf_include_terms),
        **naf_params(icp),
        "geo_on": bool(icp.regions or icp.departements or icp.communes),
        "regions": icp.regions,
        "departements": icp.departements,
        "communes": icp.communes,
        "hc_on": c.headcount.active,
        "hc_min": c.headcount.min,
        "hc_max": c.headcount.max,
        # revenue counts when a range is set, or when the file says what to do with unknown revenue
        "rev_on": c.revenue.active or "unknown" in c.revenue.model_fields_set,
        "rev_min": c.revenue.min,
        "rev_max": c.revenue.max,
        "rev_unknown": c.revenue.unknown,
        "rev_penalty": float(c.revenue.penalty),
        # age in full years: min 2 -> created on or before as_of - 2y; max 10 -> after as_of - 11y
        "created_to": years_before(as_of, int(age.min)) if age.min is not None else None,
        "created_from": years_before(as_of, int(age.max) + 1) + timedelta(days=1) if age.max is not None else None,
        "lf_on": bool(icp.legal_forms),
        "legal_forms": icp.legal_forms,
        "employer_only": c.employer_only,
        "cat_on": bool(c.company_categories),
        "categories": list(c.company_categories),
        "exclude_proceedings": c.exclude_collective_proceedings,
        "exclude_closed": c.exclude_closed,
        "role_groups": icp.role_groups,
        **authority.query_params(icp),
        "require_decision_maker": c.require_decision_maker,
        "w_naf": s.fit_weights.naf,
        "w_headcount": s.fit_weights.headcount,
        "w_revenue": s.fit_weights.revenue,
        "w_authority": s.fit_weights.authority,
        "signal_types": list(SIGNAL_TYPES),
        "signal_weights": [float(weights[t]) for t in SIGNAL_TYPES],
        "half_life_days": float(s.half_life_days),
        "fit_share": s.fit_share,
        "tier_hot": s.tiers.hot,
        "tier_warm": s.tiers.warm,
    }


def naf_params(icp: ResolvedIcp) -> dict[str, list]:
    """The NAF patterns as parallel lists (one entry per pattern; firmo/sql/icp/scored.sql unnests them)."""
    inc, exc = icp.naf_include_terms, icp.naf_exclude_terms
    return {
        "naf_inc_text": [t.text for t in inc],
        "naf_inc_nom": [t.nomenclature for t in inc],
        "naf_inc_value": [t.value for t in inc],
        "naf_inc_fit": [t.fit for t in inc],
        "naf_inc_other": [list(t.translation) for t in inc],
        "naf_inc_reason": [t.reason for t in inc],
        "naf_inc_reason_other": [t.reason_by_correspondence for t in inc],
        "naf_exc_nom": [t.nomenclature for t in exc],
        "naf_exc_value": [t.value for t in exc],
        "naf_exc_other": [list(t.translation) for t in exc],
    }


def _bind(sql: str, params: dict[str, object]) -> dict[str, object]:
    """Only the parameters this statement uses (DuckDB rejects unused named parameters)."""
    code = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())  # '--' never occurs in a value here
    used = set(re.findall(r"\$([a-z_]+)", code))
    missing = used - set(params)
    if missing:
        raise KeyError(f"ICP query needs parameters {sorted(missing)}")
    return {k: v for k, v in params.items() if k in used}


def _query(part: str, **identifiers: str) -> str:
    """firmo/sql/icp/scored.sql followed by the part that continues its WITH clause."""
    return render_identifiers(load_sql("icp/scored") + "\n" + load_sql(f"icp/{part}"), **identifiers)


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Check core.prospects is there and create the text macros on this connection."""
    for table in (TABLE, NAF_TABLE, ROLE_SETS_TABLE):
        if not db.table_exists(con, table):
            raise RuntimeError(
                f"{table} does not exist: build it first (asset core/prospects, "
                "or firmo.icp.build_prospects after core.signals)"
            )
    con.execute(load_sql("icp/macros"))


def counts(con: duckdb.DuckDBPyConnection, icp: ResolvedIcp, as_of: date) -> dict[str, list[tuple[str, int]]]:
    """Leads per tier, région, NAF division and headcount band (whole selection, before the cap)."""
    sql = _query("counts")
    rows = con.execute(sql, _bind(sql, query_params(icp, as_of))).fetchall()
    out: dict[str, list[tuple[str, int]]] = {d: [] for d in DIMENSIONS}
    for dimension, value, n in rows:
        out[dimension].append((value, int(n)))
    return out


def leads_statement(
    con: duckdb.DuckDBPyConnection,
    icp: ResolvedIcp,
    as_of: date,
    *,
    limit: int | None = None,
    updated_at: datetime | None = None,
) -> tuple[str, dict[str, object]]:
    """SELECT of the ranked leads (at most `limit`, default the ICP's max_leads) and its parameters."""
    params = query_params(icp, as_of) | {
        "max_leads": limit if limit is not None else icp.config.max_leads,
        "updated_at": updated_at or datetime.now().replace(microsecond=0),
    }
    sql = _query("leads")
    return sql, _bind(sql, params)


def lead_rows(
    con: duckdb.DuckDBPyConnection, icp: ResolvedIcp, as_of: date, *, limit: int | None = None
) -> pl.DataFrame:
    """The ranked leads as a Polars frame (preview; a build writes them straight into a table)."""
    sql, params = leads_statement(con, icp, as_of, limit=limit)
    return cast(pl.DataFrame, pl.from_arrow(con.sql(sql, params=params).to_arrow_table()))  # a table gives a frame


def preview(con: duckdb.DuckDBPyConnection, icp: ResolvedIcp, *, as_of: date | None = None, top: int = 20) -> Preview:
    """Counts over everything the ICP selects plus its first `top` leads; writes nothing."""
    as_of = as_of or date.today()
    prepare(con)
    grouped = counts(con, icp, as_of)
    total = sum(n for _, n in grouped["tier"])
    return Preview(
        icp=icp.name,
        total=total,
        counts=grouped,
        top=lead_rows(con, icp, as_of, limit=top),
        warnings=list(icp.warnings),
    )
