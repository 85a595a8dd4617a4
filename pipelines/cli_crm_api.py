"""`firmo crm check | push <crm>`: what a CRM's API needs before a push (its custom fields), and
a push through the API alone (no import file), with `--dry-run` to see what would be sent.

Salesforce today (firmo/crm/salesforce_api.py, firmo/crm/push_salesforce.py); the settings
choose the flow: JWT bearer when FIRMO_SALESFORCE_PRIVATE_KEY is set, else client credentials.
`salesforce_client` and `push_salesforce_text` are what `firmo export --push salesforce` calls too.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import typer

from firmo.settings import Settings

API_CRMS = ("salesforce",)  # the CRMs `firmo crm push` knows
CHECK_CRMS = ("salesforce", "pipedrive")  # the CRMs `firmo crm check` knows
DB_OPTION = typer.Option(None, "--db", help="DuckDB file (default: $FIRMO_DB or data/firmo.duckdb).")


def _fail(message: str, code: int = 2) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def salesforce_client(settings: Settings) -> Any:
    """The Salesforce client the settings describe (firmo.crm.api_push.api_client, as the
    workspace's push); a missing or unusable setting is one line naming the variable, before any call."""
    from firmo.crm.api_push import NotConfigured, api_client

    try:
        return api_client(settings, "salesforce")
    except NotConfigured as exc:
        _fail(str(exc))


def format_salesforce_push(report: Any, lead_object: str) -> str:
    """What a `push_salesforce` run did, in counts (no personal data, no secret)."""
    text = (
        f"salesforce API: {report.accounts:,} accounts ({report.created_accounts:,} new, "
        f"{report.linked_duplicates:,} linked to an existing one), {report.persons:,} {lead_object}s "
        f"({report.created_persons:,} new, {report.adopted_persons:,} found by email) upserted; {report.bulk_jobs:,} bulk jobs, {report.api_calls:,} API calls; "
        f"{report.skipped_unchanged:,} unchanged, {report.no_email:,} without email (account only), "
        f"{report.failed:,} failed, {report.recorded:,} recorded"
    )
    if report.errors:
        codes = sorted({str(e.get("statusCode")) for e in report.errors})
        text += f"\n  Salesforce refused {len(report.errors):,} records ({', '.join(codes)}); they are retried next run"
    if report.stopped:
        text += f"\n  stopped: {report.stopped}"
    return text


def push_salesforce_text(
    leads: Any, con: Any, client: Any, settings: Settings, *, full: bool, dry_run: bool = False
) -> str:
    """Run `push_salesforce` and say what it did (or, dry, would do)."""
    import httpx

    from firmo.crm.api_push import push
    from firmo.crm.salesforce_api import SalesforceError

    lead_object = settings.salesforce_lead_object
    try:
        report = push("salesforce", leads, con=con, client=client, settings=settings, full=full, dry_run=dry_run)
    except (SalesforceError, httpx.HTTPError) as exc:
        _fail(
            f"Salesforce push stopped ({exc}); nothing of this run is recorded in exports.ledger, "
            "so the next run sends it again",
            code=1,
        )
    if dry_run:
        head = (
            f"salesforce API, dry run: {len(report.planned):,} leads would be upserted "
            f"({report.skipped_unchanged:,} unchanged); no call made"
        )
        return "\n".join([head] + [f"  would {line}" for line in report.planned])
    return format_salesforce_push(report, lead_object)


def _api_crm(crm: str, known: tuple[str, ...] = API_CRMS) -> None:
    if crm not in known:
        _fail(f"{crm}: not a CRM this command knows (one of {', '.join(known)})")


def pipedrive_client(settings: Settings) -> Any:
    """The Pipedrive client the settings describe; no token is one line naming the variable."""
    from firmo.crm.api_push import NotConfigured, api_client

    try:
        return api_client(settings, "pipedrive")
    except NotConfigured as exc:
        _fail(str(exc))


def check_pipedrive(settings: Settings) -> None:
    """The custom fields the Pipedrive push writes (organizationFields / personFields, found by
    name), listed with their key or 'missing'. A missing one is no error: the push creates it on
    first use (crm_sync.md §3.2); the read-back needs the organisations' SIREN field to match
    by SIREN (else by name + postal code)."""
    from firmo.crm.pipedrive_api import PipedriveError
    from firmo.crm.push_pipedrive import FIELDS, OPTIONAL_FIELDS

    with pipedrive_client(settings) as client:
        try:
            listed = {entity: client.list_fields(entity) for entity in sorted({e for e, _, _ in FIELDS})}
        except PipedriveError as exc:
            _fail(str(exc), code=1)
    missing = 0
    for entity, name, kind in FIELDS:
        key = listed[entity].get(name)
        missing += key is None
        typer.echo(f"{entity} field {name!r} ({kind}): {key if key else 'missing'}")
    for entity, name, kind in OPTIONAL_FIELDS:  # never created by the push: pushed once someone adds it
        key = listed[entity].get(name)
        typer.echo(f"{entity} field {name!r} ({kind}, optional): {key if key else 'missing, not pushed'}")
    if missing:
        typer.echo(f"{missing} field(s) missing: the first push creates them (the token's user needs the right)")
    else:
        typer.echo("every field is there: ready to push")


def crm_check_cmd(crm: str = typer.Argument(..., help="salesforce or pipedrive")) -> None:
    """List the custom fields the push needs and those the CRM lacks. Salesforce (describe of
    Account and of the Lead or Contact object): exit 1 when one is missing, an admin creates it.
    Pipedrive: the push creates a missing one itself, so this only lists them."""
    from firmo.crm.push_salesforce import REQUIRED_FIELDS, optional_fields, required_fields
    from firmo.crm.salesforce_api import SalesforceError

    _api_crm(crm, CHECK_CRMS)
    settings = Settings.from_env()
    if crm == "pipedrive":
        check_pipedrive(settings)
        return
    lead_object = settings.salesforce_lead_object
    with salesforce_client(settings) as client:
        try:
            problems = required_fields(client, lead_object)
            optional = optional_fields(client, lead_object)
        except SalesforceError as exc:
            _fail(str(exc), code=1)
    for sobject in ("Account", lead_object):
        typer.echo(f"{sobject}: needs {', '.join(REQUIRED_FIELDS[sobject])}")
    for name, present in optional.items():  # never a refusal: the push leaves the value out
        typer.echo(f"{lead_object}.{name} (optional): {'present, pushed' if present else 'missing, not pushed'}")
    if problems:
        for line in problems:
            typer.echo(f"  {line}")
        _fail(f"{len(problems)} field(s) to create or fix in Salesforce Setup (keys: External ID + Unique)", code=1)
    typer.echo("every field is there: ready to push")


def crm_push_cmd(
    crm: str = typer.Argument(..., help="salesforce"),
    icp: list[str] = typer.Option([], "--icp", help="ICP name (repeatable; default: every lead list)."),
    full: bool = typer.Option(False, "--full", help="Push every lead, not only new or changed ones."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would be pushed; make no call at all."),
    db_file: Path | None = DB_OPTION,
) -> None:
    """Upsert the new or changed leads into the CRM through its API (no import file written)."""
    from firmo import db
    from firmo.crm.leads import icp_names, lead_frame

    _api_crm(crm)
    settings = Settings.from_env()
    client = None if dry_run else salesforce_client(settings)  # a dry run needs no credentials
    with contextlib.ExitStack() as stack, db.connection(db_file, settings=settings) as con:
        if client is not None:
            stack.enter_context(client)
        names = icp or icp_names(con)
        if not names:
            _fail("no lead list yet: build one with `firmo icp build icps/<name>.yaml`")
        try:
            leads = lead_frame(con, names)
        except LookupError as exc:
            _fail(str(exc))
        text = push_salesforce_text(leads, con, client, settings, full=full, dry_run=dry_run)
    typer.echo(text)


crm_app = typer.Typer(no_args_is_help=True, help="Check a CRM's custom fields; push leads through its API.")
crm_app.command("check")(crm_check_cmd)
crm_app.command("push")(crm_push_cmd)
