"""A small warehouse for the alert tests: core.companies (registry state), core.signals, one
lead list leads.acme, written as the loaders and build_leads write them (the columns alerts read)."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from firmo import db
from firmo.icp.config import parse_icp

AS_OF = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 9, 0)
# siren -> (name, diffusible, active)
COMPANIES = {
    "100000001": ("ALPHA SAS", True, True),
    "100000002": ("BETA SARL", True, True),
    "100000003": ("GAMMA SA", True, True),
    "100000004": ("DELTA SAS", False, True),  # SIRENE statut P
    "100000005": ("EPSILON SAS", True, True),  # a customer
    "100000006": ("ZETA SAS", True, True),  # watched, not a lead
}


def leads(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, float, str]]) -> None:
    """leads.acme with (siren, score, tier) rows; the other columns from COMPANIES."""
    con.execute(
        "CREATE OR REPLACE TABLE leads.acme (icp VARCHAR, siren VARCHAR, company_name VARCHAR, city VARCHAR, "
        "score DOUBLE, tier VARCHAR, first_name VARCHAR, last_name VARCHAR, job_title VARCHAR, "
        "score_reasons VARCHAR[], statut_diffusion VARCHAR)"
    )
    for siren, score, tier in rows:
        con.execute(
            "INSERT INTO leads.acme VALUES ('acme', ?, ?, 'Nantes', ?, ?, 'Jeanne', 'Martin', 'Présidente', "
            "['NAF 62.01Z in target', 'new Président 3 days ago'], 'O')",
            [siren, COMPANIES[siren][0], score, tier],
        )


def signal(con: duckdb.DuckDBPyConnection, siren: str, kind: str, day: date, ref: str, source: str = "bodacc") -> None:
    con.execute(
        "INSERT INTO core.signals VALUES (?, ?, ?, 1.0, 'positive', ?, ?, ?, ?)",
        [siren, kind, day, kind.replace("_", " "), f"BODACC B n°{ref}", source, ref],
    )


@pytest.fixture
def con(tmp_path):
    connection = db.connect(tmp_path / "w.duckdb")
    db.ensure_schemas(connection)
    connection.execute("CREATE TABLE core.companies (siren VARCHAR, name VARCHAR, diffusible BOOLEAN, active BOOLEAN)")
    connection.executemany("INSERT INTO core.companies VALUES (?, ?, ?, ?)", [[s, *v] for s, v in COMPANIES.items()])
    connection.execute(
        "CREATE TABLE core.signals (siren VARCHAR, signal_type VARCHAR, signal_date DATE, strength DOUBLE, "
        "polarity VARCHAR, label VARCHAR, evidence VARCHAR, source VARCHAR, source_ref VARCHAR)"
    )
    yield connection
    connection.close()


def icp(alerts: list[dict]) -> object:
    return parse_icp({"criteria": {}, "alerts": alerts}, default_name="acme")
