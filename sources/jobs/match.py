"""Job offers -> SIRENE establishments: who is hiring, with how sure a match.

Why a matcher at all: no France Travail offer exposes the employer's SIRET (open_data.md §9),
only `entreprise.nom` (absent for anonymous offers), `codeNAF` and the work place. So an offer is
credited to an establishment whose name (the unit's denomination, sigle or usual name, the
establishment's enseigne or usual name, a sole trader's name) equals the offer's once both are
normalised (accents, case, punctuation, legal-form words such as SAS / SARL), or is within a
Jaro-Winkler distance of it (typos), in the same commune (INSEE code; the postal code when the
offer has none), with a confidence that the NAF code raises or lowers. The rules and factors are
in firmo/sql/jobs/match_offers.sql; the default threshold (FIRMO_JOBS_MATCH_THRESHOLD, 0.85) keeps
the precision above 0.95 on the generated benchmark (bench/bench_job_matching.py).

Temp agencies (NAF 78.xx: RANDSTAD, ADEQUAT INTERIM...) appear as the employer of the offers they
place: an intent signal for the agency, not for the end client, so they are never credited
(`temp_agency` true, `siren` NULL).
"""

from __future__ import annotations

import duckdb

from firmo import db, identifiers
from firmo.sqlfiles import load_sql, quote_ident, render_identifiers

TARGET = "core.job_offers"
OFFRES = "jobs.offres"
UNITES_LEGALES, ETABLISSEMENTS = "sirene.unites_legales", "sirene.etablissements"
DEFAULT_THRESHOLD = 0.85  # FIRMO_JOBS_MATCH_THRESHOLD's default (firmo/settings.py)


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    identifiers.ensure_macros(con)  # firmo_value, which the name and commune keys use
    con.execute(load_sql("jobs/macros"))


def normalise_name(con: duckdb.DuckDBPyConnection, name: str | None) -> str | None:
    """The matcher's normal form of a name ('Boulangerie Dupont S.A.R.L.' -> 'BOULANGERIE DUPONT'),
    computed by the same SQL macro the matcher uses."""
    create_macros(con)
    rows = con.execute("SELECT jobs_norm_name(?::VARCHAR)", [name]).fetchall()
    return rows[0][0] if rows else None


def prepare(
    con: duckdb.DuckDBPyConnection,
    *,
    offres: str = OFFRES,
    unites_legales: str = UNITES_LEGALES,
    etablissements: str = ETABLISSEMENTS,
) -> None:
    """The matcher's inputs as temporary tables (jobs_match_offers, jobs_match_names)."""
    create_macros(con)
    con.execute(render_identifiers(load_sql("jobs/match_offers_input"), offres=offres))
    if db.table_exists(con, unites_legales) and db.table_exists(con, etablissements):
        con.execute(render_identifiers(load_sql("jobs/match_names_input"), ul=unites_legales, etab=etablissements))
    else:
        con.execute(load_sql("jobs/match_names_empty"))


def match_offers(
    con: duckdb.DuckDBPyConnection,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    offres: str = OFFRES,
    unites_legales: str = UNITES_LEGALES,
    etablissements: str = ETABLISSEMENTS,
    target: str = TARGET,
) -> dict[str, int]:
    """Build `target` (core.job_offers) from `offres` against the SIRENE tables, then swap it in.
    Returns rows by outcome: matched, temp_agency, anonymous, below_threshold, no_candidate."""
    staging = db.staging_name(target)
    db.drop_staging(con, target)
    try:
        prepare(con, offres=offres, unites_legales=unites_legales, etablissements=etablissements)
        con.execute(
            render_identifiers(load_sql("jobs/match_offers"), offres=offres, target=staging),
            {"threshold": threshold},
        )
        db.publish(con, [target])
    finally:
        con.execute(f"DROP TABLE IF EXISTS {quote_ident(staging)}")
        con.execute("DROP TABLE IF EXISTS jobs_match_offers")
        con.execute("DROP TABLE IF EXISTS jobs_match_names")
    return outcomes(con, target)


def outcomes(con: duckdb.DuckDBPyConnection, table: str = TARGET) -> dict[str, int]:
    """Offers of `table` by outcome (matched = credited to a SIREN)."""
    rows = con.execute(
        f"SELECT CASE WHEN siren IS NOT NULL THEN 'matched' ELSE split_part(match_method, ':', 1) END, count(*) "
        f"FROM {quote_ident(table)} GROUP BY 1"
    ).fetchall()
    counts = dict.fromkeys(("matched", "temp_agency", "anonymous", "below_threshold", "no_candidate"), 0)
    counts.update({str(k): int(v) for k, v in rows})
    return counts
