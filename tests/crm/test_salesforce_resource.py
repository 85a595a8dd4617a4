"""SalesforceResource: built from the settings (private key and secret EnvVars, the rest plain
values), it gives a client that talks to the loopback Salesforce; without credentials it refuses
before any call, naming the variables."""

from __future__ import annotations

import pytest
from dagster import DagsterInstance, EnvVar, asset, materialize

from assets.resources import SalesforceResource
from firmo.crm.salesforce_api import SalesforceError
from firmo.settings import Settings

from .fake_salesforce import CLIENT_ID, USERNAME, FakeSalesforce
from .test_salesforce_push import KEY, PEM


@asset
def one_account(salesforce: SalesforceResource) -> int:
    with salesforce.client(sleep=lambda s: None) as client:
        return len(client.upsert("Account", "SIREN__c", [{"SIREN__c": "443061841", "Name": "ACME"}]).ids)


def test_key_from_the_environment_hosts_from_the_settings(monkeypatch):
    with FakeSalesforce(KEY.public_key()) as fake:
        for var, value in {
            "FIRMO_SALESFORCE_LOGIN_URL": fake.url,
            "FIRMO_SALESFORCE_CLIENT_ID": CLIENT_ID,
            "FIRMO_SALESFORCE_USERNAME": USERNAME,
            "FIRMO_SALESFORCE_PRIVATE_KEY": PEM,
            "FIRMO_SALESFORCE_LEAD_OBJECT": "Contact",
        }.items():
            monkeypatch.setenv(var, value)
        resource = SalesforceResource.from_settings(Settings.from_env())
        assert isinstance(resource.__dict__["private_key"], EnvVar)  # the UI shows the variable's name only
        assert (resource.__dict__["private_key"], resource.login_url, resource.lead_object, resource.configured) == (
            "FIRMO_SALESFORCE_PRIVATE_KEY",
            fake.url,
            "Contact",
            True,
        )
        instance = DagsterInstance.ephemeral()
        result = materialize([one_account], resources={"salesforce": resource}, instance=instance)
        assert result.success and result.output_for_node("one_account") == 1
        assert fake.by_key("Account", "443061841")["Name"] == "ACME"
        records = "".join(str(r) for r in instance.all_logs(result.run_id)) + repr(resource)
    assert PEM.splitlines()[1] not in records


def test_without_credentials_nothing_is_sent_and_the_variables_are_named(monkeypatch):
    for var in ("FIRMO_SALESFORCE_PRIVATE_KEY", "FIRMO_SALESFORCE_CLIENT_SECRET"):
        monkeypatch.delenv(var, raising=False)
    with FakeSalesforce(KEY.public_key()) as fake:
        resource = SalesforceResource.from_settings(
            Settings.from_env({"FIRMO_SALESFORCE_CLIENT_ID": CLIENT_ID, "FIRMO_SALESFORCE_LOGIN_URL": fake.url})
        )
        assert (resource.private_key, resource.client_secret, resource.configured) == (None, None, False)
        with pytest.raises(
            SalesforceError, match="set FIRMO_SALESFORCE_PRIVATE_KEY .* or FIRMO_SALESFORCE_CLIENT_SECRET"
        ):
            resource.client()
        result = materialize([one_account], resources={"salesforce": resource}, raise_on_error=False)
        assert not result.success and fake.requests == []


def test_crm_exports_push_salesforce_flag(tmp_path, monkeypatch):
    from assets.exports import crm_exports
    from assets.partitions import icp_partitions
    from assets.resources import HubSpotResource, PathsResource, PipedriveResource, WarehouseResource
    from firmo import db

    from .test_export_asset import warehouse as make_warehouse

    path = make_warehouse.__wrapped__(tmp_path, monkeypatch)
    with FakeSalesforce(KEY.public_key()) as fake:
        for var, value in {
            "FIRMO_SALESFORCE_LOGIN_URL": fake.url,
            "FIRMO_SALESFORCE_CLIENT_ID": CLIENT_ID,
            "FIRMO_SALESFORCE_USERNAME": USERNAME,
            "FIRMO_SALESFORCE_PRIVATE_KEY": PEM,
        }.items():
            monkeypatch.setenv(var, value)
        settings = Settings.from_env()
        resources = {
            "warehouse": WarehouseResource(database=str(path)),
            "paths": PathsResource.from_settings(settings),
            "hubspot": HubSpotResource.from_settings(settings),
            "pipedrive": PipedriveResource.from_settings(settings),
            "salesforce": SalesforceResource.from_settings(settings),
        }
        instance = DagsterInstance.ephemeral()
        instance.add_dynamic_partitions(icp_partitions.name, ["demo"])
        result = materialize(
            [crm_exports],
            partition_key="demo",
            instance=instance,
            resources=resources,
            run_config={"ops": {"crm_exports": {"config": {"push_salesforce": True}}}},
        )
        assert result.success
        assert sorted(fake.index["Account"]) == ["443061841", "880878145"]  # the P unit is not pushed
        assert sorted(fake.index["Lead"]) == ["jeanne.martin@acme.fr", "paul.durand@ganymede.fr"]
        records = "".join(str(r) for r in instance.all_logs(result.run_id))
    table = result.asset_materializations_for_node("crm_exports")[0].metadata["salesforce API push"].value
    assert "| accounts upserted (new) | 2 (2) |" in table and "| persons upserted (new) | 2 (2) |" in table
    assert PEM.splitlines()[1] not in records + table
    with db.connection(path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM exports.ledger WHERE crm = 'salesforce_api'").fetchall() == [(2,)]
