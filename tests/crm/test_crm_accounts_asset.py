"""The `crm_accounts` asset through Dagster: it reads back every configured CRM (HubSpot with the
Service Key, Salesforce, Pipedrive) and reports the counts of each; without a credential a CRM is
not read, and with none nothing is."""

from __future__ import annotations

from dagster import DagsterInstance, EnvVar, materialize

from assets.exports import crm_accounts
from assets.resources import HubSpotResource, PipedriveResource, SalesforceResource, WarehouseResource
from firmo import db
from firmo.settings import Settings

from .fake_hubspot import SERVICE_KEY, FakeHubSpot
from .fake_pipedrive import TOKEN as PIPEDRIVE_TOKEN
from .fake_pipedrive import FakePipedrive
from .fake_salesforce import CLIENT_ID, USERNAME
from .test_salesforce_push import PEM, fake_sf


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
                             resources={"hubspot": resource, "salesforce": SalesforceResource(),
                                        "pipedrive": PipedriveResource(),
                                        "warehouse": WarehouseResource(database=str(path))})
        assert result.success
        logs = "".join(str(r) for r in instance.all_logs(result.run_id))
    meta = result.asset_materializations_for_node("crm_accounts")[0].metadata
    assert {k: meta[k].value for k in ("crms", "accounts read", "contacts read", "deals read", "customers (won)",
                                       "disqualified (left out)", "validated by sales")} == {
        "crms": "hubspot", "accounts read": 1, "contacts read": 1, "deals read": 1, "customers (won)": 1,
        "disqualified (left out)": 1, "validated by sales": 1}
    assert "| hubspot | siren | 1 |" in meta["accounts matched"].value
    assert SERVICE_KEY not in logs
    with db.connection(path) as con:
        assert con.execute("SELECT kind, value, source FROM exports.customers").fetchall() == [
            ("siren", "443061841", "hubspot")]


def test_crm_accounts_reads_every_configured_crm(monkeypatch, tmp_path):
    path = tmp_path / "w.duckdb"
    with FakeHubSpot() as hs, fake_sf() as sf, FakePipedrive() as pd:
        monkeypatch.setenv("HUBSPOT_SERVICE_KEY", SERVICE_KEY)
        monkeypatch.setenv("FIRMO_HUBSPOT_BASE_URL", hs.url)
        monkeypatch.setenv("FIRMO_SALESFORCE_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("FIRMO_SALESFORCE_USERNAME", USERNAME)
        monkeypatch.setenv("FIRMO_SALESFORCE_PRIVATE_KEY", PEM)
        monkeypatch.setenv("FIRMO_SALESFORCE_LOGIN_URL", sf.url)
        monkeypatch.setenv("FIRMO_SALESFORCE_DISQUALIFIED_STATUSES", "Rejected")
        monkeypatch.setenv("FIRMO_PIPEDRIVE_API_TOKEN", PIPEDRIVE_TOKEN)
        monkeypatch.setenv("FIRMO_PIPEDRIVE_API_URL", pd.url)
        settings = Settings.from_env()
        hs.seed("companies", {"siren": "552100554"})
        sf.seed("Lead", {"Company": "Dupont", "SIREN__c": "732829320", "Status": "Rejected"})
        sf.seed("Lead", {"Company": "Eclair", "SIREN__c": "443061841", "Status": "Unqualified"})
        pd.seed("organizations", {"name": "Bleu", "owner_id": 5})
        resources = {
            "hubspot": HubSpotResource.from_settings(settings),
            "salesforce": SalesforceResource.from_settings(settings),
            "pipedrive": PipedriveResource.from_settings(settings),
            "warehouse": WarehouseResource(database=str(path)),
        }
        assert resources["salesforce"].disqualified_statuses == ["Rejected"]
        instance = DagsterInstance.ephemeral()
        result = materialize([crm_accounts], instance=instance, resources=resources)
        assert result.success
        logs = "".join(str(r) for r in instance.all_logs(result.run_id))
    meta = result.asset_materializations_for_node("crm_accounts")[0].metadata
    assert meta["crms"].value == "hubspot, salesforce, pipedrive"
    assert meta["per crm"].value.splitlines()[2:] == [
        "| hubspot | 1 | 0 | 0 | 0 | 0 | 0 |",
        "| salesforce | 2 | 0 | 0 | 0 | 1 | 0 |",
        "| pipedrive | 1 | 0 | 0 | 0 | 0 | 0 |",
    ]
    assert (meta["accounts read"].value, meta["disqualified (left out)"].value) == (4, 1)
    assert all(secret not in logs for secret in (SERVICE_KEY, PIPEDRIVE_TOKEN, "PRIVATE KEY"))
    with db.connection(path) as con:
        assert con.execute("SELECT crm, count(*) FROM exports.crm_accounts GROUP BY 1 ORDER BY 1").fetchall() == [
            ("hubspot", 1), ("pipedrive", 1), ("salesforce", 2)]


def test_crm_accounts_without_credential_reads_nothing(tmp_path):
    result = materialize([crm_accounts], resources={"hubspot": HubSpotResource(), "salesforce": SalesforceResource(),
                                                    "pipedrive": PipedriveResource(),
                                                    "warehouse": WarehouseResource(database=str(tmp_path / "w.duckdb"))})
    meta = result.asset_materializations_for_node("crm_accounts")[0].metadata
    assert result.success and meta["configured"].value is False and meta["crms"].value == ""
