"""One DuckDB writer at a time: every step that opens the warehouse is in the `duckdb_write` pool,
and the instance settings the project ships (dagster.yaml) give that pool one slot.

Without it the multiprocess executor starts the SIRENE, RNE and ratios loads of `registry_loads`
together; each waits for DuckDB's file lock only as long as dagster-duckdb's connect backoff
(~100 s), so on real volumes the second one fails."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from firmo import db

REPO = Path(__file__).resolve().parents[2]
POOL = "duckdb_write"


def _pool_users():
    """(op name, pool, uses the warehouse) for every asset and check of the code location."""
    from pipelines.definitions import build_definitions

    repo = build_definitions().get_repository_def()
    seen, rows = set(), []
    for node in [*repo.assets_defs_by_key.values(), *repo.asset_checks_defs_by_key.values()]:
        if node.op.name not in seen:
            seen.add(node.op.name)
            rows.append((node.op.name, node.op.pool, "warehouse" in node.required_resource_keys))
    return rows


def test_every_step_that_opens_the_warehouse_is_in_the_pool_and_no_other(data_env):
    rows = _pool_users()
    assert [name for name, pool, uses in rows if uses and pool != POOL] == []
    assert sorted(name for name, pool, uses in rows if not uses) == [
        "raw__decp__decp", "raw__geo__geolocalisation", "raw__idcc__dares", "raw__idcc__kali", "raw__idcc__siret_idcc",
        "raw__inpi__ratios_inpi_bce", "raw__inpi__rne", "raw__jobs__offres", "raw__labels__files",
        "raw__sirene__stock_etablissements", "raw__sirene__stock_unites_legales"]  # file fetches: free to run in parallel
    assert {pool for name, pool, uses in rows if not uses} == {None}


def test_the_shipped_instance_settings_give_the_pool_one_slot(tmp_path, monkeypatch):
    from dagster import DagsterInstance

    shutil.copy(REPO / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with DagsterInstance.get() as instance:
        config = instance.get_concurrency_config()
        assert config.pool_config.default_pool_limit == 1
        assert config.run_queue_config.max_concurrent_runs == 1
        assert instance.event_log_storage.supports_global_concurrency_limits


@pytest.mark.slow
def test_registry_loads_through_the_multiprocess_executor_has_one_writer_at_a_time(data_env, tmp_path, monkeypatch):
    """`dagster job execute` (multiprocess, up to 4 steps at once) against an instance made from the
    shipped dagster.yaml: the run succeeds and no two warehouse steps ever run at the same time,
    while the file fetches do overlap (the executor was free to run steps side by side)."""
    from dagster import DagsterEventType, DagsterInstance

    from firmo.settings import Settings
    from sources.demo.dataset import ensure_demo

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("FIRMO_SOURCES", "demo")
    ensure_demo(Settings.from_env().demo_dir, companies=400, seed=3)
    run_config = tmp_path / "run_config.yaml"
    run_config.write_text(yaml.safe_dump({"execution": {"config": {"multiprocess": {
        "max_concurrent": 4,
        # one import of the code location, forked for each step (a spawned step re-imports it)
        "start_method": {"forkserver": {"preload_modules": ["pipelines.definitions"]}}}}}}))

    done = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "job", "execute", "-m", "pipelines.definitions",
         "-j", "registry_loads", "-c", str(run_config)],
        cwd=REPO, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]

    with DagsterInstance.get() as instance:
        (record,) = instance.get_run_records()
        assert record.dagster_run.job_name == "registry_loads"
        assert record.dagster_run.is_success
        logs = instance.all_logs(record.dagster_run.run_id, of_type={
            DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE})
    spans: dict[str, list[float]] = {}
    for entry in logs:
        spans.setdefault(entry.step_key, []).append(entry.timestamp)
    assert all(len(times) == 2 for times in spans.values()), spans  # a start and a success each
    in_pool = {name for name, pool, _ in _pool_users() if pool == POOL}
    writers = sorted((times[0], times[1], step) for step, times in spans.items() if step in in_pool)
    fetches = sorted((times[0], times[1], step) for step, times in spans.items() if step not in in_pool)
    # the three loads, the 11 registry checks and the two nightly deltas (no API key: they log and end)
    assert len(writers) == 16 and {"sirene_tables", "rne_tables", "financials_tables"} <= {w[2] for w in writers}
    assert len(fetches) == 4
    overlapping = [(a[2], b[2]) for a, b in zip(writers, writers[1:]) if b[0] < a[1]]
    assert overlapping == []
    # The fetches may overlap (they are outside the pool: the test above), but whether they do depends
    # on how fast each step process starts: a demo file fetch lasts about 0.2 s, so asserting an
    # overlap made this test fail on a busy machine. What must hold: every fetch ran and succeeded.
    assert {f[2] for f in fetches} == {"raw__inpi__ratios_inpi_bce", "raw__inpi__rne",
                                       "raw__sirene__stock_etablissements", "raw__sirene__stock_unites_legales"}

    with db.connection(read_only=True) as con:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("sirene.unites_legales", "core.companies")}
    assert counts == {"sirene.unites_legales": 400, "core.companies": 400}


HOLDER = """
import sys, time
from pathlib import Path
from dagster import DagsterInstance, Definitions, asset, define_asset_job
from assets.common import WAREHOUSE_POOL
from pipelines.run import process_tags

