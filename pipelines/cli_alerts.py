"""`firmo watch ...` and `firmo alerts ...`: the watchlist and the alert outbox, without a Dagster run.

- `firmo watch add SIREN... | --file accounts.csv | --from-crm hubspot`, `firmo watch list`,
  `firmo watch remove SIREN...`: alerts.watchlist (firmo/alerts/watchlist.py);
- `firmo alerts run`: evaluate every ICP file's rules now and deliver the outbox (as the `alerts` asset);
- `firmo alerts list [--since 2026-03-01 | 7d]`: the outbox rows, with their state and last error;
- `firmo alerts test --channel slack|email|webhook|hubspot`: send one test message through a channel, as
  configured by the FIRMO_ALERT_* settings (hubspot: a note on a company the read-back matched, with
  the HUBSPOT_* credential of the CRM sync); nothing is recorded.
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import typer

from firmo.errors import InputError
from firmo.settings import Settings

watch_app = typer.Typer(no_args_is_help=True, help="Watched accounts: any signal on one alerts (rule watched: true).")
alerts_app = typer.Typer(no_args_is_help=True, help="Alerts: run the rules, list the outbox, test a channel.")

DB_OPTION = typer.Option(None, "--db", help="DuckDB file (default: $FIRMO_DB or data/firmo.duckdb).")
CHANNELS = ("slack", "email", "webhook", "hubspot", "salesforce", "pipedrive")
WATCH_CRMS = ("hubspot", "salesforce", "pipedrive")
TEST_PAYLOAD = {
    "icp": "test",
    "rule": "test",
    "trigger": "test",
    "event_key": "test",
    "siren": "000000000",
    "company_name": "firmo test message",
    "city": None,
    "score": None,
    "tier": None,
    "decision_maker": None,
    "why": ["a test sent by `firmo alerts test`: the channel works"],
    "summary": "test message",
}


def channels(settings: Settings) -> dict:
    """Each channel as the settings configure it (None: not configured)."""
    from firmo.alerts.channels import EmailChannel, SlackChannel, WebhookChannel

    s = settings
    secret = s.alert_webhook_secret.get_secret_value() if s.alert_webhook_secret else None
    return {
        "slack": SlackChannel(s.alert_slack_webhook_url.get_secret_value()) if s.alert_slack_webhook_url else None,
        "webhook": WebhookChannel(s.alert_webhook_url, secret, retries=s.alert_webhook_retries)
        if s.alert_webhook_url and secret
        else None,
        "email": EmailChannel(
            s.alert_smtp_host,
            s.alert_smtp_port,
            s.alert_email_from,
            list(s.alert_email_to),
            username=s.alert_smtp_username,
            password=s.alert_smtp_password.get_secret_value() if s.alert_smtp_password else None,
            ca_file=str(s.alert_smtp_ca_file) if s.alert_smtp_ca_file else None,
        )
        if s.alert_smtp_host and s.alert_email_from and s.alert_email_to
        else None,
    }


NEEDS = {
    "slack": "FIRMO_ALERT_SLACK_WEBHOOK_URL",
    "webhook": "FIRMO_ALERT_WEBHOOK_URL and FIRMO_ALERT_WEBHOOK_SECRET",
    "email": "FIRMO_ALERT_SMTP_HOST, FIRMO_ALERT_EMAIL_FROM and FIRMO_ALERT_EMAIL_TO",
}


@watch_app.command("add")
def watch_add_cmd(
    sirens: list[str] = typer.Argument(None, help="SIRENs (or SIRETs) to watch"),
    file: Path | None = typer.Option(None, "--file", help="CSV with a siren (or siret) column."),
    from_crm: str | None = typer.Option(None, "--from-crm", help="Every account read back from this CRM."),
    db_file: Path | None = DB_OPTION,
) -> None:
    """Watch accounts: any signal on one alerts through the `watched: true` rules, whatever its score,
    and even a customer or a closed unit; never a SIRENE P, RNE-opposed or suppressed one (the law's)."""
    from firmo import db
    from firmo.alerts import watchlist

    given = [bool(sirens), file is not None, from_crm is not None]
    if sum(given) != 1:
        raise InputError("firmo watch add: give SIRENs, --file or --from-crm (one of them)")
    settings = Settings.from_env()
    with db.connection(db_file, settings=settings) as con:
        if file is not None:
            wanted, source = watchlist.read_csv_sirens(file), f"file:{file.name}"
        elif from_crm is not None:
            if from_crm not in WATCH_CRMS:
                raise InputError(f"firmo watch add --from-crm: {from_crm!r} is not one of {', '.join(WATCH_CRMS)}")
            wanted, source = watchlist.crm_sirens(con, from_crm), f"crm:{from_crm}"
        else:
            wanted, source = list(sirens), "manual"
        added = watchlist.add(con, wanted, source=source)
        total = len(watchlist.entries(con))
    typer.echo(f"watching {added:,} more account(s) ({len(set(wanted)) - added:,} already watched); {total:,} in all")


@watch_app.command("list")
def watch_list_cmd(db_file: Path | None = DB_OPTION) -> None:
    """The watched accounts: SIREN, where it came from, when."""
    from firmo import db
    from firmo.alerts import watchlist

    with db.connection(db_file, settings=Settings.from_env()) as con:
        rows = watchlist.entries(con)
    for siren, source, added_at in rows:
        typer.echo(f"{siren}  {source}  {added_at:%Y-%m-%d %H:%M}")
    typer.echo(f"{len(rows):,} watched account(s)")


@watch_app.command("remove")
def watch_remove_cmd(
    sirens: list[str] = typer.Argument(..., help="SIRENs to stop watching"), db_file: Path | None = DB_OPTION
) -> None:
    """Stop watching accounts."""
    from firmo import db
    from firmo.alerts import watchlist

    with db.connection(db_file, settings=Settings.from_env()) as con:
        removed = watchlist.remove(con, sirens)
    typer.echo(f"stopped watching {removed:,} account(s)")


def _since(value: str | None, today: date) -> datetime:
    if value is None:
        return datetime.combine(today - timedelta(days=7), datetime.min.time())
    relative = re.fullmatch(r"(\d+)d", value.strip())
    if relative:
        return datetime.combine(today - timedelta(days=int(relative.group(1))), datetime.min.time())
    try:
        return datetime.combine(date.fromisoformat(value.strip()), datetime.min.time())
    except ValueError:
        raise InputError(f"--since {value!r}: give a day (YYYY-MM-DD) or a number of days (7d)") from None


@alerts_app.command("list")
def alerts_list_cmd(
    since: str | None = typer.Option(None, "--since", help="YYYY-MM-DD or Nd (default 7d)."),
    db_file: Path | None = DB_OPTION,
) -> None:
    """The alerts recorded since a day: when, ICP, rule, SIREN, channel, state (pending, sending,
    sent, failed, undelivered), attempts and the last error."""
    from firmo import db
    from firmo.alerts.tables import ensure_tables
    from firmo.sqlfiles import load_sql

    start = _since(since, datetime.now(UTC).date())
    with db.connection(db_file, settings=Settings.from_env()) as con:
        ensure_tables(con)
        rows = con.execute(load_sql("alerts/list_outbox"), {"since": start}).fetchall()
    for created, icp, rule, siren, channel, state, attempts, error, _sent in rows:
        line = f"{created:%Y-%m-%d %H:%M}  {icp}  {rule}  {siren or '-'}  {channel}  {state}  attempts {attempts}"
        typer.echo(line + (f"  ({error})" if error else ""))
    typer.echo(f"{len(rows):,} alert deliveries since {start:%Y-%m-%d}")


@alerts_app.command("run")
def alerts_run_cmd(db_file: Path | None = DB_OPTION) -> None:
    """Evaluate every ICP file's alert rules now, record the new alerts, deliver the outbox."""
    from firmo import db
    from firmo.alerts.run import run_alerts
    from firmo.icp.config import NAME_RE, read_icp

    settings = Settings.from_env()
    folder = settings.icp_dir
    configs = [read_icp(p) for p in sorted(folder.glob("*.y*ml")) if NAME_RE.match(p.stem)] if folder.is_dir() else []
    with ExitStack() as stack, db.connection(db_file, settings=settings) as con:
        senders = channels(settings)
        for crm in CRM_RECORDS:  # a note / Task on the record the read-back matched (firmo crm pull <crm>)
            client = _crm_client(settings, crm)
            if client is not None:
                from firmo.alerts.channels import crm_company_ids

                senders[crm] = _crm_channel(crm, stack.enter_context(client), crm_company_ids(con, crm))
        result = run_alerts(
            con,
            configs,
            senders,
            signal_days=settings.alert_signal_days,
            max_attempts=settings.alert_max_attempts,
            disqualified_days=settings.crm_disqualified_days,
        )
    for r in result.recorded:
        typer.echo(
            f"{r.icp}: {r.alerted:,} new alert(s), {r.refused:,} refused by the screening, {r.baseline:,} baseline"
        )
    d = result.delivered
    typer.echo(
        f"delivered: sent {sum(d.sent.values()):,}, failed {sum(d.failed.values()):,}, "
        f"undelivered {sum(d.undelivered.values()):,}"
    )


@alerts_app.command("test")
def alerts_test_cmd(
    channel: str = typer.Option(..., "--channel", help="slack, email, webhook, hubspot, salesforce or pipedrive"),
    siren: str | None = typer.Option(
        None,
        "--siren",
        help="hubspot, salesforce, pipedrive: the matched record to write the test on (default: the lowest matched SIREN).",
    ),
    db_file: Path | None = DB_OPTION,
) -> None:
    """Send one test message through a channel, as the settings configure it."""
    from firmo.alerts.outbox import DeliveryError

    if channel not in CHANNELS:
        raise InputError(f"--channel {channel!r}: one of {', '.join(CHANNELS)}")
    if siren is not None and channel not in CRM_RECORDS:
        raise InputError("--siren is for --channel hubspot, salesforce or pipedrive (the record the test goes on)")
    settings = Settings.from_env()
    key = f"test/{datetime.now(UTC):%Y%m%dT%H%M%S}"
    if channel in CRM_RECORDS:
        _crm_test(settings, channel, key, siren, db_file)
        return
    sender = channels(settings)[channel]
    if sender is None:
        raise InputError(f"{channel} is not configured: set {NEEDS[channel]}")
    try:
        sender.send(key, TEST_PAYLOAD)
    except DeliveryError as exc:
        raise InputError(f"{channel} test failed: {exc}") from None
    typer.echo(f"{channel}: test message sent")


# the CRM channels: (CRM name, record, what the alert writes, the settings it needs)
CRM_RECORDS = {
    "hubspot": ("HubSpot", "company", "note", "HUBSPOT_ACCESS_TOKEN (or HUBSPOT_SERVICE_KEY)"),
    "salesforce": (
        "Salesforce",
        "Account",
        "Task",
        "FIRMO_SALESFORCE_CLIENT_ID with FIRMO_SALESFORCE_PRIVATE_KEY or FIRMO_SALESFORCE_CLIENT_SECRET",
    ),
    "pipedrive": ("Pipedrive", "organization", "note", "FIRMO_PIPEDRIVE_API_TOKEN"),
}


def _crm_client(settings: Settings, crm: str) -> Any:
    """The CRM-sync client the settings configure (None: not configured), built as every push
    builds it (`firmo.crm.api_push.api_client`); an unusable setting is one line naming the
    variable, the secret never shown."""
    from firmo.crm import api_push

    if crm not in api_push.configured(settings):
        return None
    try:
        return api_push.api_client(settings, crm)
    except api_push.NotConfigured as exc:
        raise InputError(str(exc)) from None


def _crm_channel(crm: str, client: Any, ids: dict[str, str]) -> Any:
    from firmo.alerts.channels import HubSpotNoteChannel, PipedriveNoteChannel, SalesforceTaskChannel

    kinds = {"hubspot": HubSpotNoteChannel, "salesforce": SalesforceTaskChannel, "pipedrive": PipedriveNoteChannel}
    return kinds[crm](client, ids)


def _crm_test(settings: Settings, crm: str, key: str, siren: str | None, db_file: Path | None) -> None:
    """A test note (a Task in Salesforce), as an alert would write it, on a record the read-back
    matched (the channel only writes on those, `firmo crm pull <crm>` fills them)."""
    from firmo import db
    from firmo.alerts.channels import crm_company_ids
    from firmo.alerts.outbox import DeliveryError

    label, record, kind, needs = CRM_RECORDS[crm]
    client = _crm_client(settings, crm)
    if client is None:
        raise InputError(f"{crm} is not configured: set {needs}")
    with client, db.connection(db_file, settings=settings) as con:
        ids = crm_company_ids(con, crm)
        if not ids:
            raise InputError(
                f"{crm} test: no {label} {record} is matched to a SIREN (run `firmo crm pull {crm}` first)"
            )
        siren = min(ids) if siren is None else siren.strip()
        if siren not in ids:
            raise InputError(f"{crm} test: no {label} {record} is matched to SIREN {siren!r}")
        try:
            _crm_channel(crm, client, ids).send(key, {**TEST_PAYLOAD, "siren": siren})
        except DeliveryError as exc:
            raise InputError(f"{crm} test failed: {exc}") from None
    typer.echo(f"{crm}: test {kind} written on {record} {ids[siren]} (SIREN {siren})")
