"""The near-real-time intake: one poll of the three registries, then the re-derivation of what it touched.

`run_poll` is the plain function (tests and bench/bench_poll.py call it): RNE `/diff`, the
BODACC export and API Sirene are each read from their own cursor (sources/<registry>/poll.py,
each applying its rows, cursor and touched SIRENs in one transaction), then
`firmo.icp.incremental.apply_poll` re-derives the SIRENs touched, in every ICP whose leads table
exists. `registry_poll_job` runs it in Dagster; `pipelines.sensors.registry_poll_sensor` requests
it every FIRMO_POLL_MINUTES. A source without credentials is skipped (logged), as the nightly
delta assets do. The SIRENs of each poll stay in `ops.poll_touched` (poll_id = the run's poll id).
Last, in the same run, the ICPs' alert rules are evaluated on those SIRENs only and the outbox is
delivered (`firmo.alerts.run.run_alerts(sirens=...)`): a DG published at 10:00 reaches Slack one
poll later, and a re-run finds nothing new past the cursors (and the alert keys dedupe anyway).
"""

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import httpx
from dagster import Config, OpExecutionContext, job, op

from assets.common import WAREHOUSE_POOL
from assets.resources import (
    AlertingResource,
    EmailAlertResource,
    HubSpotResource,
    PathsResource,
    PipedriveResource,
    RneApiResource,
    SalesforceResource,
    SireneApiResource,
    SlackAlertResource,
    WarehouseResource,
    WebhookAlertResource,
)
from firmo import polls
from firmo.alerts.outbox import DEFAULT_MAX_ATTEMPTS, Channel
from firmo.alerts.rules import DEFAULT_SIGNAL_DAYS
from firmo.alerts.run import AlertsRun, run_alerts
from firmo.icp.incremental import PollReport, apply_poll
from firmo.icp.validate import ResolvedIcp
from sources.bodacc.ods_export import BASE as BODACC_EXPORT
from sources.bodacc.poll import poll_bodacc
from sources.inpi.poll import poll_rne
from sources.sirene.poll import poll_sirene

PARIS = ZoneInfo("Europe/Paris")


@dataclass
class PollAlerts:
    """The alerting of a poll: the channels (None: not configured, kept as failed) and the
    alerting settings (AlertingResource's)."""

    channels: Mapping[str, Channel | None]
    signal_days: int = DEFAULT_SIGNAL_DAYS
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    disqualified_days: int = 90
    now: datetime | None = None


@dataclass
class PollResult:
    poll_id: str
    fetched: dict[str, int] = field(default_factory=dict)  # source -> records received
    touched: dict[str, int] = field(default_factory=dict)  # source -> SIRENs changed
    sirens: list[str] = field(default_factory=list)
    report: PollReport | None = None
    alerts: AlertsRun | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # step -> seconds


def run_poll(
    con: duckdb.DuckDBPyConnection,
    *,
    poll_id: str,
    today: date,
    raw_dir: Path,
    icps: Sequence[ResolvedIcp] = (),
    rne=None,
    bodacc: httpx.Client | None = None,
    bodacc_base: str = BODACC_EXPORT,
    sirene=None,
    as_of: date | None = None,
    alerts: PollAlerts | None = None,
) -> PollResult:
    """Poll each source given (None: skipped), re-derive the SIRENs touched, then (with `alerts`)
    evaluate the alert rules on them and deliver the outbox."""
    polls.ensure_tables(con)
    result = PollResult(poll_id)
    officers_changed = False
    started = time.perf_counter()
    if rne is not None:
        got = poll_rne(con, rne, poll_id=poll_id, today=today)
        result.fetched["rne"], result.touched["rne"] = got.fetched, len(got.sirens)
        officers_changed = bool(got.sirens)
    if bodacc is not None:
        notices = poll_bodacc(
            con, bodacc, poll_id=poll_id, workdir=raw_dir / "bodacc" / "poll", today=today, base=bodacc_base
        )
        result.fetched["bodacc"], result.touched["bodacc"] = notices.fetched, len(notices.sirens)
    if sirene is not None:
        units = poll_sirene(con, sirene, poll_id=poll_id, workdir=raw_dir / "sirene" / "poll")
        result.fetched["sirene"], result.touched["sirene"] = sum(units.fetched.values()), len(units.sirens)
    result.seconds["fetch and apply"] = time.perf_counter() - started
    result.sirens = polls.touched(con, poll_id)
    if result.sirens:
        started = time.perf_counter()
        result.report = apply_poll(
            con, result.sirens, icps=icps, as_of=as_of or today, officers_changed=officers_changed
        )
        result.seconds["re-derive"] = time.perf_counter() - started
    if alerts is not None and result.sirens:
        started = time.perf_counter()
        result.alerts = run_alerts(
            con,
            [icp.config for icp in icps],
            alerts.channels,
            as_of=as_of or today,
            now=alerts.now,
            signal_days=alerts.signal_days,
            max_attempts=alerts.max_attempts,
            disqualified_days=alerts.disqualified_days,
            sirens=result.sirens,
        )
        result.seconds["alerts"] = time.perf_counter() - started
    return result


