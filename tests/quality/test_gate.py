"""The export gate: the latest result of every blocking check upstream of an ICP's export, from
whatever run recorded it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from assets import checks
from firmo.quality.gate import QualityGateError
from firmo.quality.model import Thresholds, ensure_tables

from .tables import ACME, COMPANIES, ENRICHED, SIRETS, clean_companies, table, warehouse

T0 = datetime(2026, 11, 1, 3, 0)
LIMITS = Thresholds()


@pytest.fixture()
def con():
    connection = warehouse()
    yield connection
    connection.close()


def bad_companies(con):
    table(con, "core.companies", COMPANIES, [(ACME, SIRETS[ACME], "62.01Z", "NAFRev2", "12", True)] * 2)


def check(con, name, run_id, minutes, icp=None):
    return checks.run_check(con, name, run_id=run_id, icp=icp, limits=LIMITS, now=T0 + timedelta(minutes=minutes))


def test_nothing_recorded_yet_allows_the_export(con):
    assert checks.blocking_failures(con, "demo") == []
    checks.assert_exports_allowed(con, "demo")


def test_a_failed_blocking_check_refuses_the_export_until_it_passes_again(con):
    bad_companies(con)
    assert not check(con, "companies_siren", "earlier-run-1", 0).success
    assert checks.blocking_failures(con, "demo") == [
        ("companies_siren", "core/companies", None, "earlier-run-1", T0,
         "companies_siren: 1 of 4 expectations failed on core.companies: SIREN unique: 2 of 2 rows (100.0%) "
         "(e.g. 443061841)")]
    with pytest.raises(QualityGateError) as refused:
        checks.assert_exports_allowed(con, "demo")
    assert str(refused.value) == (
        "CRM export of demo refused: 1 blocking data-quality check failed (companies_siren). Fix the data and "
        "re-materialize the checked asset; details in quality.check_results.\n"
        "companies_siren on core/companies (run earlier-, 2026-11-01 03:00 UTC): companies_siren: 1 of 4 expectations "
        "failed on core.companies: SIREN unique: 2 of 2 rows (100.0%) (e.g. 443061841)")
    clean_companies(con)  # the next load is fine
    assert check(con, "companies_siren", "later-run", 1).success
    checks.assert_exports_allowed(con, "demo")


def test_warnings_and_non_blocking_errors_do_not_gate(con):
    table(con, "core.companies", COMPANIES, [(ACME, SIRETS[ACME], "00.00Z", "NAFRev2", "ZZ", True)])
    table(con, "core.latest_financials", {"siren": "VARCHAR", "revenue": "BIGINT"}, [(ACME, -1)])
    assert not check(con, "companies_codes", "r1", 0).success              # WARN
    assert not check(con, "latest_financials_values", "r1", 1).success    # ERROR, not blocking
    checks.assert_exports_allowed(con, "demo")


def test_per_icp_checks_gate_only_their_own_icp(con):
    table(con, "leads.other_enriched", ENRICHED, [("other", 1, ACME, "O", "not-an-email", None)])
    assert not check(con, "enriched_leads_contacts", "r1", 0, icp="other").success
    checks.assert_exports_allowed(con, "demo")
    with pytest.raises(QualityGateError, match=r"\(enriched_leads_contacts\)") as refused:
        checks.assert_exports_allowed(con, "other")
    assert "enriched_leads_contacts on enriched_leads[other] (run r1, 2026-11-01 03:00 UTC)" in str(refused.value)


def test_the_exports_own_check_and_retired_checks_do_not_gate(con):
    """crm_exports_no_p_unit runs after the export: gating on it would lock the ICP for good."""
    row = ("INSERT INTO quality.check_results VALUES (?, ?, ?, 'old-run', false, true, 'ERROR', 'failed', NULL, "
           "TIMESTAMP '2026-10-01 00:00:00')")
    ensure_tables(con)
    con.execute(row, ["crm_exports_no_p_unit", "crm_exports", "demo"])
    con.execute(row, ["companies_checksum_v0", "core/companies", None])  # a check that no longer exists
    checks.assert_exports_allowed(con, "demo")


def test_every_failing_check_is_named(con):
    bad_companies(con)
    table(con, "leads.demo_enriched", ENRICHED, [("demo", 1, ACME, "P", None, "0612")])
    check(con, "companies_siren", "r1", 0)
    check(con, "enriched_leads_contacts", "r2", 1, icp="demo")
    check(con, "enriched_leads_no_p_unit", "r2", 2, icp="demo")
    con.execute("CREATE TABLE core.latest_financials AS SELECT 1 AS x")
    check(con, "latest_financials_row_count", "r3", 3)  # first load: passes
    assert [f[:3] for f in checks.blocking_failures(con, "demo")] == [
        ("companies_siren", "core/companies", None),
        ("enriched_leads_contacts", "enriched_leads", "demo"),
        ("enriched_leads_no_p_unit", "enriched_leads", "demo"),
    ]
    with pytest.raises(QualityGateError, match=r"3 blocking data-quality checks failed \(companies_siren, "
                                                       r"enriched_leads_contacts, enriched_leads_no_p_unit\)"):
        checks.assert_exports_allowed(con, "demo")


def test_the_gates_are_the_blocking_checks_upstream_of_the_export():
    assert checks.EXPORT_GATES == (
        "unites_legales_siren", "unites_legales_row_count", "etablissements_siret", "etablissements_row_count",
        "companies_siren", "companies_row_count", "latest_financials_row_count", "officers_row_count",
        # the open-data tables the ICP criteria read: a shrunken load must not reach a CRM
        "decp_marches_row_count", "public_contracts_row_count", "geolocalisation_row_count",
        "establishment_locations_row_count", "siret_idcc_row_count", "ref_idcc_row_count", "labels_row_count",
        "icp_leads_siren", "icp_leads_no_p_unit", "icp_leads_no_opposed_unit", "enriched_leads_contacts",
        "enriched_leads_no_p_unit", "enriched_leads_no_opposed_unit")


def test_the_run_summary_counts_the_latest_result_of_each_check(data_env):
    from firmo import db
    from pipelines import summary

    with db.connection() as con:
        ensure_tables(con)
        con.executemany("INSERT INTO quality.check_results VALUES (?, 'a', ?, 'r', ?, ?, 'ERROR', 's', NULL, ?)", [
            ("companies_siren", None, False, True, "2026-11-01 03:00"),
            ("companies_siren", None, True, True, "2026-11-02 03:00"),      # fixed since
            ("icp_leads_siren", "demo", False, True, "2026-11-02 03:00"),
            ("icp_leads_tier_distribution", "demo", False, False, "2026-11-02 03:00"),
            ("icp_leads_siren", "other", True, True, "2026-11-02 03:00"),
        ])
        assert summary.quality_lines(con) == ["", "Data quality: 2 of 4 checks passed; failed (1 blocking): "
                                              "icp_leads_siren[demo], icp_leads_tier_distribution[demo]  "
                                              "(SELECT * FROM quality.check_results)"]
