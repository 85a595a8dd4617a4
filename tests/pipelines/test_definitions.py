"""The Dagster code location loads, and materialising it on generated data fills the warehouse."""

from __future__ import annotations

import json

import pytest
from dagster import AssetKey

from firmo import db


def test_definitions_load_with_every_sirene_asset(data_env):
    from pipelines.definitions import build_definitions

    defs = build_definitions()
    repo = defs.get_repository_def()
    keys = set(repo.assets_defs_by_key)
    assert {
        AssetKey(["raw", "sirene", "stock_unites_legales"]),
        AssetKey(["raw", "sirene", "stock_etablissements"]),
        AssetKey(["sirene", "unites_legales"]),
        AssetKey(["sirene", "etablissements"]),
        AssetKey(["core", "companies"]),
    } <= keys
    assert repo.get_job("sirene_reload") is not None


@pytest.mark.slow
def test_materialize_on_generated_demo(data_env, monkeypatch):
    from firmo.settings import Settings
    from sources.demo.dataset import ensure_demo
    from pipelines.definitions import build_definitions

    monkeypatch.setenv("FIRMO_SOURCES", "demo")
    ensure_demo(Settings.from_env().demo_dir, companies=400, seed=3)
    manifest = json.loads((Settings.from_env().demo_dir / "sirene" / "generation_manifest.json").read_text())
    defs = build_definitions()
    result = defs.resolve_job_def("sirene_reload").execute_in_process()
    assert result.success
    mats = {m.asset_key: m for m in result.get_asset_materialization_events()}
    ul_meta = mats[AssetKey(["sirene", "unites_legales"])].materialization.metadata
    with db.connection(read_only=True) as con:
        n_ul = con.execute("SELECT count(*) FROM sirene.unites_legales").fetchone()[0]
        n_rejects = con.execute("SELECT count(*) FROM sirene.rejects WHERE target_table = 'sirene.unites_legales'").fetchone()[0]
        ul_file = manifest["files"]["StockUniteLegale_utf8.csv"]
        assert n_ul == ul_file["rows"] == 400
        assert n_rejects == len(ul_file["defects"])
        assert ul_meta["dagster/row_count"].value == n_ul
        assert ul_meta["rows_rejected"].value == n_rejects > 0
        assert con.execute("SELECT count(*) FROM core.companies").fetchone()[0] == n_ul


@pytest.mark.slow
def test_full_run_on_a_small_demo_fills_every_registry_table(data_env, monkeypatch):
    """What `make run` does, on 400 generated companies from an empty data dir."""
    from pipelines.run import run_pipeline

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    text = run_pipeline(demo=True, companies=400, seed=3)
    with db.connection(read_only=True) as con:
        counts = dict(con.execute(
            "SELECT schema_name || '.' || table_name, estimated_size FROM duckdb_tables()").fetchall())
        signal_sources = {s for (s,) in con.execute("SELECT DISTINCT source FROM core.signals").fetchall()}
        statuses = {s for (s,) in con.execute("SELECT DISTINCT status FROM bodacc.notices").fetchall()}
    for table in ("sirene.unites_legales", "core.companies", "inpi.officers", "core.latest_financials",
                  "bodacc.notices", "core.signals"):
        assert counts[table] > 0, table
        assert table in text
    # the registries and the open-data sources (labels, DECP, France Travail offers, La Bonne Boîte)
    assert signal_sources == {"sirene", "inpi", "bodacc", "labels", "decp", "france_travail", "labonneboite"}
    assert {"core.prospects", "leads.pme_croissance", "leads.saas_tech_pme", "leads.btp_grand_ouest"} <= set(counts)
    assert "CRM files:" in text and (data_env / "exports").is_dir()
    # 11 registry checks + 12 open-data checks + 9 per ICP x 7 shipped ICPs
    assert "Data quality: 86 of 86 checks passed" in text
    assert "kept out of prospecting (active units)" in text and "RNE opposition only" in text
    assert (data_env / "firmo_read.duckdb").is_symlink()
    with db.connection(data_env / "firmo_read.duckdb", read_only=True) as snap:
        assert snap.execute("SELECT count(*) FROM analytics.companies").fetchall()[0][0] > 0
    assert statuses == {"active", "rectified", "annulled", "annulation"}


def test_a_failed_run_is_reported_in_one_line(data_env):
    from dagster import Definitions, asset, define_asset_job

    from pipelines.run import RunFailed

    @asset
    def boom():
        raise ValueError("the ratios file is truncated")

    job = Definitions(assets=[boom], jobs=[define_asset_job("j", selection="boom")]).resolve_job_def("j")
    result = job.execute_in_process(raise_on_error=False)
    message = str(RunFailed("j", None, result))
    assert message.startswith("run j failed (run id ")
    assert message.endswith("step boom: ValueError: the ratios file is truncated")


def test_every_asset_says_what_it_is_who_owns_it_and_how_fresh_it_must_be(data_env):
    from datetime import timedelta

    from assets.policies import policy_keys
    from pipelines.definitions import build_definitions

    repo = build_definitions().get_repository_def()
    specs = {key: a.specs_by_key[key] for key, a in repo.assets_defs_by_key.items()}
    assert set(specs) == policy_keys()  # a new asset gets its line in assets/policies.py
    for key, spec in specs.items():
        assert spec.group_name and spec.owners and spec.kinds and spec.description, key
        assert spec.tags["layer"] in {"raw", "registry", "core", "leads", "delivery", "analytics"}, key
    assert specs[AssetKey(["bodacc", "notices"])].freshness_policy.fail_window.to_timedelta() == timedelta(days=3)
    assert specs[AssetKey(["sirene", "unites_legales"])].freshness_policy.fail_window.to_timedelta() == timedelta(days=45)
    assert specs[AssetKey("enriched_leads")].tags["personal_data"] == "yes"
    assert "personal_data" not in specs[AssetKey(["core", "companies"])].tags
