"""The crm_exports asset with `push_pipedrive: true`: the leads pushed into the loopback fake
Pipedrive, the counts in the metadata, the token kept out of the event log."""

from __future__ import annotations

from dagster import DagsterInstance, materialize

from assets.exports import crm_exports
from assets.partitions import icp_partitions
from assets.resources import HubSpotResource, PathsResource, PipedriveResource, SalesforceResource, WarehouseResource
from firmo import db
from firmo.settings import Settings

from .fake_pipedrive import TOKEN, FakePipedrive
from .test_export_asset import warehouse  # noqa: F401 (the fixture)


def _materialize(path):
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(icp_partitions.name, ["demo"])
    settings = Settings.from_env()  # as build_definitions does: the token an EnvVar
    resources = {"warehouse": WarehouseResource(database=str(path)), "paths": PathsResource.from_settings(settings),
                 "hubspot": HubSpotResource.from_settings(settings),
                 "pipedrive": PipedriveResource.from_settings(settings),
                 "salesforce": SalesforceResource.from_settings(settings)}
    run_config = {"ops": {"crm_exports": {"config": {"push_pipedrive": True}}}}
    result = materialize([crm_exports], partition_key="demo", instance=instance, run_config=run_config,
                         resources=resources, raise_on_error=False)
    return instance, result


def test_push_pipedrive_flag(warehouse, monkeypatch):  # noqa: F811
    with FakePipedrive() as fake:
        monkeypatch.setenv("FIRMO_PIPEDRIVE_API_TOKEN", TOKEN)
        monkeypatch.setenv("FIRMO_PIPEDRIVE_API_URL", fake.url)
        instance, result = _materialize(warehouse)
        assert result.success
        assert sorted(o["name"] for o in fake.organizations.values()) == ["ACME", "GANYMEDE"]
        assert sorted(p["name"] for p in fake.persons.values()) == ["Jeanne Martin", "Paul Durand"]
        fake.requests.clear()
        _, again = _materialize(warehouse)
        assert again.success and fake.requests == []  # nothing changed: nothing sent
    table = result.asset_materializations_for_node("crm_exports")[0].metadata["pipedrive API push"].value
    assert "| leads pushed | 2 |" in table and "| organisations created / updated | 2 / 0 |" in table
    with db.connection(warehouse, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM exports.ledger WHERE crm = 'pipedrive_api'").fetchall() == [(2,)]
    assert TOKEN not in "".join(str(r) for r in instance.all_logs(result.run_id))


def test_push_pipedrive_without_token_fails_before_any_file(warehouse, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.delenv("FIRMO_PIPEDRIVE_API_TOKEN", raising=False)
    _, result = _materialize(warehouse)
    assert not result.success
    assert not (tmp_path / "exports").exists()
