"""The nightly schedule: yesterday's BODACC day and the registries' daily changes, then
everything downstream by automation.

The schedule itself only asks for what is new every night: the BODACC partition of the day
before (Europe/Paris), the API Sirene delta and the RNE /diff window (`nightly` job). Signals, prospects, every ICP list and the analytics snapshot carry an
eager automation condition, so Dagster's automation sensor re-derives them once their inputs have
changed, and leaves them alone when nothing did: a night without new notices does almost nothing.
"""

from __future__ import annotations

import os
from datetime import timedelta

from dagster import RunRequest, ScheduleEvaluationContext, SkipReason, schedule

from pipelines.jobs import nightly_job

NIGHTLY_CRON = os.environ.get("FIRMO_NIGHTLY_CRON", "30 2 * * *")  # BODACC publishes during the night
TIMEZONE = "Europe/Paris"


@schedule(
    job=nightly_job,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=TIMEZONE,
    description="Every night: yesterday's BODACC notices and the SIRENE / RNE daily changes; "
    "derived tables follow by automation when something changed.",
)
def nightly_schedule(context: ScheduleEvaluationContext):
    from assets.bodacc import bodacc_daily

    day = (context.scheduled_execution_time - timedelta(days=1)).date().isoformat()
    if day not in bodacc_daily.get_partition_keys(current_time=context.scheduled_execution_time):
        return SkipReason(f"{day} is before the first BODACC partition ({bodacc_daily.start.date()})")
    return RunRequest(run_key=f"nightly:{day}", partition_key=day, tags={"firmo/trigger": "nightly"})


def all_schedules() -> list:
    return [nightly_schedule]
