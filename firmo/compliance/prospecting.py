"""Who may be prospected: the two registry flags that forbid it, and where each reader finds them.

Two registries can each forbid prospecting a unit, independently of one another:
- SIRENE `statutDiffusionUniteLegale = 'P'` (partial diffusion, art. R123-232-1: "not used for
  prospecting"): `core.companies.diffusible = false`;
- the RNE `diffusionCommerciale: false` (opposition to commercial use, art. R.123-320, must be
  honoured): `inpi.companies.diffusion_commerciale = false`.
A unit is prospectable when it is active, diffusible and not opposed. The two flags really
differ: many opposed units are `O` in SIRENE, and many `P` units never opposed at the RNE.

Where the combined flag lives: nowhere stored. Each flag stays in the table its registry's load
keeps current (inpi.companies holds one row per SIREN, the latest payload, and the RNE load
never lets an older payload win, so a payload that lifts the opposition replaces the one that
set it). SIRENE and the RNE load independently, in either order, and the RNE `/diff` lands every
night while core.companies is rebuilt from SIRENE only: a copy of the RNE flag in core.companies
would be stale whenever the RNE loaded last. So every reader joins the two at read time, with the
SQL of this module:
- core.prospects, rebuilt after both core/companies and inpi/companies (its asset depends on
  both), hence every leads.* table, ICP preview and export built from it;
- the analytics views (views: evaluated when queried);
- the data-quality checks on lead lists and exports (firmo/icp/quality.py, waterfall/quality.py,
  firmo/crm/quality.py);
- the enrichment's block check, before any paid call (`waterfall.enrich.block_reason`);
- the export's last gate, at export time (`firmo.crm.export`).
The units stay in the registry tables (sirene.*, inpi.*, core.companies): it is public data.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pyarrow as pa

from firmo import db
from firmo.sqlfiles import load_sql, render_identifiers

RNE_COMPANIES = "inpi.companies"
COMPANIES = "core.companies"

P_REASON = "non-diffusible unit (SIRENE statut P)"
OPPOSITION_REASON = "opposition to commercial use (RNE)"
UNKNOWN_REASON = "unit not in core.companies (registry state unknown)"
CLOSED_REASON = "closed unit (SIRENE etatAdministratif C)"

_EMPTY_RNE = ("empty_rne_companies", "siren VARCHAR, diffusion_commerciale BOOLEAN")
_EMPTY_COMPANIES = ("empty_core_companies", "siren VARCHAR, diffusible BOOLEAN, active BOOLEAN")


class RegistryMissing(ValueError):
    """The export's last gate cannot read the registry state it must check (a ValueError: the
    CLI shows it as one line, like every refused input)."""


def _or_empty(con: duckdb.DuckDBPyConnection, table: str, empty: tuple[str, str]) -> str:
    """`table`, or a connection-private empty stand-in with the columns read from it."""
    if db.table_exists(con, table):
        return table
    name, columns = empty
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({columns})")
    return name


def rne_companies(con: duckdb.DuckDBPyConnection) -> str:
    """inpi.companies, or an empty stand-in when the RNE is not loaded (nobody opposed yet)."""
    return _or_empty(con, RNE_COMPANIES, _EMPTY_RNE)


def opposed_subquery(con: duckdb.DuckDBPyConnection) -> str | None:
    """SQL of the SIRENs under RNE opposition, for persistent views and check expressions (which
    cannot name a TEMP stand-in); None when the RNE is not loaded."""
    if not db.table_exists(con, RNE_COMPANIES):
        return None
    return f"SELECT siren FROM {RNE_COMPANIES} WHERE diffusion_commerciale = false"


def not_opposed(con: duckdb.DuckDBPyConnection, column: str = "siren") -> str:
    """SQL predicate: `column` is not under RNE opposition (TRUE when the RNE is not loaded)."""
    opposed = opposed_subquery(con)
    return "TRUE" if opposed is None else f"{column} NOT IN ({opposed})"


def refusals(con: duckdb.DuckDBPyConnection, sirens: Iterable[str], *, strict: bool) -> dict[str, str]:
    """SIREN -> why it may not be prospected now, for the SIRENs that may not (current state).

    `strict=False` (enrichment): SIRENE `P` and RNE opposition; a registry table not loaded
    refuses nothing. `strict=True` (the export's last gate): also a closed unit and a unit absent
    from core.companies, and raises RegistryMissing without core.companies: a gate that cannot
    see the registry must not let anything through.
    """
    if strict and not db.table_exists(con, COMPANIES):
        raise RegistryMissing(
            "the export's last gate reads the current registry state in core.companies, "
            "which does not exist: load SIRENE first (firmo load sirene)"
        )
    frame = pa.table({"siren": pa.array(sorted({str(s) for s in sirens}), pa.string())})
    if frame.num_rows == 0:
        return {}
    companies = _or_empty(con, COMPANIES, _EMPTY_COMPANIES)
    sql = render_identifiers(
        load_sql("compliance/refusals"), sirens="__prospecting_sirens", companies=companies, rne=rne_companies(con)
    )
    con.register("__prospecting_sirens", frame)
    try:
        rows = con.execute(
            sql,
            {
                "strict": strict,
                "p_reason": P_REASON,
                "opposition_reason": OPPOSITION_REASON,
                "unknown_reason": UNKNOWN_REASON,
                "closed_reason": CLOSED_REASON,
            },
        ).fetchall()
    finally:
        con.unregister("__prospecting_sirens")
    return {siren: reason for siren, reason in rows if reason is not None}


def kept_out(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """Active units kept out of prospecting, per flag (the `make run` summary); [] without SIRENE."""
    if not db.table_exists(con, COMPANIES):
        return []
    sql = render_identifiers(load_sql("compliance/kept_out"), rne=rne_companies(con))
    [(p_only, opposed_only, both, prospectable)] = con.execute(sql).fetchall()
    return [
        ("SIRENE statut P only", p_only),
        ("RNE opposition only (diffusionCommerciale false)", opposed_only),
        ("both", both),
        ("kept out in total", p_only + opposed_only + both),
        ("prospectable (active, diffusible, not opposed)", prospectable),
    ]
