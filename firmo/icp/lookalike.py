"""Lookalikes: an ICP file proposed from the won accounts (`firmo icp suggest --from-customers`).

The customers are exports.customers (a CSV import, or a CRM's won accounts read back): a `siren`
entry as it is, a `domain` entry through the read-back's domain index (`firmo.crm.readback.Matcher`,
the lead lists' website domains). Only customers active in core.companies count, compared with
the active population of core.companies, value by value:

    lift = (customers holding the value / customers) / (companies holding it / companies)

A NAF sous-classe, headcount band, région or label (core.labels, held on the day) is kept when at
least `min_support` customers hold it and its lift is at least `min_lift`; the kept headcount bands
become one employee range (their lowest minimum to their highest maximum). The revenue range is the
customers' 10th to 90th percentile (rounded to two significant figures), kept when its lift clears
the same bar. The file is written with the figures as comments, checked by the same validation
as `firmo icp check` (`firmo.icp.validate.load_icp`) before it replaces anything.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from firmo import db
from firmo.compliance.tables import CUSTOMERS
from firmo.crm import readback
from firmo.db import registered
from firmo.errors import InputError
from firmo.icp.config import NAME_RE
from firmo.icp.validate import ResolvedIcp, load_icp
from firmo.labels import LABELS
from firmo.reference import naf as nafref
from firmo.reference import read_reference
from firmo.sqlfiles import load_sql, render_identifiers

DEFAULT_MIN_SUPPORT = 3
DEFAULT_MIN_LIFT = 1.5
REVENUE_QUANTILES = (0.1, 0.9)
MAX_VALUES = 10  # per dimension, best lift first: a suggestion an analyst can read
DIMENSIONS = ("naf", "headcount_band", "region", "label")
_EMPTY = {
    "labels": ("lookalike_empty_labels", "siren VARCHAR, label VARCHAR, valid_from DATE, valid_to DATE"),
    "financials": ("lookalike_empty_financials", "siren VARCHAR, revenue BIGINT"),
}
_TABLES = {"labels": "core.labels", "financials": "core.latest_financials"}


@dataclass(frozen=True)
class Lift:
    """One value of a dimension: how many customers and companies hold it, and the lift."""

    value: str
    customers: int
    population: int
    customer_share: float
    population_share: float
    lift: float
    detail: str | None = None  # région code
    lo: int | None = None  # headcount band: employee range
    hi: int | None = None


@dataclass
class Suggestion:
    customers: int  # active customers compared (the denominators' customers)
    population: int  # active companies
    listed: int  # entries of exports.customers
    unresolved: int  # entries not found as an active company (unknown domain, closed, unknown SIREN)
    kept: dict[str, list[Lift]] = field(default_factory=dict)  # dimension -> kept values, best lift first
    best_left_out: dict[str, Lift] = field(default_factory=dict)  # dimension -> best value not kept
    revenue: Lift | None = None  # value 'lo-hi' in euros, kept or not (see revenue_kept)
    revenue_kept: bool = False
    as_of: date = field(default_factory=date.today)
    min_support: int = DEFAULT_MIN_SUPPORT
    min_lift: float = DEFAULT_MIN_LIFT


def _relation(con: duckdb.DuckDBPyConnection, key: str) -> str:
    table = _TABLES[key]
    if db.table_exists(con, table):
        return table
    name, columns = _EMPTY[key]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({columns})")
    return name


def customer_sirens(con: duckdb.DuckDBPyConnection) -> tuple[list[str], int]:
    """(SIRENs of the customers, entries of exports.customers): domains through the read-back matcher."""
    if not db.table_exists(con, CUSTOMERS):
        return [], 0
    entries = con.execute(f"SELECT kind, value FROM {CUSTOMERS} ORDER BY kind, value").fetchall()
    matcher = readback.Matcher.load(con, [])
    sirens = set()
    for kind, value in entries:
        if kind == "siren":
            sirens.add(value)
            continue
        account = readback.AccountRow("", None, None, value, None, None, None, None, None)
        siren, _, _ = matcher.match(account)
        if siren:
            sirens.add(siren)
    return sorted(sirens), len(entries)


def _lift(value: str, customers: int, population: int, n_customers: int, n_population: int, **extra) -> Lift:
    c_share = customers / n_customers if n_customers else 0.0
    p_share = population / n_population if n_population else 0.0
    return Lift(value, customers, population, c_share, p_share, c_share / p_share if p_share else 0.0, **extra)


def _round_down(x: float) -> int:
    """Two significant figures, down: 1,234,567 -> 1,200,000."""
    if x <= 0:
        return 0
    step = 10 ** max(0, int(math.floor(math.log10(x))) - 1)
    return int(x // step * step)


def _round_up(x: float) -> int:
    if x <= 0:
        return 0
    step = 10 ** max(0, int(math.floor(math.log10(x))) - 1)
    return int(-(-x // step) * step)


def suggest(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date | None = None,
    min_support: int = DEFAULT_MIN_SUPPORT,
    min_lift: float = DEFAULT_MIN_LIFT,
) -> Suggestion:
    """The over-represented values among the customers (module docstring); InputError without any
    active customer to learn from."""
    as_of = as_of or date.today()
    if not db.table_exists(con, "core.companies"):
        raise InputError("firmo icp suggest compares customers with core.companies: load SIRENE first")
    sirens, listed = customer_sirens(con)
    frame = pl.DataFrame({"siren": sirens}, schema={"siren": pl.String})
    with registered(con, "__lookalike_customers", frame):
        sql = render_identifiers(load_sql("icp/lookalike_counts"), labels=_relation(con, "labels"))
        rows = con.execute(sql, {"labels_day": as_of}).fetchall()
        [(n_customers, n_population)] = [(c, p) for d, _, _, _, _, c, p in rows if d == "total"]
        if n_customers == 0:
            raise InputError(
                f"exports.customers: none of its {listed} entries is an active company of core.companies "
                "(import them with `firmo customers`, or read a CRM back with `firmo crm pull`)"
            )
        out = Suggestion(n_customers, n_population, listed, listed - n_customers, as_of=as_of)
        out.min_support, out.min_lift = min_support, min_lift
        for dimension in DIMENSIONS:
            lifts = [
                _lift(v, c, p, n_customers, n_population, detail=detail, lo=lo, hi=hi)
                for d, v, detail, lo, hi, c, p in rows
                if d == dimension
            ]
            lifts.sort(key=lambda x: (-x.lift, -x.customers, x.value))
            kept = [x for x in lifts if x.customers >= min_support and x.lift >= min_lift][:MAX_VALUES]
            out.kept[dimension] = kept
            left = [x for x in lifts if x not in kept and x.customers > 0]
            if left:
                out.best_left_out[dimension] = left[0]
        out.revenue, out.revenue_kept = _revenue(con, min_support, min_lift)
    return out


def _revenue(con: duckdb.DuckDBPyConnection, min_support: int, min_lift: float) -> tuple[Lift | None, bool]:
    financials = _relation(con, "financials")
    low, high = REVENUE_QUANTILES
    [(lo, hi, c_known, p_known)] = con.execute(
        render_identifiers(load_sql("icp/lookalike_revenue"), financials=financials), {"low": low, "high": high}
    ).fetchall()
    if lo is None or not c_known:
        return None, False
    lo, hi = _round_down(lo), _round_up(hi)
    [(c_in, p_in)] = con.execute(
        render_identifiers(load_sql("icp/lookalike_revenue_in"), financials=financials), {"lo": lo, "hi": hi}
    ).fetchall()
    lift = _lift(f"{lo}-{hi}", c_in, p_in, c_known, p_known, lo=lo, hi=hi)
    return lift, c_in >= min_support and lift.lift >= min_lift


# --------------------------------------------------------------------------- the YAML


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _figures(x: Lift, of: int) -> str:
    return (
        f"{x.customers} of {of} customers ({_pct(x.customer_share)}) vs {_pct(x.population_share)} "
        f"of companies ({x.population:,}): lift {x.lift:.2f}"
    )


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def icp_name(path: Path) -> str:
    """The ICP name of the file (its stem as a plain identifier; 'lookalike' when nothing is left)."""
    name = re.sub(r"[^a-z0-9_]+", "_", path.stem.lower()).strip("_")
    return name if NAME_RE.match(name) else "lookalike"


def render_yaml(s: Suggestion, name: str) -> str:
    """The commented ICP file (module docstring): every kept value with its figures, and for a
    dimension with none kept, the best value and why it was not."""
    bands = {r["code"]: r["label"] for r in read_reference("headcount_bands").iter_rows(named=True)}
    naf_labels = nafref.nomenclature(nafref.REV2).labels
    kept = s.kept
    summary = [x.value for x in kept.get("naf", [])[:3]] + [x.value for x in kept.get("region", [])[:2]]
    lines = [
        f"# Lookalike ICP suggested by `firmo icp suggest --from-customers` on {s.as_of.isoformat()}:",
        f"# {s.customers} active customers (exports.customers: {s.listed} entries, {s.unresolved} not an active",
        f"# company) compared with the {s.population:,} active companies of core.companies.",
        "# lift = share among customers / share among companies; a value is kept with a lift of at",
        f"# least {s.min_lift:g} and at least {s.min_support} customers holding it. Edit freely, then",
        "# `firmo icp check` this file and `firmo icp preview` it.",
        f"name: {name}",
        f"description: {_quote('Lookalike of ' + str(s.customers) + ' customers' + (': ' + ', '.join(summary) if summary else ''))}",
        "criteria:",
    ]  # fmt: skip

    def left_out(dimension: str, what: str) -> None:
        best = s.best_left_out.get(dimension)
        why = f" (best: {best.value}, {_figures(best, s.customers)})" if best else ""
        lines.append(f"  # {what}: none over-represented{why}")

    if kept["naf"]:
        lines += ["  naf:", "    include:"]
        for x in kept["naf"]:
            label = naf_labels.get(x.value, "")
            lines.append(f"      - {_quote(x.value)}  # {label}: {_figures(x, s.customers)}")
    else:
        left_out("naf", "NAF codes")
    if kept["headcount_band"]:
        lines.append("  headcount:")
        for x in sorted(kept["headcount_band"], key=lambda x: (x.lo or 0, x.value)):
            lines.append(f"    # band {x.value} ({bands.get(x.value, x.value)}): {_figures(x, s.customers)}")
        lo = min(x.lo or 0 for x in kept["headcount_band"])
        his = [x.hi for x in kept["headcount_band"]]
        lines.append(f"    min: {lo}")
        if all(h is not None for h in his):
            lines.append(f"    max: {max(h for h in his if h is not None)}")
    else:
        left_out("headcount_band", "headcount bands")
    if kept["region"]:
        lines.append("  regions:")
        for x in kept["region"]:
            lines.append(f"    - {_quote(x.value)}  # région {x.detail}: {_figures(x, s.customers)}")
    else:
        left_out("region", "régions")
    labels = [x for x in kept["label"] if x.value in LABELS]
    if labels:
        lines += ["  labels:", "    any:  # a gate: only companies holding one of them (core.labels)"]
        for x in labels:
            lines.append(f"      - {x.value}  # {_figures(x, s.customers)}")
    else:
        left_out("label", "labels")
    r = s.revenue
    if r is not None and s.revenue_kept:
        known = round(r.customers / r.customer_share) if r.customer_share else 0
        lines += [
            f"  revenue:  # customers' {REVENUE_QUANTILES[0]:.0%}-{REVENUE_QUANTILES[1]:.0%} range: {_figures(r, known)}"
            " (companies with a known revenue)",
            f"    min: {r.lo}",
            f"    max: {r.hi}",
            "    unknown: keep  # most small companies publish no accounts",
        ]
    elif r is not None:
        lines.append(f"  # revenue: {r.lo}-{r.hi} not over-represented (lift {r.lift:.2f}, {r.customers} customers)")
    else:
        lines.append("  # revenue: no customer with a known revenue (core.latest_financials)")
    start = lines.index("criteria:")
    if all(line.lstrip().startswith("#") for line in lines[start + 1 :]):
        lines[start] = "criteria: {}  # nothing over-represented: every company (edit before use)"
    return "\n".join(lines) + "\n"


def write_suggestion(s: Suggestion, path: str | Path) -> tuple[Path, ResolvedIcp]:
    """Write the file at `path` once the ICP validation accepts it (temporary file, then rename);
    returns it resolved, as `firmo icp check` would."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.yaml")
    try:
        tmp.write_text(render_yaml(s, icp_name(path)), encoding="utf-8")
        resolved = load_icp(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path, resolved
