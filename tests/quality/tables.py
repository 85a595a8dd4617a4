"""Small hand-written tables for the data-quality tests: every row is here, so every failing
expectation and example can be read off the rows."""

from __future__ import annotations

import duckdb

from firmo import db
from firmo.reference import load_reference

# Valid identifiers (python-stdnum agrees): SIREN -> its head-office SIRET.
ACME, GANYMEDE, TITAN, SECRET = "443061841", "880878145", "732829320", "552100554"
SIRETS = {ACME: "44306184100013", GANYMEDE: "88087814500015", TITAN: "73282932000074", SECRET: "55210055400013"}
LA_POSTE = "35600000049837"  # valid by La Poste's digit-sum rule, not by Luhn
BAD_SIREN = "443061842"        # Luhn fails


def warehouse(con: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with the schemas and the ref.* tables."""
    con = con or duckdb.connect()
    db.ensure_schemas(con)
    load_reference(con)
    return con


def table(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str], rows: list[tuple]) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
    if rows:
        con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' for _ in columns)})", rows)


UL = {"siren": "VARCHAR", "activitePrincipaleUniteLegale": "VARCHAR",
      "nomenclatureActivitePrincipaleUniteLegale": "VARCHAR", "trancheEffectifsUniteLegale": "VARCHAR"}
ETAB = {"siren": "VARCHAR", "nic": "VARCHAR", "siret": "VARCHAR"}
COMPANIES = {"siren": "VARCHAR", "siret_siege": "VARCHAR", "naf_code": "VARCHAR", "naf_nomenclature": "VARCHAR",
             "headcount_band": "VARCHAR", "diffusible": "BOOLEAN"}
FINANCIALS = {"siren": "VARCHAR", "revenue": "BIGINT"}
LEADS = {"icp": "VARCHAR", "rank": "INTEGER", "siren": "VARCHAR", "siret": "VARCHAR", "tier": "VARCHAR",
         "statut_diffusion": "VARCHAR"}
ENRICHED = {"icp": "VARCHAR", "rank": "INTEGER", "siren": "VARCHAR", "statut_diffusion": "VARCHAR", "email": "VARCHAR",
            "phone": "VARCHAR"}


def clean_companies(con: duckdb.DuckDBPyConnection) -> None:
    table(con, "core.companies", COMPANIES, [
        (ACME, SIRETS[ACME], "62.01Z", "NAFRev2", "12", True),
        (GANYMEDE, None, "45.2B", "NAFRev1", None, True),          # ceased unit: NAF rév. 1 is not checked
        (TITAN, SIRETS[TITAN], "70.22Z", "NAFRev2", "NN", True),
        (SECRET, SIRETS[SECRET], "47.11B", "NAFRev2", "21", False),  # a P unit
    ])
