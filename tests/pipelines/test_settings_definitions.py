"""build_definitions(settings) really builds a code location from its settings: two of them, built
in one process from two settings objects, each use their own warehouse, folders, BODACC days,
schedule and endpoints; secrets stay environment variables Dagster resolves, never values."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import duckdb
from dagster import AssetKey, EnvVar, build_schedule_context, build_sensor_context, instance_for_test, materialize

from assets.icp import icp_files_sensor
from assets.signals import signals as signals_asset
from firmo.settings import Settings
from pipelines.definitions import build_definitions

PARIS = ZoneInfo("Europe/Paris")


def _settings(root, icps: list[str], **extra) -> Settings:
    (root / "icps").mkdir(parents=True)
    for name in icps:
        (root / "icps" / f"{name}.yaml").write_text("criteria: {}\nmax_leads: 10\n", encoding="utf-8")
    return Settings.from_env({"FIRMO_DATA_DIR": str(root / "data"), "FIRMO_ICP_DIR": str(root / "icps"), **extra})


def test_two_code_locations_from_two_settings_in_one_process(tmp_path, monkeypatch):
    monkeypatch.setenv("FIRMO_ICP_DIR", str(tmp_path / "nowhere"))  # the environment is not what they read
    monkeypatch.setenv("FIRMO_HUNTER_API_KEY", "hunter-secret-a")  # secrets: Dagster resolves them from here at run time
    first = _settings(tmp_path / "a", ["saas"], FIRMO_BODACC_START="2026-11-01", FIRMO_NIGHTLY_CRON="0 3 * * *",
                      FIRMO_HUBSPOT_BASE_URL="http://127.0.0.1:9/a", FIRMO_HUNTER_API_KEY="hunter-secret-a",
                      FIRMO_QUALITY_MIN_ROW_RATIO="0.5")
    second = _settings(tmp_path / "b", ["btp", "pme"], FIRMO_DB=str(tmp_path / "b" / "other.duckdb"))
    defs_a, defs_b = build_definitions(first), build_definitions(second)

    res_a, res_b = defs_a.resources, defs_b.resources
    assert (res_a["warehouse"].database, res_b["warehouse"].database) == (
        str(tmp_path / "a" / "data" / "firmo.duckdb"), str(tmp_path / "b" / "other.duckdb"))
    assert (res_a["paths"].icp_dir, res_b["paths"].icp_dir) == (str(tmp_path / "a" / "icps"), str(tmp_path / "b" / "icps"))
    assert (res_a["paths"].exports_dir, res_b["paths"].exports_dir) == (
        str(tmp_path / "a" / "data" / "exports"), str(tmp_path / "b" / "data" / "exports"))
    assert (res_a["hubspot"].base_url, res_b["hubspot"].base_url) == ("http://127.0.0.1:9/a", "https://api.hubapi.com")
    assert (res_a["quality"].thresholds().min_row_ratio, res_b["quality"].thresholds().min_row_ratio) == (0.5, 0.98)
    # a secret is the variable's name for Dagster to resolve at run time, never the value
    assert isinstance(res_a["providers"].__dict__["hunter_api_key"], EnvVar)
    assert res_a["providers"].__dict__["hunter_api_key"] == "FIRMO_HUNTER_API_KEY"
    assert res_b["providers"].__dict__.get("hunter_api_key") is None
    assert "hunter-secret-a" not in repr(res_a)

    repo_a, repo_b = defs_a.get_repository_def(), defs_b.get_repository_def()
    notices = AssetKey(["bodacc", "notices"])
    assert repo_a.assets_defs_by_key[notices].partitions_def.start.date().isoformat() == "2026-11-01"
    assert repo_b.assets_defs_by_key[notices].partitions_def.start.date().isoformat() == "2024-01-01"
    assert repo_a.get_job("nightly").partitions_def.start.date().isoformat() == "2026-11-01"
    assert (repo_a.get_schedule_def("nightly_schedule").cron_schedule,
            repo_b.get_schedule_def("nightly_schedule").cron_schedule) == ("0 3 * * *", "30 2 * * *")

    # the schedule skips the days before its own first partition
    when = datetime(2026, 10, 20, 3, 0, tzinfo=PARIS)
    tick_a = repo_a.get_schedule_def("nightly_schedule").evaluate_tick(
        build_schedule_context(scheduled_execution_time=when, repository_def=repo_a))
    tick_b = repo_b.get_schedule_def("nightly_schedule").evaluate_tick(
        build_schedule_context(scheduled_execution_time=when, repository_def=repo_b))
    assert tick_a.run_requests == [] and "2026-11-01" in tick_a.skip_message
    assert [r.partition_key for r in tick_b.run_requests] == ["2026-10-19"]

    # each ICP sensor lists its own folder
    for defs, expected in ((defs_a, ["saas"]), (defs_b, ["btp", "pme"])):
        with instance_for_test() as instance, build_sensor_context(
                instance_ref=instance.get_ref(), definitions=defs, resources=defs.resources) as context:
            result = icp_files_sensor.evaluate_tick(context)
        assert [sorted(r.partition_keys) for r in result.dynamic_partitions_requests] == [expected]

    # and a materialization writes into its own warehouse
    for defs in (defs_a, defs_b):
        assert materialize([signals_asset], resources=defs.resources).success
    for db_file in (tmp_path / "a" / "data" / "firmo.duckdb", tmp_path / "b" / "other.duckdb"):
        with duckdb.connect(str(db_file), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM information_schema.tables "
                               "WHERE table_schema = 'core' AND table_name = 'signals'").fetchone() == (1,)


def test_the_code_location_reads_the_environment_when_loaded_not_when_imported(tmp_path, monkeypatch):
    import pipelines.definitions as module

    monkeypatch.setenv("FIRMO_DATA_DIR", str(tmp_path / "later"))
    defs = module.defs()  # what `dagster dev -m pipelines.definitions` calls
    assert defs.resources["warehouse"].database == str(tmp_path / "later" / "firmo.duckdb")
