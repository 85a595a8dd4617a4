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
