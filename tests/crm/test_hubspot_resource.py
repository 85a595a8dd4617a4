"""HubSpotResource: built from the settings (token an EnvVar, endpoint a plain value), it gives a
client that talks to the loopback fake HubSpot; without a token it refuses before any call."""

from __future__ import annotations

import pytest
from dagster import DagsterInstance, EnvVar, asset, materialize

from assets.resources import HubSpotResource
from firmo.crm.hubspot_api import HubSpotError
from firmo.settings import Settings

from .fake_hubspot import TOKEN, FakeHubSpot

COMPANY = {"id": "443061841", "idProperty": "siren", "properties": {"siren": "443061841", "name": "ACME"}}


@asset
def one_company(hubspot: HubSpotResource) -> int:
    with hubspot.client(sleep=lambda s: None) as client:
        return len(client.upsert("companies", [COMPANY]).results)


def test_token_from_the_environment_endpoint_from_the_settings(monkeypatch):
    with FakeHubSpot() as fake:
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("FIRMO_HUBSPOT_BASE_URL", fake.url)
        resource = HubSpotResource.from_settings(Settings.from_env())
        assert isinstance(resource.__dict__["access_token"], EnvVar)  # the UI shows the variable's name only
        assert (resource.__dict__["access_token"], resource.base_url, resource.configured) == (
            "HUBSPOT_ACCESS_TOKEN", fake.url, True)
        instance = DagsterInstance.ephemeral()
        result = materialize([one_company], resources={"hubspot": resource}, instance=instance)
        assert result.success and result.output_for_node("one_company") == 1
        assert fake.objects["companies"]["443061841"]["name"] == "ACME"
        records = "".join(str(r) for r in instance.all_logs(result.run_id)) + repr(resource)
    assert TOKEN not in records


def test_without_a_token_nothing_is_sent_and_the_variable_is_named(monkeypatch):
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    with FakeHubSpot() as fake:
        resource = HubSpotResource.from_settings(Settings.from_env({"FIRMO_HUBSPOT_BASE_URL": fake.url}))
        assert (resource.access_token, resource.configured) == (None, False)
        with pytest.raises(HubSpotError, match="no HubSpot token: set HUBSPOT_ACCESS_TOKEN"):
            resource.client()
        result = materialize([one_company], resources={"hubspot": resource}, raise_on_error=False)
        assert not result.success
        assert fake.requests == []


def test_a_refused_token_is_an_error_that_does_not_leak_it(monkeypatch):
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "wrong-secret-token")
    with FakeHubSpot() as fake:
        resource = HubSpotResource.from_settings(Settings.from_env({"HUBSPOT_ACCESS_TOKEN": "wrong-secret-token",
                                                                    "FIRMO_HUBSPOT_BASE_URL": fake.url}))
        instance = DagsterInstance.ephemeral()
        result = materialize([one_company], resources={"hubspot": resource}, instance=instance, raise_on_error=False)
    assert not result.success
    logs = "".join(str(r) for r in instance.all_logs(result.run_id))
    assert "401" in logs and "wrong-secret-token" not in logs
