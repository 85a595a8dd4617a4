"""The enriched_leads asset through Dagster, against the loopback stand-in providers: it enriches,
reports credits and coverage, and no provider key ever reaches the event log or the metadata."""

from __future__ import annotations

import pytest
from dagster import DagsterInstance, materialize

from assets.partitions import icp_partitions
from assets.resources import DnsResource, PathsResource, ProvidersResource, WarehouseResource
from assets.waterfall import enriched_leads
from firmo import db
from firmo.settings import Settings
from waterfall.fake.config import FakeConfig
from waterfall.fake.dns import FakeDnsServer
from waterfall.fake.server import FakeServer


@pytest.fixture()
def warehouse(tmp_path):
    path = tmp_path / "w.duckdb"
    with db.connection(path) as con:
        con.execute("""CREATE TABLE leads.demo AS SELECT * FROM (VALUES
            ('demo', 1, '443061841', 'ACME INDUSTRIE', 'Jeanne', 'Martin', 'Présidente', 'hot', 'O'),
            ('demo', 2, '880878145', 'GANYMEDE', 'Paul', 'Durand', 'Gérant', 'warm', 'O'),
            ('demo', 3, '552100554', 'SECRET SAS', 'Anne', 'Roux', 'Gérante', 'cold', 'P')
        ) t(icp, rank, siren, company_name, first_name, last_name, job_title, tier, statut_diffusion),
        (SELECT CAST(NULL AS VARCHAR) AS website_domain, 'Paris' AS city)""")
    return path


def test_enrichment_run_keeps_keys_secret(warehouse, monkeypatch, tmp_path):
    fake = FakeConfig.demo()
    with FakeServer(fake) as server, FakeDnsServer(lambda domain: [(10, f"mx.{domain}")]) as dns:
        for var, key in fake.env().items():
            monkeypatch.setenv(var, key)
        for name in fake.providers:
            monkeypatch.setenv(f"FIRMO_{name.upper()}_BASE_URL", server.base_url(name))
        monkeypatch.setenv("FIRMO_WATERFALL_CONFIG", "waterfall/demo.yaml")
        providers = ProvidersResource.from_settings(Settings.from_env())
        instance = DagsterInstance.ephemeral()
        instance.add_dynamic_partitions(icp_partitions.name, ["demo"])
        result = materialize(
            [enriched_leads],
            partition_key="demo",
            instance=instance,
            resources={
                "warehouse": WarehouseResource(database=str(warehouse)),
                "providers": providers,
                "dns": DnsResource(nameserver=dns.address),
                # the ICP folder holds no `demo` file: no personas, the officers are the contacts
                "paths": PathsResource(
                    data_dir=str(tmp_path), exports_dir=str(tmp_path / "exports"), icp_dir=str(tmp_path / "icps")
                ),
            },
        )
        requests = sum(p["requests"] for p in server.stats().values())
        checked = set(dns.queries)
    assert result.success
    metadata = result.asset_materializations_for_node("enriched_leads")[0].metadata
    assert (metadata["leads"].value, metadata["blocked"].value) == (3, 1)
    assert "coverage" in metadata["coverage funnel"].value
    # the P unit was never asked about, and nothing in the run's records holds a key
    with db.connection(warehouse, read_only=True) as con:
        asked = {s for (s,) in con.execute("SELECT DISTINCT siren FROM waterfall.provenance").fetchall()}
        enriched = con.execute(
            "SELECT siren, email, enrichment_reason FROM leads.demo_enriched ORDER BY rank"
        ).fetchall()
    assert "552100554" not in asked and asked == {"443061841", "880878145"}
    # the blocked lead stays in the list, with no contact and the reason why
    assert enriched[2] == ("552100554", None, "blocked: non-diffusible unit (SIRENE statut P)")
    records = "".join(str(r) for r in instance.all_logs(result.run_id)) + str(metadata) + str(providers)
    for key in fake.env().values():
        assert key not in records
    assert requests > 0
    # every company domain found was checked (once) before its email questions
    with db.connection(warehouse, read_only=True) as con:
        domains = {
            d for (d,) in con.execute("SELECT value FROM waterfall.company_profiles WHERE field = 'domain'").fetchall()
        }
    assert checked == {f"{d} MX" for d in domains}
    assert metadata["dagster/row_count"].value == 3
