"""core.prospects_open_data, the subset of core.prospects a labels, public_contracts or hiring
criterion reads (firmo.icp.prospects): the same leads, reasons and counts as the full scan, and the
full scan again whenever a criterion's table holds a SIREN the subset was not built from."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from firmo.icp import build_prospects, preview
from firmo.icp.prospects import OPEN_DATA_FINGERPRINTS, OPEN_DATA_SIRENS, OPEN_DATA_TABLE, TABLE
from firmo.icp.score import criteria_on, leads_statement, prospects_table
from tests.icp.test_open_data_criteria import icp_of, open_data
from tests.icp.warehouse import AS_OF, build_warehouse, company

# companies 1-4 have labels, contracts or job offers (tests/icp/test_open_data_criteria.py); 5-8 none
ICPS = {
    "labels": {"labels": {"any": ["rge", "qualiopi"]}},
    "labels_all_on_a_day": {"labels": {"all": ["rge", "qualiopi"], "valid_on": "2024-06-01"}},
    "contracts": {"public_contracts": {}},
    "contracts_cpv": {"public_contracts": {"cpv_prefixes": ["45"], "within_days": 730}},
    "hiring": {"hiring": {"within_days": 60}},
    "labels_and_near": {"labels": {"any": ["rge"]}, "near": {"commune": "Nantes", "radius_km": 30}},
    "contracts_and_hiring": {"public_contracts": {}, "hiring": {}, "headcount": {"min": 1, "max": 5000}},
}


@pytest.fixture()
def con():
    connection = duckdb.connect()
    build_warehouse(connection, [company(f"{n:09d}") for n in range(1, 9)])
    open_data(connection)
    build_prospects(connection)  # now with the open-data tables: the subset is built from them
    yield connection
    connection.close()


def previews(con, criteria: dict):
    """(the table read, the preview, every lead row of a build stamped at one fixed time)"""
    icp = icp_of(criteria)
    result = preview(con, icp, as_of=AS_OF, top=100)
    sql, params = leads_statement(con, icp, AS_OF, updated_at=datetime(2025, 6, 30, 8, 0))
    return prospects_table(con, criteria_on(icp)), result, con.execute(sql, params).fetchall()


def test_the_subset_holds_the_prospects_of_the_open_data_tables(con):
    assert con.execute(f"SELECT siren FROM {OPEN_DATA_TABLE} ORDER BY siren").fetchall() == [
        (f"{n:09d}",) for n in (1, 2, 3, 4)
    ]
    assert con.execute(f"SELECT count(*) FROM {OPEN_DATA_SIRENS}").fetchall() == [(4,)]
    # SIRENs per table (count of non-null, job offers included)
    assert con.execute(f"SELECT source, sirens FROM {OPEN_DATA_FINGERPRINTS} ORDER BY source").fetchall() == [
        ("core.job_offers", 7),
        ("core.labels", 7),
        ("core.public_contracts", 5),
    ]
    full = con.execute(f"SELECT * FROM {TABLE} WHERE siren <= '000000004' ORDER BY siren").fetchall()
    assert con.execute(f"SELECT * FROM {OPEN_DATA_TABLE} ORDER BY siren").fetchall() == full


@pytest.mark.parametrize("name", sorted(ICPS))
def test_the_subset_gives_the_leads_and_counts_of_the_full_scan(con, name):
    table, fast, fast_rows = previews(con, ICPS[name])
    assert table == OPEN_DATA_TABLE
    con.execute(f"DROP TABLE {OPEN_DATA_TABLE}")  # the full scan, as before the subset existed
    table, scan, scan_rows = previews(con, ICPS[name])
    assert table == TABLE
    assert fast.total == scan.total and fast.total > 0
    assert fast.counts == scan.counts
    assert fast_rows == scan_rows and len(fast_rows) == fast.total


@pytest.mark.parametrize(
    "criteria", [{}, {"near": {"commune": "Nantes", "radius_km": 30}}, {"idcc": {"codes": ["1486"]}}]
)
def test_other_icps_scan_the_full_table(con, criteria):
    assert prospects_table(con, criteria_on(icp_of(criteria))) == TABLE


def test_a_siren_loaded_after_the_build_falls_back_to_the_full_scan(con):
    con.execute(
        "INSERT INTO core.labels VALUES ('000000007', NULL, 'qualiopi', 'VAE', DATE '2021-01-01', NULL, 'dgefp')"
    )
    table, result, _ = previews(con, {"labels": {"any": ["qualiopi"]}})
    assert table == TABLE
    assert sorted(result.top["siren"].to_list()) == ["000000002", "000000003", "000000007"]
    # a criterion whose own table is unchanged still reads the subset
    assert prospects_table(con, {"public_contracts"}) == OPEN_DATA_TABLE
    # with labels and contracts set, the smaller table (contracts, 5 rows, all seen) decides: every
    # lead must have a contract, so the new label cannot add one
    assert prospects_table(con, {"labels", "public_contracts"}) == OPEN_DATA_TABLE


def test_a_siren_changed_in_place_falls_back_to_the_full_scan(con):
    con.execute("UPDATE core.labels SET siren = '000000007' WHERE label = 'ess'")  # as many rows as before
    table, result, _ = previews(con, {"labels": {"any": ["ess"]}})
    assert table == TABLE
    assert result.top["siren"].to_list() == ["000000007"]


def test_without_any_open_data_table_the_subset_is_empty():
    connection = duckdb.connect()
    build_warehouse(connection, [company(f"{n:09d}") for n in range(1, 3)])
    assert connection.execute(f"SELECT count(*) FROM {OPEN_DATA_TABLE}").fetchall() == [(0,)]
    assert connection.execute(f"SELECT count(*) FROM {OPEN_DATA_SIRENS}").fetchall() == [(0,)]
    assert connection.execute(f"SELECT count(*) FROM {OPEN_DATA_FINGERPRINTS}").fetchall() == [(0,)]
    connection.close()
