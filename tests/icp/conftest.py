from __future__ import annotations

from datetime import date

import duckdb
import pytest

from tests.icp.warehouse import company, officer, signal, build_warehouse

# The universe most tests select from; each company differs from the default in a few ways.
UNIVERSE = [
    company("000000001"),                                                         # 62.01Z 20-49 Paris SAS PME
    company("000000002", naf="62.02A", band="11", commune="69123"),               # Lyon, 10-19
    company("000000003", naf="47.11B", band="21", commune="35238", legal_form="5499"),
    company("000000004", naf="43.21A", band="32", commune="69123", legal_form="5599", category="ETI"),
    company("000000005", naf="70.22Z", band="NN", legal_form="1000", category=None, created=date(2024, 1, 10)),
    company("000000006", diffusible=False),                                       # P: never a lead
    company("000000007", active=False),                                           # ceased
    company("000000008", naf="58.29C", band=None, commune="35238", category=None, created=date(1990, 5, 2)),
    company("000000009"),                                                         # collective proceeding
    company("000000010", naf="63.11Z"),                                           # radiation
]
REVENUES = {"000000001": 2_000_000, "000000003": 500_000, "000000004": 60_000_000, "000000008": 5_000_000,
            "000000009": 3_000_000, "000000010": 1_000_000, "000000006": 4_000_000}
OFFICERS = [
    officer("000000001", "73", "Président de SAS"),
    officer("000000002", "30", "Gérant", given="Luc", family="PETIT"),
    officer("000000003", "65", "Administrateur"),
    officer("000000006", "73", "Président de SAS"),
]
SIGNALS = [
    signal("000000009", "collective_proceeding", date(2025, 3, 1), label="redressement judiciaire", negative=True),
    signal("000000010", "radiation", date(2025, 5, 1), label="radiation", negative=True),
    signal("000000006", "capital_increase", date(2025, 6, 1), label="capital increase"),
]


@pytest.fixture()
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.fixture()
def universe(con):
    build_warehouse(con, UNIVERSE, signals=SIGNALS, officers=OFFICERS, revenues=REVENUES)
    return con
