"""The nightly schedule: yesterday's BODACC day and the registries' daily changes, then
everything downstream by automation.

The schedule itself only asks for what is new every night: the BODACC partition of the day
before (Europe/Paris), the API Sirene delta and the RNE /diff window (`nightly` job). Signals, prospects, every ICP list and the analytics snapshot carry an
eager automation condition, so Dagster's automation sensor re-derives them once their inputs have
changed, and leaves them alone when nothing did: a night without new notices does almost nothing.
"""

from __future__ import annotations

from datetime import timedelta

from dagster import (
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
    TimeWindowPartitionsDefinition,
    schedule,
)

from assets.partitions import ICP_PARTITIONS, bodacc_daily
from firmo.settings import Settings
from pipelines.jobs import (
    alert_delivery_job,
    decp_delta_job,
    nightly_job,
    open_data_job,
    recheck_crm_job,
    recheck_icp_job,
)

NIGHTLY_CRON = Settings.model_fields["nightly_cron"].default  # FIRMO_NIGHTLY_CRON; BODACC publishes during the night
TIMEZONE = "Europe/Paris"
# Every open-data source once a week (Monday morning, after the DECP consolidation): the label
# lists, the DECP stock, and the monthly or irregular files, which the loaders skip when their
# remote version has not changed. Tuesday to Friday, only the DECP delta (the awards notified
# since its cursor, through the tabular API) instead of the 1.5M-row stock.
OPEN_DATA_CRON = "30 9 * * 1"
DECP_DELTA_CRON = "30 9 * * 2-5"


def build_nightly_schedule(
    cron: str = NIGHTLY_CRON, job=nightly_job, bodacc_days: TimeWindowPartitionsDefinition = bodacc_daily
) -> ScheduleDefinition:
    """The nightly schedule at `cron` (a setting, so a function: `build_definitions(settings)`
    builds it with the settings' cron, its own nightly job and BODACC days)."""

    @schedule(
        name="nightly_schedule",
        job=job,
        cron_schedule=cron,
        execution_timezone=TIMEZONE,
        description="Every night: yesterday's BODACC notices and the SIRENE / RNE daily changes; "
        "derived tables follow by automation when something changed.",
    )
    def nightly_schedule(context: ScheduleEvaluationContext):
        day = (context.scheduled_execution_time - timedelta(days=1)).date().isoformat()
        if day not in bodacc_days.get_partition_keys(current_time=context.scheduled_execution_time):
            return SkipReason(f"{day} is before the first BODACC partition ({bodacc_days.start.date()})")
        return RunRequest(run_key=f"nightly:{day}", partition_key=day, tags={"firmo/trigger": "nightly"})

    return nightly_schedule


nightly_schedule = build_nightly_schedule()


open_data_schedule = ScheduleDefinition(
    name="open_data_schedule",
    job=open_data_job,
    cron_schedule=OPEN_DATA_CRON,
    execution_timezone=TIMEZONE,
    description="Monday mornings, after the DECP consolidation: every open-data source (unchanged files are "
    "skipped); signals and lists follow by automation.",
)
decp_delta_schedule = ScheduleDefinition(
    name="decp_delta_schedule",
    job=decp_delta_job,
    cron_schedule=DECP_DELTA_CRON,
    execution_timezone=TIMEZONE,
    description="Tuesday to Friday mornings: the DECP awards notified since the cursor (tabular API).",
)


RECHECK_CRON = "0 6 2 * *"  # the 2nd of each month, 06:00: the month's re-check budget starts afresh on the 1st


@schedule(
    name="job_change_recheck_schedule",
    job=recheck_icp_job,
    cron_schedule=RECHECK_CRON,
    execution_timezone=TIMEZONE,
    description="Monthly: every ICP's enriched people re-checked for a job change (within the monthly budget).",
)
def job_change_recheck_schedule(context: ScheduleEvaluationContext):
    month = context.scheduled_execution_time.strftime("%Y-%m")
    icps = context.instance.get_dynamic_partitions(ICP_PARTITIONS)
    if not icps:
        return SkipReason("no ICP partition yet")
    return [RunRequest(run_key=f"recheck:{icp}:{month}", partition_key=icp) for icp in sorted(icps)]


crm_recheck_schedule = ScheduleDefinition(
    name="crm_contact_recheck_schedule",
    job=recheck_crm_job,
    cron_schedule=RECHECK_CRON,
    execution_timezone=TIMEZONE,
    description="Monthly: the contacts read back from the CRMs re-checked for a job change.",
)


# 08:00 Paris: after the nightly run rebuilt the lists (FIRMO_NIGHTLY_CRON, 02:30 by default) and
# before the sellers' day. One run a day, because the digest is keyed by the day: the first run of
# a day sends it. The failed deliveries are also retried by every poll that touched a SIREN.
ALERT_DIGEST_CRON = "0 8 * * *"
alert_digest_schedule = ScheduleDefinition(
    name="alert_digest_schedule",
    job=alert_delivery_job,
    cron_schedule=ALERT_DIGEST_CRON,
    execution_timezone=TIMEZONE,
    description="Every morning: every ICP's alert rules on the rebuilt lists, the daily digests, and the outbox "
    "delivered again (failed deliveries retried, kept as undelivered after FIRMO_ALERT_MAX_ATTEMPTS).",
)


def all_schedules(
    cron: str = NIGHTLY_CRON, job=nightly_job, bodacc_days: TimeWindowPartitionsDefinition = bodacc_daily
) -> list:
    return [
        build_nightly_schedule(cron, job, bodacc_days),
        open_data_schedule,
        decp_delta_schedule,
        job_change_recheck_schedule,
        crm_recheck_schedule,
        alert_digest_schedule,
    ]
