"""`firmo nightly`: one night of the production schedule, in this process.

In production the Dagster daemon does this: the `nightly_schedule` launches the `nightly` job
(yesterday's BODACC day, the API Sirene delta, the RNE /diff window), then the automation
sensor evaluates the derived assets' conditions and launches what they ask for (signals,
prospects, ICP lists, enrichment, exports, snapshot), only where something upstream changed.
Here the same two steps run in-process: the schedule's run, then `evaluate_automation_conditions`
and the runs it requests, until it requests nothing. That is how the demo shows, and the README
measures, that a night on unchanged inputs does almost nothing.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from firmo.settings import Settings

log = logging.getLogger(__name__)
PARIS = ZoneInfo("Europe/Paris")
MAX_ROUNDS = 5  # automation rounds; eager requests a whole chain in one round, so 2 is typical


@dataclass
class Step:
    what: str
    seconds: float
    materialized: list[str] = field(default_factory=list)


@dataclass
class NightlyReport:
    day: str
    steps: list[Step]

    @property
    def seconds(self) -> float:
        return sum(s.seconds for s in self.steps)

    def render(self) -> str:
        lines = ["", f"firmo nightly for {self.day}: {self.seconds:.1f}s", ""]
        for step in self.steps:
            done = ", ".join(step.materialized) or "nothing materialized"
            lines.append(f"  {step.what:<44s} {step.seconds:>6.1f}s  {done}")
        return "\n".join(lines + [""])


def _materialized(result) -> list[str]:
    out = []
    for event in result.get_asset_materialization_events():
        mat = event.materialization
        out.append("/".join(mat.asset_key.path) + (f"[{mat.partition}]" if mat.partition else ""))
    return sorted(set(out))


def run_nightly(
    day: date | None = None, *, defs=None, instance=None, settings: Settings | None = None
) -> NightlyReport:
    """Run the nightly job for `day` (default yesterday, Paris), then what automation requests.
    `settings`: default the environment's, read now; the instance defaults to the one `make run`
    records into (DAGSTER_HOME, else <data dir>/dagster_home)."""
    from dagster import AssetKey, BetaWarning, evaluate_automation_conditions

    from pipelines.definitions import build_definitions
    from pipelines.run import RUN_CONFIG, RunFailed, dagster_instance, process_tags, release_dead_runs

    settings = settings or Settings.from_env()
    logging.getLogger("dagster.automation_condition_tester").setLevel(logging.WARNING)  # a line per asset per round
    warnings.filterwarnings("ignore", category=BetaWarning)  # the condition tester's own use of a beta parameter
    defs = defs or build_definitions(settings)
    instance = instance or dagster_instance(settings)
    release_dead_runs(instance)  # a killed earlier run must not hold the warehouse pool slot
    day = day or (datetime.now(PARIS) - timedelta(days=1)).date()
    repo = defs.get_repository_def()
    automated = [key for key, a in repo.assets_defs_by_key.items() if a.automation_conditions_by_key.get(key)]
    baseline = evaluate_automation_conditions(defs, instance)  # what was already handled before tonight
    steps: list[Step] = []

    started = time.perf_counter()
    result = defs.resolve_job_def("nightly").execute_in_process(
        instance=instance,
        partition_key=day.isoformat(),
        run_config=RUN_CONFIG,
        raise_on_error=False,
        tags={"firmo/trigger": "nightly", **process_tags()},
    )
    if not result.success:
        raise RunFailed("nightly", day.isoformat(), result)
    steps.append(
        Step("nightly job (BODACC day, SIRENE/RNE changes)", time.perf_counter() - started, _materialized(result))
    )

    cursor = baseline.cursor
    job = defs.resolve_implicit_global_asset_job_def()
    for _ in range(MAX_ROUNDS):
        started = time.perf_counter()
        evaluation = evaluate_automation_conditions(defs, instance, cursor=cursor)
        cursor = evaluation.cursor
        by_partition: dict[str | None, list[AssetKey]] = defaultdict(list)
        for key in automated:
            for partition in evaluation.get_requested_partitions(key):
                by_partition[partition].append(key)
        if not by_partition:
            steps.append(Step("automation: nothing requested", time.perf_counter() - started))
            break
        done: list[str] = []
        # unpartitioned derived tables first: the per-ICP assets read them
        for partition in sorted(by_partition, key=lambda p: (p is not None, p or "")):
            run = job.execute_in_process(
                asset_selection=by_partition[partition],
                partition_key=partition,
                instance=instance,
                run_config=RUN_CONFIG,
                raise_on_error=False,
                tags={"firmo/trigger": "automation", **process_tags()},
            )
            if not run.success:
                raise RunFailed("automation", partition, run)
            done += _materialized(run)
        steps.append(Step("automation: requested runs", time.perf_counter() - started, done))
    return NightlyReport(day.isoformat(), steps)