@asset(pool=WAREHOUSE_POOL)
def holder():
    Path(sys.argv[1]).write_text("in the step")
    time.sleep(600)

job = Definitions(assets=[holder], jobs=[define_asset_job("holder_job", [holder])]).resolve_job_def("holder_job")
job.execute_in_process(instance=DagsterInstance.get(), tags=process_tags())
"""


def _hold_the_slot(marker: Path) -> subprocess.Popen:
    """A process running an in-process run (as `firmo run` does) whose step holds the pool slot."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(marker)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(1200):
        if marker.exists() or proc.poll() is not None:
            break
        time.sleep(0.1)
    assert marker.exists(), "the holder never reached its step"
    return proc


@pytest.mark.slow
def test_a_killed_in_process_run_gives_the_slot_back_at_the_next_start(tmp_path, monkeypatch):
    """kill -9 in the middle of a warehouse step leaves its run STARTED and its slot taken for ever
    (every later writer would wait without a word); the next `firmo run` / `firmo nightly` start
    marks that run failed and frees the slot, and leaves the run of a live process alone."""
    from dagster import DagsterInstance, DagsterRunStatus

    from assets.common import WAREHOUSE_POOL
    from pipelines.run import release_dead_runs

    shutil.copy(REPO / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    killed = _hold_the_slot(tmp_path / "killed")
    killed.kill()
    killed.wait()
    with DagsterInstance.get() as instance:
        (dead,) = instance.get_run_records()
        dead_id = dead.dagster_run.run_id
        slots = instance.event_log_storage.get_concurrency_info
        assert dead.dagster_run.status == DagsterRunStatus.STARTED
        assert slots(WAREHOUSE_POOL).active_run_ids == {dead_id}

        assert release_dead_runs(instance) == [dead_id]
        assert instance.get_run_by_id(dead_id).status == DagsterRunStatus.FAILURE
        assert slots(WAREHOUSE_POOL).active_run_ids == set()

        live = _hold_the_slot(tmp_path / "live")  # the next writer gets the slot
        try:
            (live_id,) = {r.dagster_run.run_id for r in instance.get_run_records()} - {dead_id}
            assert release_dead_runs(instance) == []
            assert slots(WAREHOUSE_POOL).active_run_ids == {live_id}
            assert instance.get_run_by_id(live_id).status == DagsterRunStatus.STARTED
        finally:
            live.kill()
            live.wait()
        assert release_dead_runs(instance) == [live_id]
        assert slots(WAREHOUSE_POOL).active_run_ids == set()
