"""The job_change_rechecks asset through Dagster against the loopback stand-in vendors: an ICP's
enriched people enriched long ago are re-checked within the month's budget (FIRMO_RECHECK_* through
ProvidersResource), the outcomes land in waterfall.job_changes, and no key reaches the metadata."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from dagster import DagsterInstance, materialize

from assets.partitions import icp_partitions
from assets.rechecks import job_change_rechecks
from assets.resources import ProvidersResource, WarehouseResource
from firmo import db
from firmo.settings import Settings
from waterfall.fake.config import FakeConfig
from waterfall.fake.server import FakeServer
from waterfall.fake.world import Careers, World

FIRST, LAST = ["Marie", "Jean", "Luc", "Anne", "Paul"], ["Dupont", "Lefèvre", "Martin", "Bernard"]


@pytest.fixture()
def warehouse(tmp_path):
    path = tmp_path / "w.duckdb"
    world = World("firmo", 0.15, 0.08, 0.0)
    rows = [("demo", f"{100000001 + i:09d}", f"Entreprise {i}", f, la, f"entreprise-{i}.fr",
             world.email_of(f, la, f"entreprise-{i}.fr"), "valid", datetime(2025, 1, 1), "Gérant")
            for i, (f, la) in enumerate((f, la) for f in FIRST for la in LAST)]  # fmt: skip
    with db.connection(path) as con:
        con.execute("CREATE TABLE leads.demo_enriched (icp VARCHAR, siren VARCHAR, company_name VARCHAR, "
                    "first_name VARCHAR, last_name VARCHAR, website_domain VARCHAR, email VARCHAR, "
                    "email_status VARCHAR, email_found_at TIMESTAMP, job_title VARCHAR)")  # fmt: skip
        con.executemany("INSERT INTO leads.demo_enriched VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return path


def test_the_asset_rechecks_within_the_budget_and_keeps_keys_secret(warehouse, monkeypatch):
    fake = FakeConfig(careers=Careers(move_rate=0.3, today=date.today()))
    with FakeServer(fake) as server:
        for var, key in fake.env().items():
            monkeypatch.setenv(var, key)
        for name in fake.providers:
            monkeypatch.setenv(f"FIRMO_{name.upper()}_BASE_URL", server.base_url(name))
        monkeypatch.setenv("FIRMO_RECHECK_MONTHLY_CREDITS", "8")
        providers = ProvidersResource.from_settings(Settings.from_env())
        instance = DagsterInstance.ephemeral()
        instance.add_dynamic_partitions(icp_partitions.name, ["demo"])
        result = materialize([job_change_rechecks], partition_key="demo", instance=instance,
                             resources={"warehouse": WarehouseResource(database=str(warehouse)),
                                        "providers": providers})  # fmt: skip
        billed = sum(p["credits_used"] for p in server.stats().values())
    assert result.success
    meta = {k: v.value for k, v in result.asset_materializations_for_node("job_change_rechecks")[0].metadata.items()}
    order = "apollo, pdl, rocketreach, lusha, leadmagic"  # 1, 1, 1, 2, 3 credits a check
    assert (meta["due"], meta["monthly budget"], meta["order"]) == (20, 8.0, order)
    assert meta["credits"] == billed <= 8.0
    assert meta["checked"] + meta["not reached (budget)"] == 20 and meta["not reached (budget)"] > 0
    with db.connection(warehouse, read_only=True) as con:
        spent = con.execute("SELECT sum(credits) FROM waterfall.rechecks").fetchone()[0]
    assert spent == billed
    logged = "\n".join(str(e) for e in instance.all_logs(result.run_id)) + str(meta)
    assert not any(key in logged for key in fake.api_keys.values())
