"""The checks through Dagster: a failing blocking check stops crm_exports in the same run, and a
failure recorded by an earlier run stops it too; results and failing examples are in the metadata."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest
from dagster import AssetCheckSeverity, AssetKey, AssetSelection, DagsterInstance, materialize

from assets import checks
from assets.checks import quality_checks
from assets.exports import crm_exports
from assets.icp import icp_leads, prospects
from assets.partitions import icp_partitions
from firmo import db
from firmo.quality.gate import QualityGateError
from firmo.settings import Settings
from assets.resources import WarehouseResource, resources_from_settings
from tests.icp.conftest import OFFICERS, REVENUES, SIGNALS, UNIVERSE
from tests.icp.warehouse import AS_OF, build_warehouse, company

from .tables import ACME, COMPANIES, GANYMEDE, SIRETS, TITAN, table


def checks_of(*assets: str):
    keys = {AssetKey(a) for a in assets}
    return [c for c in quality_checks if {k.asset_key for k in c.check_keys} <= keys]


@pytest.fixture()
def icp_folder(tmp_path, monkeypatch):
    folder = tmp_path / "icps"
    folder.mkdir()
    (folder / "tech.yaml").write_text("criteria:\n  naf: {include: [J]}\n", encoding="utf-8")
    monkeypatch.setenv("FIRMO_ICP_DIR", str(folder))
    monkeypatch.setenv("FIRMO_EXPORTS_DIR", str(tmp_path / "exports"))
    return folder


def lead_delivery(db_file):
    """icp_leads then crm_exports for ICP `tech`, with their checks, as the lead_delivery job runs them."""
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(icp_partitions.name, ["tech"])
    return materialize(
        [prospects, icp_leads, crm_exports, *checks_of("icp_leads", "crm_exports")], partition_key="tech",
        instance=instance, resources={**resources_from_settings(Settings.from_env()),
                                      "warehouse": WarehouseResource(database=str(db_file))},
        run_config={"ops": {"icp_leads": {"config": {"as_of": AS_OF.isoformat()}}}},
        selection=AssetSelection.assets(icp_leads, crm_exports), raise_on_error=False)


def evaluations(result) -> dict[str, tuple]:
    return {e.check_name: (e.passed, e.severity) for e in result.get_asset_check_evaluations()}


def test_a_failing_blocking_check_stops_the_export_in_the_same_run(tmp_path, icp_folder):
    db_file = tmp_path / "wh.duckdb"
    with duckdb.connect(str(db_file)) as con:
        build_warehouse(con, UNIVERSE, signals=SIGNALS, officers=OFFICERS, revenues=REVENUES)  # SIRENs 000000001...: Luhn fails
    result = lead_delivery(db_file)
    assert not result.success
    assert [m.asset_key for m in result.get_asset_materialization_events()] == [AssetKey("icp_leads")]
    assert evaluations(result) == {
        "icp_leads_siren": (False, AssetCheckSeverity.ERROR),
        "icp_leads_no_p_unit": (True, AssetCheckSeverity.ERROR),
        "icp_leads_no_opposed_unit": (True, AssetCheckSeverity.ERROR),
        "icp_leads_tier_distribution": (True, AssetCheckSeverity.WARN),
    }
    (failed,) = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert failed.metadata["failing examples"].value == (
        "- **SIREN: 9 digits, Luhn checksum**: `000000001`, `000000002`, `000000008`\n"
        "- **SIRET checksum (when known)**: `00000000100012`, `00000000200012`, `00000000800012`")
    assert "| SIREN: 9 digits, Luhn checksum | `expect_column_values_to_be_in_set` | siren_ok | ❌ failed | 3 of 3 rows " \
           "(100.0%) | 000000001, 000000002, 000000008 |" in failed.metadata["expectations"].value
    assert (failed.metadata["rows checked"].value, failed.metadata["failed expectations"].value) == (3, 2)
    assert failed.description.startswith("icp_leads_siren: 2 of 4 expectations failed on leads.tech: ")
    steps = {kind: sorted({e.step_key for e in result.all_events if e.event_type_value == kind})
             for kind in ("STEP_START", "STEP_FAILURE")}
    assert steps == {"STEP_START": ["icp_leads", "icp_leads_icp_leads_no_opposed_unit", "icp_leads_icp_leads_no_p_unit",
                                    "icp_leads_icp_leads_siren", "icp_leads_icp_leads_tier_distribution"],
                     "STEP_FAILURE": ["icp_leads_icp_leads_siren"]}  # crm_exports never started
    assert not (tmp_path / "exports").exists()
    with db.connection(db_file, read_only=True) as con:
        assert con.execute("SELECT check_name, partition_key, passed FROM quality.check_results ORDER BY check_name"
                           ).fetchall() == [("icp_leads_no_opposed_unit", "tech", True),
                                            ("icp_leads_no_p_unit", "tech", True), ("icp_leads_siren", "tech", False),
                                            ("icp_leads_tier_distribution", "tech", True)]


def valid_universe() -> list[dict]:
    companies = []
    for siren in (ACME, GANYMEDE, TITAN):
        row = company(siren)
        row["siret_siege"] = SIRETS[siren]
        companies.append(row)
    return companies


def test_clean_leads_pass_every_check_and_are_exported(tmp_path, icp_folder):
    db_file = tmp_path / "wh.duckdb"
    with duckdb.connect(str(db_file)) as con:
        build_warehouse(con, valid_universe())
    result = lead_delivery(db_file)
    assert result.success
    assert [m.asset_key for m in result.get_asset_materialization_events()] == [AssetKey("icp_leads"),
                                                                                AssetKey("crm_exports")]
    assert evaluations(result) == {
        "icp_leads_siren": (True, AssetCheckSeverity.ERROR),
        "icp_leads_no_p_unit": (True, AssetCheckSeverity.ERROR),
        "icp_leads_no_opposed_unit": (True, AssetCheckSeverity.ERROR),
        "icp_leads_tier_distribution": (True, AssetCheckSeverity.WARN),
        "crm_exports_no_p_unit": (True, AssetCheckSeverity.ERROR),
        "crm_exports_no_opposed_unit": (True, AssetCheckSeverity.ERROR),
    }
    passed = {e.check_name: e for e in result.get_asset_check_evaluations()}["icp_leads_siren"]
    assert passed.metadata["failing examples"].value == "none: every expectation passed"
    assert passed.description == "icp_leads_siren: 4 expectations on 3 rows of leads.tech: all passed"


def test_a_failure_recorded_by_an_earlier_run_stops_the_export(tmp_path, monkeypatch):
    monkeypatch.setenv("FIRMO_EXPORTS_DIR", str(tmp_path / "exports"))
    db_file = tmp_path / "wh.duckdb"
    with db.connection(db_file) as con:
        con.execute("""CREATE TABLE leads.demo AS SELECT * FROM (VALUES
            ('demo', 1, '443061841', '44306184100013', 'ACME', 'Jeanne', 'Martin', 'Présidente', 'O',
             'jeanne.martin@acme.fr', TIMESTAMP '2026-11-01 00:00:00')
        ) t(icp, rank, siren, siret, company_name, first_name, last_name, job_title, statut_diffusion, email,
            lead_updated_at)""")
        # the monthly SIRENE load, in another run: a duplicated SIREN in core.companies
        table(con, "core.companies", COMPANIES, [(ACME, SIRETS[ACME], "62.01Z", "NAFRev2", "12", True)] * 2)
        checks.run_check(con, "companies_siren", run_id="sirene-run", now=datetime(2026, 11, 1, 3, 0))

    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(icp_partitions.name, ["demo"])

    def export():
        return materialize([crm_exports], partition_key="demo", instance=instance, raise_on_error=False,
                           resources={**resources_from_settings(Settings.from_env()),
                                      "warehouse": WarehouseResource(database=str(db_file))})

    refused = export()
    assert not refused.success
    (failure,) = [e for e in refused.all_events if e.event_type_value == "STEP_FAILURE"]
    error = failure.event_specific_data.error
    while error.cause is not None:
        error = error.cause
    assert error.cls_name == "QualityGateError"
    assert error.message.startswith("firmo.quality.gate.QualityGateError: CRM export of demo refused: 1 blocking "
                                    "data-quality check failed (companies_siren).")
    assert "companies_siren on core/companies (run sirene-r, 2026-11-01 03:00 UTC)" in error.message
    assert not (tmp_path / "exports").exists()

    with db.connection(db_file) as con:  # the refused run closed its connection; next month's load is clean
        table(con, "core.companies", COMPANIES, [(ACME, SIRETS[ACME], "62.01Z", "NAFRev2", "12", True)])
        con.execute("ALTER TABLE core.companies ADD COLUMN active BOOLEAN DEFAULT true")  # the export's last gate reads it
        assert checks.run_check(con, "companies_siren", run_id="sirene-run-2").success
    allowed = export()
    assert allowed.success
    assert allowed.asset_materializations_for_node("crm_exports")[0].metadata["leads exported"].value == 1
