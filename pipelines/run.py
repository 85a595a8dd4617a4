"""`firmo run`: materialise every asset in dependency order, the way `make run` does.

Runs through Dagster (`materialize`) against the instance in $DAGSTER_HOME when set, so the
run, its logs and all asset metadata appear afterwards in `make ui`. The settings are read once,
when the run starts (`Settings.from_env()`), and passed to everything it builds.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from collections.abc import Iterator

from firmo.settings import REPO_ROOT, Settings, environment, provider_key_var, provider_url_var

log = logging.getLogger(__name__)


RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
PID_TAG, HOST_TAG = "firmo/pid", "firmo/host"


class RunFailed(RuntimeError):
    """A Dagster run of the plan failed: which run, which step, the error in one line. The run
    and its full logs stay in the Dagster UI; the tables it did not finish keep their last
    published content (every load builds, then swaps)."""

    def __init__(self, job_name: str, partition: str | None, result) -> None:
        failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        lines = []
        for event in failures:
            error = event.event_specific_data.error
            cause = error.cause or error
            while cause.cause is not None:
                cause = cause.cause
            lines.append(f"step {event.step_key}: {cause.message.strip().splitlines()[-1]}")
        where = f"{job_name}[{partition}]" if partition else job_name
        super().__init__(f"run {where} failed (run id {result.run_id}); " + ("; ".join(lines) or "see the Dagster UI"))


def plan(instance, settings: Settings) -> list[tuple[str, dict[str, str], str | None]]:
    """The runs of a full refresh, in order: registry loads, the open-data sources (they join
    the registries: labels read SIRENE's flags, job offers are matched to its establishments),
    every BODACC day so far (one single-run backfill), the derived tables, then one run per ICP file of `settings.icp_dir`
    (its partition is registered first, as the ICP sensor would)."""
    from assets.icp import icp_files
    from assets.partitions import bodacc_partitions, icp_partitions

    keys = bodacc_partitions(settings.bodacc_start).get_partition_keys()
    bodacc_range = {"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]}
    runs: list[tuple[str, dict[str, str], str | None]] = [
        ("registry_loads", {}, None),
        ("open_data_loads", {}, None),
        ("decp_daily_delta", {}, None),  # the awards since the stock's last day, as on a Tuesday morning
        ("bodacc_daily", bodacc_range, None),
        ("derived_tables", {}, None),
    ]
    icps = sorted(icp_files(settings.icp_dir))
    known = set(instance.get_dynamic_partitions(icp_partitions.name))
    if set(icps) - known:
        instance.add_dynamic_partitions(icp_partitions.name, sorted(set(icps) - known))
    runs += [("lead_delivery", {}, name) for name in icps]
    runs.append(("publish_snapshot", {}, None))
    return runs


def demo_changes(demo_dir, *, companies: int, seed: int) -> str | None:
    """Why the demo dataset in `demo_dir` is about to be replaced by another one, or None."""
    import json

    from sources.demo.dataset import MARKER

    marker = demo_dir / MARKER
    if not marker.is_file():
        return None
    was = json.loads(marker.read_text())
    if (was.get("companies"), was.get("seed")) == (companies, seed):
        return None
    return (
        f"demo regenerated: {was.get('companies'):,} companies (seed {was.get('seed')}) -> {companies:,} (seed {seed})"
    )


def forget_row_counts(why: str, settings: Settings) -> None:
    """A regenerated demo is another population: the row-count guard must not compare a
    2,000-company demo with last week's 20,000 (it would block every export)."""
    from firmo import db
    from firmo.quality.guard import reset_row_counts

    with db.connection(settings=settings) as con:
        n = reset_row_counts(con)
    log.info("%s: the row-count guard starts over (%d recorded counts forgotten)", why, n)


def seed_last_month(files: dict[str, str], settings: Settings) -> None:
    """Demo only, on an empty warehouse: load last month's SIRENE stock first, as production
    would have done a month ago, so the current load finds headcount-band changes."""
    from firmo import db
    from sources.sirene.ingest import load_sirene

    ul, et = files.get("sirene_previous:unites_legales_parquet"), files.get("sirene_previous:etablissements_parquet")
    if not (ul and et):
        return
    with db.connection(settings=settings) as con:
        if db.table_exists(con, "sirene.unites_legales"):
            return
        log.info("demo: loading last month's SIRENE stock first (month-on-month changes)")
        load_sirene(con, unites_legales=ul, etablissements=et, workdir=settings.raw_dir / "sirene")


def run_pipeline(
    *, demo: bool = True, companies: int = 20_000, seed: int = 42, settings: Settings | None = None
) -> str:
    """Generate the demo data if needed, materialise all assets, return the summary text.
    `settings`: default the environment's, read now."""
    from dagster import DagsterInstance

    settings = settings or Settings.from_env()
    started = time.perf_counter()
    if demo:
        from sources.demo.dataset import ensure_demo

        log.info("demo data: %s", settings.demo_dir)
        regenerated = demo_changes(settings.demo_dir, companies=companies, seed=seed)
        files = ensure_demo(settings.demo_dir, companies=companies, seed=seed)
        if regenerated:
            forget_row_counts(regenerated, settings)
        seed_last_month(files, settings)
    from pipelines.definitions import build_definitions

    with contextlib.ExitStack() as stack:
        run_settings = stack.enter_context(stand_in_providers(settings)) if demo else settings
        if demo:
            run_settings = stack.enter_context(stand_in_france_travail(run_settings, files))
            run_settings = stack.enter_context(stand_in_decp_api(run_settings, files))
        defs = build_definitions(run_settings)
        instance = dagster_instance(settings) if settings.dagster_home else DagsterInstance.ephemeral()
        _run_plan(defs, instance, run_settings)
    elapsed = time.perf_counter() - started

    from firmo import db
    from pipelines import summary

    with db.connection(read_only=True, settings=settings) as con:
        return summary.render(
            con,
            settings.db_path,
            {
                "Data dir": str(settings.data_dir),
                "CRM files": exports_line(settings.exports_dir),
                "Took": f"{elapsed:.1f}s",
            },
        )


def dagster_instance(settings: Settings):
    """The instance at `settings.dagster_home_path` (DAGSTER_HOME, else <data dir>/dagster_home):
    what `DagsterInstance.get()` gives, without reading the environment again."""
    from dagster import DagsterInstance

    home = settings.dagster_home_path
    home.mkdir(parents=True, exist_ok=True)
    return DagsterInstance.from_config(str(home))


@contextlib.contextmanager
def stand_in_providers(settings: Settings | None = None) -> Iterator[Settings]:
    """Demo only: the local fake provider server (loopback, real APIs), unless real keys are set,
    and a DNS server answering the stand-in world's MX records (unless FIRMO_DNS_RESOLVER is set).
    Yields the settings to run with: the stand-ins' keys, base URLs, DNS and waterfall limits added.
    Their keys are also in the process environment for the duration, because the providers
    resource holds them as `EnvVar`s that Dagster resolves from there when a run starts."""
    from waterfall.fake.config import FakeConfig
    from waterfall.fake.dns import FakeDnsServer, world_table
    from waterfall.fake.server import FakeServer

    settings = settings or Settings.from_env()
    config = FakeConfig.demo()
    if any(name in settings.provider_keys for name in config.api_keys):
        log.info("provider keys found in the environment: the demo uses them, not the stand-in server")
        yield settings
        return
    with FakeServer(config) as server, FakeDnsServer(world_table(config.seed)) as dns:
        names = list(config.providers)
        urls = {name: server.base_url(name) for name in names}
        changes: dict[str, object] = {
            "provider_keys": {**settings.provider_keys, **config.api_keys},
            "provider_base_urls": {**settings.provider_base_urls, **urls},
        }
        if settings.waterfall_config is None:  # the stand-ins' limits, not the vendors'
            changes["waterfall_config"] = REPO_ROOT / "waterfall" / "demo.yaml"
        exported = {
            **{provider_key_var(n): k for n, k in config.api_keys.items()},
            **{provider_url_var(n): u for n, u in urls.items()},
        }
        if "waterfall_config" in changes:
            exported["FIRMO_WATERFALL_CONFIG"] = str(changes["waterfall_config"])
        if not settings.dns_resolver:  # the stand-in world's MX records (UDP on loopback)
            changes["dns_resolver"] = exported["FIRMO_DNS_RESOLVER"] = dns.address
        log.info("stand-in providers on %s (%s), DNS on %s", server.url, ", ".join(names), dns.address)
        with environment(exported):
            yield settings.with_values(**changes)


@contextlib.contextmanager
def stand_in_decp_api(settings: Settings, files: dict[str, str]) -> Iterator[Settings]:
    """Demo only: data.gouv's tabular API on loopback (sources/decp/fake.py) serving the demo's
    awards of its last days (`decp_delta.parquet`, left out of the stock), so the run's
    `decp_daily_delta` step fetches them through the same client, paging and cursor as live."""
    delta = files.get("decp:delta")
    if not delta:
        yield settings
        return
    from pathlib import Path

    from sources.decp.fake import FakeTabularServer, rows_from_parquet

    with FakeTabularServer(rows_from_parquet(Path(delta))) as server:
        log.info("stand-in tabular API (DECP delta) on %s", server.api_url)
        yield settings.with_values(decp_api_url=server.api_url)


@contextlib.contextmanager
def stand_in_france_travail(settings: Settings, files: dict[str, str]) -> Iterator[Settings]:
    """Demo only: the stand-in France Travail (sources/jobs/fake.py, loopback) serving the generated
    offers and La Bonne Boîte companies, unless real credentials are set. Their dates move to
    today (the demo was generated for its universe's day) and only the départements holding
    offers are polled. Yields the settings to run with; the stand-in's client id and secret are
    also in the process environment for the duration (the resource holds them as `EnvVar`s)."""
    import json
    from datetime import date
    from pathlib import Path

    if settings.france_travail_client_id and settings.france_travail_client_secret:
        log.info("France Travail credentials found in the environment: the demo uses them, not the stand-in")
        yield settings
        return
    offers_file, lbb_file = files.get("jobs:offres"), files.get("jobs:labonneboite")
    if not offers_file:
        yield settings
        return
    from sources.jobs.fake import FakeConfig, FakeFranceTravail

    data = json.loads(Path(offers_file).read_text(encoding="utf-8"))
    companies = json.loads(Path(lbb_file).read_text(encoding="utf-8"))["items"] if lbb_file else []
    config = FakeConfig(shift_days=(date.today() - date.fromisoformat(data["as_of"])).days)
    places = [o["lieuTravail"].get("commune") or o["lieuTravail"].get("codePostal") or "" for o in data["resultats"]]
    departements = sorted({p[:3] if p[:2] in ("97", "98") else p[:2] for p in places if p})
    with FakeFranceTravail(data["resultats"], companies, config) as server:
        log.info("stand-in France Travail on %s (%d offers)", server.url, len(data["resultats"]))
        exported = {
            "FIRMO_FRANCE_TRAVAIL_CLIENT_ID": config.client_id,
            "FIRMO_FRANCE_TRAVAIL_CLIENT_SECRET": config.client_secret,
        }
        with environment(exported):
            yield settings.with_values(
                france_travail_client_id=config.client_id,
                france_travail_client_secret=config.client_secret,
                france_travail_token_url=server.token_url,
                france_travail_api_url=server.api_url,
                jobs_departements=settings.jobs_departements or tuple(departements),
            )


def process_tags() -> dict[str, str]:
    """Tags of a run executed in this process: which process holds it, so that a later start
    can tell a run that died (kill -9, OOM kill, machine restart) from one still going."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def release_dead_runs(instance) -> list[str]:
    """Give back the pool slots (dagster.yaml, `duckdb_write`) of in-process runs whose process is
    gone, and mark those runs failed.

    Why: a step holds its slot until it ends, and a killed process never ends it; the run stays
    STARTED for ever (nothing watches an in-process run), so every later warehouse step, here or
    launched by the daemon, would wait for that slot without a word. Runs of a finished status are
    freed too (what the daemon's run monitoring does a minute later). Runs launched by the daemon
    (no firmo/pid tag) or by a live process, or on another host, are left alone."""
    import psutil

    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    released = []
    for run_id in sorted(storage.get_concurrency_run_ids()):
        record = instance.get_run_record_by_id(run_id)
        run = record.dagster_run if record else None
        why = "deleted" if run is None else f"ended ({run.status.value})"
        if run is not None and not run.is_finished:
            pid, host = run.tags.get(PID_TAG), run.tags.get(HOST_TAG)
            if not pid or host != socket.gethostname() or _alive(psutil, int(pid), record.start_time):
                continue
            why = f"its process (pid {pid}) is gone"
            instance.report_run_failed(run, message=f"{why}: marked failed, its pool slots freed")
        storage.free_concurrency_slots_for_run(run_id)
        log.warning("run %s %s while holding a warehouse pool slot: slot released", run_id, why)
        released.append(run_id)
    return released


def _alive(psutil, pid: int, started: float | None) -> bool:
    """The process `pid` exists and is the one that started the run (not a later one reusing the pid)."""
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        return started is None or proc.create_time() <= started + 1
    except psutil.NoSuchProcess:
        return False


def _run_plan(defs, instance, settings: Settings) -> None:
    release_dead_runs(instance)
    for job_name, tags, partition in plan(instance, settings):
        log.info("running %s %s", job_name, partition or tags or "")
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance,
            run_config=RUN_CONFIG,
            tags={**tags, **process_tags()},
            partition_key=partition,
            raise_on_error=False,
        )
        if not result.success:
            raise RunFailed(job_name, partition, result)


def exports_line(root) -> str:
    """Where the CRM import files are, and how many per CRM."""
    from pathlib import Path

    from firmo.crm.layouts import CRMS

    root = Path(root)
    counts = {crm: len(list(root.glob(f"*/{crm}/*.csv"))) for crm in CRMS}
    if not any(counts.values()):
        return f"{root} (none yet)"
    return f"{root}/<icp>/<crm>/  (" + ", ".join(f"{crm} {n}" for crm, n in counts.items()) + " files)"
