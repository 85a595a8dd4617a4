"""firmo.icp.preview answers in one statement (sql/icp/preview_kept.sql, preview.sql): the same
counts, the same leads in the same order, with the same values and column types, as the counts
query and the lead query run one after the other (score.counts, score.lead_rows), for ICPs that
set every kind of criterion; and an ICP selecting nothing gives empty counts and an empty frame
of the lead columns."""

from __future__ import annotations

import duckdb
import pytest

from firmo.icp import build_prospects, preview
from firmo.icp.score import counts, lead_rows
from tests.icp.test_open_data_criteria import icp_of, open_data
from tests.icp.warehouse import AS_OF, build_warehouse, company

ICPS = {
    "no_criterion": {},
    "naf_and_headcount": {"naf": {"include": ["62"]}, "headcount": {"min": 1, "max": 5000}},
    "near": {"near": {"commune": "Nantes", "radius_km": 30}},
    "near_a_point_5_km": {"near": {"lat": 47.2184, "lon": -1.5536, "radius_km": 5}},
    "labels_and_near": {"labels": {"any": ["rge"]}, "near": {"commune": "Nantes", "radius_km": 30}},
    "idcc": {"idcc": {"codes": ["1486"]}},
    "contracts_and_hiring": {"public_contracts": {}, "hiring": {}},
    "contracts_cpv": {"public_contracts": {"cpv_prefixes": ["45"], "within_days": 730}},
}


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    build_warehouse(connection, [company(f"{n:09d}") for n in range(1, 9)])
    open_data(connection)
    # company 6: two establishments at one point, 2.2 km from Nantes: the first SIRET is reported
    connection.executemany(
        "INSERT INTO core.establishment_locations VALUES (?, ?, ?, ?, '11', true, 10.0, '44109', '244400404', true, ?)",
        [(f"000000006{nic}", "000000006", 47.2384, -1.5536, 1372 * 3600 + 1784) for nic in ("00099", "00050")],
    )
    build_prospects(connection)
    yield connection
    connection.close()


def _stamp(frame):
    return frame.drop("lead_updated_at")  # the time the statement ran


@pytest.mark.parametrize("name", sorted(ICPS))
def test_one_statement_gives_the_counts_and_leads_of_the_two_queries(con, name):
    icp = icp_of(ICPS[name])
    result = preview(con, icp, as_of=AS_OF, top=3)
    two = lead_rows(con, icp, AS_OF, limit=3)
    assert result.counts == counts(con, icp, AS_OF)
    assert result.total == sum(n for _, n in result.counts["tier"])
    assert _stamp(result.top).schema == _stamp(two).schema
    assert _stamp(result.top).to_dicts() == _stamp(two).to_dicts()
    assert result.top["lead_updated_at"].dtype == two["lead_updated_at"].dtype


def test_the_near_lead_reports_the_nearest_establishment(con):
    """Company 4 has establishments 20.0 and 10.0 km from Nantes: the 10.0 km one is reported;
    company 1 its Rezé establishment (3.2 km), not its Paris head office; company 6 the first of
    its two establishments at 2.2 km."""
    top = preview(con, icp_of(ICPS["near"]), as_of=AS_OF, top=10).top
    got = {r["siren"]: (r["near_siret"], r["near_distance_km"]) for r in top.iter_rows(named=True)}
    assert got == {
        "000000001": ("00000000100038", 3.2),
        "000000004": ("00000000400020", 10.01),
        "000000006": ("00000000600050", 2.22),
    }


def test_a_preview_selecting_nothing(con):
    icp = icp_of({"near": {"lat": 43.6, "lon": 1.44, "radius_km": 1}})  # Toulouse: nobody
    result = preview(con, icp, as_of=AS_OF)
    assert result.total == 0
    assert result.counts == {"tier": [], "region": [], "naf_division": [], "headcount_band": []}
    assert result.top.height == 0
    assert result.top.schema == lead_rows(con, icp, AS_OF, limit=3).schema