class PollConfig(Config):
    bodacc_export: str = BODACC_EXPORT  # the Opendatasoft export base (a stand-in's in the demo)
    poll_bodacc: bool = True


@op(pool=WAREHOUSE_POOL)
def registry_poll(
    context: OpExecutionContext,
    config: PollConfig,
    warehouse: WarehouseResource,
    rne_api: RneApiResource,
    sirene_api: SireneApiResource,
    paths: PathsResource,
    alerting: AlertingResource,
    alert_slack: SlackAlertResource,
    alert_email: EmailAlertResource,
    alert_webhook: WebhookAlertResource,
    hubspot: HubSpotResource,
    salesforce: SalesforceResource,
    pipedrive: PipedriveResource,
) -> None:
    """One poll: what the registries published since the last one, applied, re-scored, alerted."""
    from contextlib import ExitStack

    from assets.alerts import alert_channels
    from assets.icp import icp_files
    from firmo.icp import load_icp

    poll_id = context.run.tags.get("firmo/poll_id") or datetime.now(PARIS).strftime("%Y%m%dT%H%M%S")
    icps = [load_icp(path) for path in icp_files(paths.icp_dir).values()]
    with ExitStack() as stack, warehouse.get_connection() as con:
        rne = stack.enter_context(rne_api.client()) if rne_api.configured else None
        sirene = stack.enter_context(sirene_api.client()) if sirene_api.configured else None
        http = stack.enter_context(httpx.Client(timeout=120.0)) if config.poll_bodacc else None
        for name, client in (("RNE (INPI_USERNAME / INPI_PASSWORD)", rne), ("API Sirene (INSEE_API_KEY)", sirene)):
            if client is None:
                context.log.info(f"poll: {name} not configured, skipped")
        result = run_poll(
            con,
            poll_id=poll_id,
            today=datetime.now(PARIS).date(),
            raw_dir=Path(paths.data_dir) / "raw",
            icps=icps,
            rne=rne,
            bodacc=http,
            bodacc_base=config.bodacc_export,
            sirene=sirene,
            alerts=PollAlerts(
                alert_channels(con, stack, alert_slack, alert_email, alert_webhook, hubspot, salesforce, pipedrive),
                signal_days=alerting.signal_days,
                max_attempts=alerting.max_attempts,
                disqualified_days=alerting.disqualified_days,
            ),
        )
    alerted = sum(r.alerted for r in result.alerts.recorded) if result.alerts else 0
    sent = sum(result.alerts.delivered.sent.values()) if result.alerts else 0
    context.log.info(
        f"poll {poll_id}: fetched {result.fetched}, SIRENs touched {result.touched}, "
        f"re-derived {result.report.derived if result.report else 0}, alerts {alerted} (deliveries sent {sent}), "
        f"seconds {result.seconds}"
    )


@job(
    tags={"firmo/kind": "poll"},
    description="Poll RNE, BODACC and API Sirene since their cursors; re-score what changed and alert on it.",
)
def registry_poll_job() -> None:
    registry_poll()
