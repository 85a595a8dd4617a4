"""The `crm_accounts` asset through Dagster: with the Service Key as HubSpot's credential it reads
back into the warehouse and reports its counts; without a credential it reads nothing."""

from __future__ import annotations

from dagster import DagsterInstance, EnvVar, materialize

from assets.exports import crm_accounts
from assets.resources import HubSpotResource, WarehouseResource
from firmo import db
from firmo.settings import Settings

from .fake_hubspot import SERVICE_KEY, FakeHubSpot


def test_crm_accounts_reads_back_with_the_service_key(monkeypatch, tmp_path):
    path = tmp_path / "w.duckdb"
    with FakeHubSpot() as fake:
        monkeypatch.setenv("HUBSPOT_SERVICE_KEY", SERVICE_KEY)
        monkeypatch.setenv("FIRMO_HUBSPOT_BASE_URL", fake.url)
        monkeypatch.setenv("FIRMO_CRM_DISQUALIFIED_DAYS", "30")
        resource = HubSpotResource.from_settings(Settings.from_env())
        assert isinstance(resource.__dict__["access_token"], EnvVar)
        assert (resource.__dict__["access_token"], resource.disqualified_days) == ("HUBSPOT_SERVICE_KEY", 30)
        acme = fake.seed("companies", {"siren": "443061841", "hs_lead_status": "UNQUALIFIED"})
        fake.seed("contacts", {"email": "jane@acme.fr", "lifecyclestage": "salesqualifiedlead"})
        deal = fake.seed("deals", {"dealstage": "closedwon", "hs_is_closed_won": "true"})
        fake.link("deals", deal, "companies", acme)
        instance = DagsterInstance.ephemeral()
        result = materialize([crm_accounts], instance=instance,
                             resources={"hubspot": resource, "warehouse": WarehouseResource(database=str(path))})
        assert result.success
        logs = "".join(str(r) for r in instance.all_logs(result.run_id))
    meta = result.asset_materializations_for_node("crm_accounts")[0].metadata
    assert {k: meta[k].value for k in ("accounts read", "contacts read", "deals read", "customers (won)",
                                       "disqualified (left out)", "validated by sales")} == {
        "accounts read": 1, "contacts read": 1, "deals read": 1, "customers (won)": 1,
        "disqualified (left out)": 1, "validated by sales": 1}
    assert "| siren | 1 |" in meta["accounts matched"].value
    assert SERVICE_KEY not in logs
    with db.connection(path) as con:
        assert con.execute("SELECT kind, value, source FROM exports.customers").fetchall() == [
            ("siren", "443061841", "hubspot")]


def test_crm_accounts_without_credential_reads_nothing(tmp_path):
    result = materialize([crm_accounts], resources={"hubspot": HubSpotResource(),
                                                    "warehouse": WarehouseResource(database=str(tmp_path / "w.duckdb"))})
    meta = result.asset_materializations_for_node("crm_accounts")[0].metadata
    assert result.success and meta["configured"].value is False
