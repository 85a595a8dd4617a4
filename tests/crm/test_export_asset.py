"""The crm_exports asset through Dagster: CSV files by default (no token needed), and with
`push_hubspot: true` the same leads upserted into the loopback fake HubSpot, token kept out of
the event log and the metadata."""

from __future__ import annotations

import pytest
from dagster import DagsterInstance, materialize

from assets.exports import crm_exports
from assets.partitions import icp_partitions
from firmo import db
from firmo.settings import Settings
from assets.resources import HubSpotResource, PathsResource, PipedriveResource, SalesforceResource, WarehouseResource

from .fake_hubspot import TOKEN, FakeHubSpot


@pytest.fixture()
def warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("FIRMO_EXPORTS_DIR", str(tmp_path / "exports"))
    path = tmp_path / "w.duckdb"
    with db.connection(path) as con:
        con.execute("""CREATE TABLE leads.demo AS SELECT * FROM (VALUES
            ('demo', 1, '443061841', '44306184100047', 'ACME', 'Jeanne', 'Martin', 'Présidente', 'O',
             'jeanne.martin@acme.fr', TIMESTAMP '2026-11-01 00:00:00'),
            ('demo', 2, '880878145', '88087814500015', 'GANYMEDE', 'Paul', 'Durand', 'Gérant', 'O',
             'paul.durand@ganymede.fr', TIMESTAMP '2026-11-01 00:00:00'),
            ('demo', 3, '552100554', '55210055400013', 'SECRET SAS', 'Anne', 'Roux', 'Gérante', 'P',
             'anne.roux@secret.fr', TIMESTAMP '2026-11-01 00:00:00')
        ) t(icp, rank, siren, siret, company_name, first_name, last_name, job_title, statut_diffusion, email,
            lead_updated_at)""")
        # what the export's last gate reads: the registry's state now
        con.execute("""CREATE TABLE core.companies AS SELECT * FROM (VALUES ('443061841', true, true),
            ('880878145', true, true), ('552100554', false, true)) t(siren, diffusible, active)""")
    return path


def _materialize(warehouse, push: bool | None):
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(icp_partitions.name, ["demo"])
    run_config = {} if push is None else {"ops": {"crm_exports": {"config": {"push_hubspot": push}}}}
    settings = Settings.from_env()  # as build_definitions does: the token an EnvVar, the endpoint a value
    resources = {"warehouse": WarehouseResource(database=str(warehouse)), "paths": PathsResource.from_settings(settings),
                 "hubspot": HubSpotResource.from_settings(settings), "pipedrive": PipedriveResource.from_settings(settings),
                 "salesforce": SalesforceResource.from_settings(settings)}
    result = materialize([crm_exports], partition_key="demo", instance=instance, run_config=run_config,
                         resources=resources, raise_on_error=False)
    return instance, result


def test_default_run_writes_files_and_needs_no_token(warehouse, tmp_path, monkeypatch):
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    _, result = _materialize(warehouse, None)
    assert result.success
    metadata = result.asset_materializations_for_node("crm_exports")[0].metadata
    assert metadata["leads exported"].value == 2 and "hubspot API push" not in metadata
    assert len(list((tmp_path / "exports" / "demo" / "hubspot").glob("*.csv"))) == 1


def test_push_hubspot_flag_upserts_and_records_the_ledger(warehouse, monkeypatch):
    with FakeHubSpot() as fake:
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("FIRMO_HUBSPOT_BASE_URL", fake.url)
        instance, result = _materialize(warehouse, True)
        assert result.success
        assert set(fake.objects["companies"]) == {"443061841", "880878145"}
        assert set(fake.objects["contacts"]) == {"jeanne.martin@acme.fr", "paul.durand@ganymede.fr"}
        assert len(fake.associations) == 2
        fake.requests.clear()
        _, again = _materialize(warehouse, True)
        assert again.success and fake.requests == []  # nothing changed: nothing sent
    metadata = result.asset_materializations_for_node("crm_exports")[0].metadata
    table = metadata["hubspot API push"].value
    assert "| companies upserted | 2 |" in table and "| contacts upserted | 2 |" in table
    with db.connection(warehouse, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM exports.ledger WHERE crm = 'hubspot_api'").fetchall() == [(2,)]
    records = "".join(str(r) for r in instance.all_logs(result.run_id)) + str(metadata)
    assert TOKEN not in records


def test_push_hubspot_without_token_fails_before_any_file(warehouse, tmp_path, monkeypatch):
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    instance, result = _materialize(warehouse, True)
    assert not result.success
    logs = "".join(str(r) for r in instance.all_logs(result.run_id))
    assert "HUBSPOT_ACCESS_TOKEN" in logs
    assert not (tmp_path / "exports").exists()
