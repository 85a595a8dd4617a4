"""`registry_files_sensor`: a new monthly SIRENE stock or ratios export triggers the full reload.

data.gouv replaces the files behind stable links once a month. The sensor asks only for their
identity (HEAD: ETag / Last-Modified / size, `sources.download.head`), remembers it in its cursor,
and requests `sirene_reload` or `inpi_reload` when it changes; the run key is the new identity,
so a version is never loaded twice. Local paths (the demo) are identified by mtime and size.

`registry_poll_sensor`: the near-real-time intake, a run of `registry_poll_job` (assets/poll.py)
every FIRMO_POLL_MINUTES.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from assets.resources import RegistrySourcesResource
from pipelines.jobs import inpi_job, sirene_job


def watched_files(sources: RegistrySourcesResource) -> dict[str, tuple[str, str]]:
    """name -> (source, job to run when it changes), from the code location's registry sources."""
    files = {
        "sirene_unites_legales": (sources.sirene_unites_legales, sirene_job.name),
        "sirene_etablissements": (sources.sirene_etablissements, sirene_job.name),
        "inpi_ratios": (sources.inpi_ratios, inpi_job.name),
    }
    return {name: spec for name, spec in files.items() if spec[0]}


def stamp_of(source: str) -> str:
    from sources.download import head

    stamp = head(source)
    return json.dumps([stamp.etag, stamp.last_modified, stamp.size])


@sensor(
    jobs=[sirene_job, inpi_job],
    minimum_interval_seconds=3600,
    default_status=DefaultSensorStatus.STOPPED,
    description="HEAD the monthly SIRENE stock and ratios files; a new version triggers its full reload.",
)
def registry_files_sensor(context: SensorEvaluationContext, registry_sources: RegistrySourcesResource):
    seen = json.loads(context.cursor) if context.cursor else {}
    now: dict[str, str] = {}
    jobs: dict[str, list[str]] = {}
    for name, (source, job) in watched_files(registry_sources).items():
        try:
            now[name] = stamp_of(source)
        except Exception as exc:  # noqa: BLE001 - a sensor tick must not crash on a flaky HEAD
            context.log.warning(f"{name}: cannot check for a new version ({type(exc).__name__}); will retry")
            now[name] = seen.get(name, "")
            continue
        if seen.get(name) != now[name]:
            jobs.setdefault(job, []).append(name)
    if not jobs:
        return SkipReason("no new registry file")
    runs = [
        RunRequest(
            job_name=job,
            run_key=f"{job}:" + "|".join(now[n] for n in names),
            tags={"firmo/trigger": "new file: " + ", ".join(names)},
        )
        for job, names in sorted(jobs.items())
    ]
    return SensorResult(run_requests=runs, cursor=json.dumps(now, sort_keys=True))


def poll_slot(now: float, minutes: int) -> int:
    """The poll interval `now` falls in (epoch seconds // interval): one run per slot, so a
    sensor evaluated twice in the same interval (daemon restart) does not poll twice."""
    return int(now // (minutes * 60))


def registry_poll_sensor(minutes: int = 15) -> SensorDefinition:
    """Every `minutes` (FIRMO_POLL_MINUTES), a run of registry_poll_job (assets/poll.py): RNE
    /diff, BODACC and API Sirene since their cursors, then the touched SIRENs re-scored. The
    poll itself runs in the job, not in the tick: a tick must stay short, and the run's logs
    and failures show in the UI. The run key is the slot, so a slot is polled once."""
    from assets.poll import registry_poll_job

    if minutes < 1:
        raise ValueError("FIRMO_POLL_MINUTES must be at least 1")

    @sensor(
        name="registry_poll_sensor",
        job=registry_poll_job,
        minimum_interval_seconds=minutes * 60,
        default_status=DefaultSensorStatus.STOPPED,
        description=f"Every {minutes} min: poll RNE /diff, BODACC and API Sirene, re-score the SIRENs touched.",
    )
    def _poll(context: SensorEvaluationContext):
        slot = poll_slot(time.time(), minutes)
        if context.cursor and int(context.cursor) >= slot:
            return SkipReason(f"already polled in this {minutes}-minute slot")
        poll_id = datetime.fromtimestamp(slot * minutes * 60, UTC).strftime("%Y%m%dT%H%MZ")
        return SensorResult(
            run_requests=[RunRequest(run_key=f"poll:{poll_id}", tags={"firmo/poll_id": poll_id})],
            cursor=str(slot),
        )

    return _poll


def all_sensors(poll_minutes: int = 15) -> list:
    from assets.icp import icp_files_sensor

    return [icp_files_sensor, registry_files_sensor, registry_poll_sensor(poll_minutes)]
