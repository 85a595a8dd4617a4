"""The blocking "no unit opposed at the RNE" checks beside the "no P unit" ones: on the lead list,
the enriched list and what was exported, read from inpi.companies (its latest payload) when the
check runs; a failure stops the ICP's export."""

from __future__ import annotations

import pytest

from assets import checks
from firmo.crm.tables import ensure_tables
from firmo.quality.gate import QualityGateError
from firmo.quality.model import Thresholds

from .tables import ACME, ENRICHED, GANYMEDE, LEADS, SECRET, SIRETS, TITAN, clean_companies, table, warehouse

LABEL = "unit not opposed to commercial use at the RNE (diffusionCommerciale)"
RNE = {"siren": "VARCHAR", "diffusion_commerciale": "BOOLEAN"}


@pytest.fixture()
def con():
    connection = warehouse()
    clean_companies(connection)
    yield connection
    connection.close()


def run(con, check: str, icp: str = "demo") -> list[tuple]:
    result = checks.run_check(con, check, run_id="test-run", icp=icp, limits=Thresholds())
    return [(o.label, o.success, o.observed, list(o.examples)) for o in result.outcomes]


def leads(con, sirens):
    table(con, "leads.demo", LEADS, [("demo", i, s, SIRETS.get(s), "warm", "O") for i, s in enumerate(sirens, 1)])


def opposition(con, rows):
    table(con, "inpi.companies", RNE, rows)


def test_the_checks_are_blocking_gates_of_the_export():
    for name in ("icp_leads_no_opposed_unit", "enriched_leads_no_opposed_unit", "crm_exports_no_opposed_unit"):
        spec = checks.check_named(name)
        assert (spec.blocking, spec.severity) == (True, "ERROR")
    assert {"icp_leads_no_opposed_unit", "enriched_leads_no_opposed_unit"} <= set(checks.EXPORT_GATES)


def test_lead_list_without_the_rne_loaded_passes(con):
    leads(con, [ACME, GANYMEDE, TITAN])
    assert run(con, "icp_leads_no_opposed_unit") == [(LABEL, True, "0 of 3 rows (0.0%)", [])]


def test_lead_list_with_an_opposed_unit_fails_and_stops_the_export(con):
    leads(con, [ACME, GANYMEDE, TITAN])
    opposition(con, [(ACME, True), (GANYMEDE, False), (SECRET, False), (TITAN, None)])  # NULL: no flag, no opposition
    assert run(con, "icp_leads_no_opposed_unit") == [(LABEL, False, "1 of 3 rows (33.3%)", [GANYMEDE])]
    # the statut P rules of the same list still pass: the two flags are told apart
    assert [o[1] for o in run(con, "icp_leads_no_p_unit")] == [True, True]
    with pytest.raises(QualityGateError, match=r"1 blocking data-quality check failed "
                                                       r"\(icp_leads_no_opposed_unit\)"):
        checks.assert_exports_allowed(con, "demo")
    # a later payload lifts the opposition: the check passes and the export is allowed again
    opposition(con, [(ACME, True), (GANYMEDE, True), (SECRET, False), (TITAN, None)])
    assert run(con, "icp_leads_no_opposed_unit") == [(LABEL, True, "0 of 3 rows (0.0%)", [])]
    checks.assert_exports_allowed(con, "demo")


def test_enriched_list_with_an_opposed_unit_fails(con):
    table(con, "leads.demo_enriched", ENRICHED, [("demo", 1, ACME, "O", None, None), ("demo", 2, TITAN, "O", None, None)])
    opposition(con, [(TITAN, False)])
    assert run(con, "enriched_leads_no_opposed_unit") == [(LABEL, False, "1 of 2 rows (50.0%)", [TITAN])]
    assert [f[0] for f in checks.blocking_failures(con, "demo")] == ["enriched_leads_no_opposed_unit"]


def test_exports_ledger_with_an_opposed_unit_fails(con):
    assert run(con, "crm_exports_no_opposed_unit") == []  # nothing exported yet: nothing to check
    ensure_tables(con)
    ledger = "INSERT INTO exports.ledger VALUES (?, ?, ?, ?, NULL, 'h', TIMESTAMP '2026-11-01 00:00:00', 'f.csv')"
    con.executemany(ledger, [("hubspot", "demo", f"{ACME}|x", ACME), ("salesforce", "demo", f"{GANYMEDE}|x", GANYMEDE),
                             ("pipedrive", "other", f"{GANYMEDE}|x", GANYMEDE)])
    opposition(con, [(GANYMEDE, False)])
    assert run(con, "crm_exports_no_opposed_unit") == [(LABEL, False, "1 of 2 rows (50.0%)", [GANYMEDE])]
