"""`alerts`: the alert rules of every ICP file (`alerts:`) evaluated on the lead lists just built
and the signals, recorded in the outbox, then delivered to Slack, email and the webhook
(firmo/alerts). Metadata: alerts per rule, deliveries by channel and state, the failures."""

from contextlib import ExitStack
from datetime import UTC, datetime

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from assets.common import WAREHOUSE_POOL
from assets.icp import icp_files
from assets.resources import (
    AlertingResource,
    EmailAlertResource,
    HubSpotResource,
    PathsResource,
    PipedriveResource,
    SalesforceResource,
    SlackAlertResource,
    WarehouseResource,
    WebhookAlertResource,
)
from firmo.alerts.channels import HubSpotNoteChannel, PipedriveNoteChannel, SalesforceTaskChannel, crm_company_ids
from firmo.alerts.outbox import Channel, outbox_counts
from firmo.alerts.run import run_alerts
from firmo.icp.config import read_icp
from firmo.metadata import markdown_table


def alert_channels(
    con: duckdb.DuckDBPyConnection,
    stack: ExitStack,
    slack: SlackAlertResource,
    email: EmailAlertResource,
    webhook: WebhookAlertResource,
    hubspot: HubSpotResource,
    salesforce: SalesforceResource,
    pipedrive: PipedriveResource,
) -> dict[str, Channel | None]:
    """The channels as the resources configure them (None: not configured, its alerts kept as
    failed). The HubSpot note, the Salesforce Task and the Pipedrive note go to the record the
    read-back matched to the SIREN; their clients live as long as `stack`."""
    notes = (
        HubSpotNoteChannel(stack.enter_context(hubspot.client()), crm_company_ids(con, "hubspot"))
        if hubspot.configured
        else None
    )
    tasks = (
        SalesforceTaskChannel(stack.enter_context(salesforce.client()), crm_company_ids(con, "salesforce"))
        if salesforce.configured
        else None
    )
    pd_notes = (
        PipedriveNoteChannel(stack.enter_context(pipedrive.client()), crm_company_ids(con, "pipedrive"))
        if pipedrive.configured
        else None
    )
    return {
        "slack": slack.channel(),
        "email": email.channel(),
        "webhook": webhook.channel(),
        "hubspot": notes,
        "salesforce": tasks,
        "pipedrive": pd_notes,
    }


@asset(
    deps=[AssetKey("icp_leads"), AssetKey(["core", "signals"])],
    group_name="delivery",
    kinds={"duckdb"},
    owners=["team:data-engineering"],
    pool=WAREHOUSE_POOL,
)
def alerts(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    paths: PathsResource,
    alerting: AlertingResource,
    alert_slack: SlackAlertResource,
    alert_email: EmailAlertResource,
    alert_webhook: WebhookAlertResource,
    hubspot: HubSpotResource,
    salesforce: SalesforceResource,
    pipedrive: PipedriveResource,
) -> MaterializeResult:
    """One row of alerts.outbox per alert and channel: a lead entering a tier, a score rise, a
    signal of given types, any signal on a watched account, the daily digest; each event once
    (keyed by ICP, rule, SIREN, event), never for a P, opposed or suppressed unit (watched or not)
    nor, unless watched, a closed, customer or CRM-disqualified one. A failed delivery is retried
    at the next materialization, kept as undelivered after FIRMO_ALERT_MAX_ATTEMPTS."""
    configs = [read_icp(path) for path in icp_files(paths.icp_dir).values()]
    with ExitStack() as stack, warehouse.get_connection() as con:
        channels = alert_channels(con, stack, alert_slack, alert_email, alert_webhook, hubspot, salesforce, pipedrive)
        result = run_alerts(
            con,
            configs,
            channels,
            now=datetime.now(UTC),
            signal_days=alerting.signal_days,
            max_attempts=alerting.max_attempts,
            disqualified_days=alerting.disqualified_days,
        )
        states = outbox_counts(con)
    per_rule = [(r.icp, rule, n) for r in result.recorded for rule, n in sorted(r.per_rule.items())]
    d = result.delivered
    by_channel = [
        (c, d.sent.get(c, 0), d.failed.get(c, 0), d.undelivered.get(c, 0))
        for c in sorted({*d.sent, *d.failed, *d.undelivered})
    ]
    if result.baseline:
        context.log.info("first evaluation (baseline, nothing sent) of: %s", ", ".join(result.baseline))
    return MaterializeResult(
        metadata={
            "alerts": sum(r.alerted for r in result.recorded),
            "refused (screening)": sum(r.refused for r in result.recorded),
            "baseline ICPs": ", ".join(result.baseline) or "none",
            "alerts per rule": MetadataValue.md(markdown_table(["icp", "rule", "alerts"], per_rule)),
            "deliveries by channel": MetadataValue.md(
                markdown_table(["channel", "sent", "failed", "undelivered"], by_channel)
            ),
            "outbox": MetadataValue.md(markdown_table(["channel", "state", "rows"], states)),
            "failures": MetadataValue.md(
                markdown_table(["key", "channel", "state", "attempts", "error"], d.failures[:50])
            ),
        }
    )
