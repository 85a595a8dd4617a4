"""Look through holding companies: `core.officer_resolution`, the natural person behind each
legal-person officer of the RNE.

Why: about 7 % of the Président / Gérant / DG / DGD roles filed at the RNE are held by companies
(a holding presiding its subsidiary, a SCI managed by a family company). A lead whose decision
maker is "SCI PONS, Président de SAS" has no first name, so no email can be looked up: the lead
is dead although the person who decides is one or two filings away. The RNE names that person
either directly, as the permanent representative of the legal-person officer
(`pouvoir.representant`), or through the officers of the holding itself, found by its SIREN.

`build_officer_resolution` resolves every active legal-person officer of `inpi.officers`
(firmo/sql/inpi/officer_resolution.sql: at most `MAX_DEPTH` companies deep, cycles detected,
foreign and unknown holdings kept with their reason) into one row per officer:

- siren, representant_id, company_officer_siren, company_officer_name, role_code, role_label:
  the officer as inpi.officers has it (the first five identify it);
- outcome: 'representative' | 'resolved' | 'cycle' | 'foreign' | 'unknown' | 'too_deep';
- depth: companies in the chain (1: the officer itself);
- person_given_names, person_family_name, person_role_label: the natural person (resolved ones);
- chain: the steps, [{siren, name, role, kind}], kept as evidence, and `via`, the same in words
  ("Président de SAS: HOLDING DUPONT SAS, whose Président de SAS is Jean DUPONT"), shown in the
  lead's reasons and exports; reason: one line saying how or why not;
- holding_sirens: the companies of the chain with a SIREN, whose officers' changes count as
  signals of the operating company too (firmo/sql/signals/from_inpi.sql).

The lead lists use it (firmo/sql/icp/prospects_officers.sql, leads.sql): when the chosen decision
maker is a company, the lead's first and last names are the resolved person's, so the waterfall
can look an email up, and `officer_resolution` / `decision_maker_via` say how.

It is rebuilt, from scratch and swapped in, by both of its readers (signals, then prospects): a
few seconds even on the full RNE, and neither can then read a resolution older than its officers.
"""

from __future__ import annotations

import duckdb

from firmo import db
from firmo.reference.roles import DECISION_RANK, role_codes
from firmo.sqlfiles import load_sql, quote_ident, render_identifiers

TABLE = "core.officer_resolution"
OFFICERS = "inpi.officers"
COMPANIES = "inpi.companies"
MAX_DEPTH = 3
OUTCOMES = ("representative", "resolved", "cycle", "foreign", "unknown", "too_deep")
NATURAL = ("representative", "resolved")  # outcomes that give a natural person
# inpi.officers columns the walk reads, with their type: a warehouse loaded before a column
# existed (or a hand-built test table) reads NULL there
COLUMNS = {
    "siren": "VARCHAR",
    "officer_kind": "VARCHAR",
    "family_name": "VARCHAR",
    "given_names": "VARCHAR",
    "company_officer_siren": "VARCHAR",
    "company_officer_name": "VARCHAR",
    "company_officer_country": "VARCHAR",
    "representative_family_name": "VARCHAR",
    "representative_given_names": "VARCHAR",
    "role_code": "VARCHAR",
    "role_label": "VARCHAR",
    "start_date": "DATE",
    "active": "BOOLEAN",
    "representant_id": "VARCHAR",
}
_INPUT, _RNE = "lookthrough_officers", "lookthrough_rne"


def _inputs(con: duckdb.DuckDBPyConnection, officers: str) -> None:
    """TEMP views over the officers (every column the walk reads) and the SIRENs with a payload."""
    present = db.columns_of(con, officers) if "." in officers else set()
    source = quote_ident(officers) if present else None
    cols = ", ".join(
        quote_ident(c) if c in present else f"CAST(NULL AS {t}) AS {quote_ident(c)}" for c, t in COLUMNS.items()
    )
    body = f"SELECT {cols} FROM {source}" if source else f"SELECT {cols} WHERE false"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {_INPUT} AS {body}")
    rne = f"SELECT siren FROM {quote_ident(COMPANIES)} UNION " if db.table_exists(con, COMPANIES) else ""
    con.execute(f"CREATE OR REPLACE TEMP VIEW {_RNE} AS {rne}SELECT DISTINCT siren FROM {_INPUT}")


def resolution_statement(officers: str = _INPUT, rne: str = _RNE) -> tuple[str, dict[str, object]]:
    """The look-through query over `officers` / `rne` and its parameters (also used by tests)."""
    sql = render_identifiers(load_sql("inpi/officer_resolution"), officers=officers, rne=rne)
    decision = [code for code, (_, decides) in role_codes().items() if decides]
    return sql, {"decision_codes": decision, "rank": list(DECISION_RANK), "max_depth": MAX_DEPTH}


def build_officer_resolution(con: duckdb.DuckDBPyConnection, officers: str = OFFICERS) -> dict[str, int]:
    """Rebuild core.officer_resolution from `officers` (inpi.officers; empty when it is not
    loaded, or is a TEMP stand-in); return the number of officers per outcome."""
    con.execute("CREATE SCHEMA IF NOT EXISTS core")
    _inputs(con, officers if "." in officers and db.table_exists(con, officers) else "")
    sql, params = resolution_statement()
    staging = db.staging_name(TABLE)
    db.drop_staging(con, TABLE)
    try:
        con.execute(f"CREATE TABLE {quote_ident(staging)} AS {sql}", params)
        db.publish(con, [TABLE])
    finally:
        db.drop_staging(con, TABLE)
        con.execute(f"DROP VIEW IF EXISTS {_RNE}")
        con.execute(f"DROP VIEW IF EXISTS {_INPUT}")
    rows = con.execute(f"SELECT outcome, count(*) FROM {TABLE} GROUP BY 1").fetchall()
    return {outcome: int(n) for outcome, n in rows}


def natural_person_contacts(con: duckdb.DuckDBPyConnection, leads: str) -> tuple[int, int, int] | None:
    """(leads, whose contact is a natural person before look-through, after) of a lead list, or
    None for a list built before the look-through (no `officer_resolution` column)."""
    columns = db.columns_of(con, leads)
    if "officer_resolution" not in columns:
        return None
    row = con.execute(
        f"SELECT count(*), count(*) FILTER (officer_kind = 'person'), "
        f"count(*) FILTER (officer_kind = 'person' OR officer_resolution IN (SELECT unnest(?::VARCHAR[]))) "
        f"FROM {quote_ident(leads)}",
        [list(NATURAL)],
    ).fetchall()[0]
    return int(row[0]), int(row[1]), int(row[2])
