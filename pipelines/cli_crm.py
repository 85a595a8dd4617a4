"""`firmo suppress | customers | forget | export | purge`: the compliance and export operations a
sales-ops person runs by hand, through the same code as the Dagster assets."""

from __future__ import annotations

import contextlib
from pathlib import Path

import typer

from firmo.crm.layouts import CRMS
from firmo.settings import Settings
from pipelines.cli_crm_api import push_salesforce_text, salesforce_client

DB_OPTION = typer.Option(None, "--db", help="DuckDB file (default: $FIRMO_DB or data/firmo.duckdb).")


def _fail(message: str, code: int = 2) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def format_push(report) -> str:
    """What a `push_hubspot` run did, in counts (no personal data, no token)."""
    text = (
        f"hubspot API: {report.companies:,} companies, {report.contacts:,} contacts upserted, "
        f"{report.associations:,} associations; {report.skipped_unchanged:,} unchanged, "
        f"{report.no_email:,} without email (company only), {report.failed:,} failed"
    )
    if report.errors:
        categories = sorted({str(e.get("category", "error")) for e in report.errors})
        text += (
            f"\n  HubSpot refused {len(report.errors):,} records ({', '.join(categories)}); they are retried next run"
        )
    return text


def format_push_dry_run(report) -> str:
    """What a `push_hubspot` dry run would do: counts, then one line per change (emails masked)."""
    would = report.would
    head = (
        f"hubspot API, dry run: companies {would['create company']:,} to create, {would['update company']:,} to "
        f"update; contacts {would['create contact']:,} to create, {would['update contact']:,} to update; "
        f"{would['add note']:,} notes; {report.skipped_unchanged:,} unchanged, {report.no_email:,} without email "
        "(company only); no call made"
    )
    return "\n".join([head] + [f"  would {line}" for line in report.planned])


def suppress_cmd(
    kind: str | None = typer.Argument(None, help="email, phone, domain or siren."),
    value: str | None = typer.Argument(None, help="The value to block."),
    file: Path | None = typer.Option(None, "--file", help="CSV: columns kind,value[,reason] or one column per kind."),
    reason: str = typer.Option("opt-out", help="Why (kept with the entry)."),
    db_file: Path | None = DB_OPTION,
) -> None:
    """Put people or companies on the suppression list: never enriched, never exported again."""
    from firmo import db
    from firmo.compliance import import_suppression_csv, suppress
    from firmo.compliance.normalise import InvalidIdentifier

    if bool(file) == bool(kind and value):
        _fail("give KIND VALUE, or --file CSV")
    with db.connection(db_file, settings=Settings.from_env()) as con:
        if file:
            result = import_suppression_csv(con, file, reason=reason)
            typer.echo(
                f"{result.read} values read, {result.added} new on the list, {result.rejected} lines rejected "
                "(see exports.rejects)"
            )
            return
        assert kind and value  # checked above: KIND VALUE when there is no --file
        try:
            added = suppress(con, kind, value, reason=reason, source="firmo suppress")
        except InvalidIdentifier as exc:
            _fail(str(exc))
        typer.echo("added to the suppression list" if added else "already on the suppression list")


def customers_cmd(
    file: Path = typer.Argument(..., help="CSV with columns siren and/or domain (optional name)."),
    db_file: Path | None = DB_OPTION,
) -> None:
    """Load the existing-customers list: their companies are neither enriched nor exported."""
    from firmo import db
    from firmo.compliance import import_customers_csv

    with db.connection(db_file, settings=Settings.from_env()) as con:
        result = import_customers_csv(con, file)
    typer.echo(f"{result.read} values read, {result.added} customers written, {result.rejected} lines rejected")


def forget_cmd(
    value: str = typer.Argument(..., help="An email address or a SIREN."),
    reason: str = typer.Option("erasure request", help="Kept on the suppression entry."),
    db_file: Path | None = DB_OPTION,
) -> None:
    """Right to erasure: delete that person or company from every table and cache, and keep them
    on the suppression list so the next nightly load does not bring them back.

    An answer journal a killed enrichment run left (`<warehouse>.answers/*.jsonl`) can hold the
    email: it is merged into waterfall.cache first (what the next run's start would do), so the
    erasure reaches its answers and the file is gone. Compliance does not know the waterfall's
    files, so the merge is done here, at the top."""
    from firmo import db
    from firmo.compliance import forget
    from firmo.compliance.normalise import InvalidIdentifier, guess_kind
    from waterfall.journal import journal_dir, recover

    with db.connection(db_file, settings=Settings.from_env()) as con:
        try:
            guess_kind(value)
        except InvalidIdentifier as exc:
            _fail(str(exc))
        merged = recover(con)
        directory = journal_dir(con)
        live = sorted(directory.glob("*.jsonl")) if directory is not None and directory.is_dir() else []
        try:
            result = forget(con, value, reason=reason, source="firmo forget")
        except InvalidIdentifier as exc:
            _fail(str(exc))
    if merged.journals:
        typer.echo(
            f"{merged.journals} answer journal(s) left by a killed enrichment run merged into the cache "
            f"first ({merged.answers} answers), so the erasure reached them"
        )
    if live:
        typer.secho(
            f"{len(live)} enrichment run(s) in progress hold an answer journal: run firmo forget again once they end",
            fg=typer.colors.YELLOW,
            err=True,
        )
    for where, n in sorted(result.erased.items()):
        typer.echo(f"{where:45s} {n:>6} rows erased")
    typer.echo("suppressed from now on" if result.newly_suppressed else "was already suppressed")
    if result.export_files:
        typer.echo("Already exported in these files: erase the record in the CRM too:")
        for f in result.export_files:
            typer.echo(f"  {f}")
    _scrub(db_file)


def _scrub(db_file: Path | None) -> None:
    """Deleted rows stay readable in DuckDB's free blocks and in the snapshot copied from the file:
    compact the working file and republish the snapshot (firmo.compliance.compaction)."""
    from firmo.compliance.compaction import scrub_erased

    scrub = scrub_erased(db_file, settings=Settings.from_env())
    c = scrub.compaction
    typer.echo(
        f"working file compacted ({c.bytes_before / 1e6:.1f} -> {c.bytes_after / 1e6:.1f} MB in {c.seconds:.1f} s): "
        "the erased values are no longer in its free blocks"
    )
    if scrub.snapshot is not None:
        typer.echo(
            f"analysts' snapshot republished ({scrub.snapshot}); {scrub.snapshots_deleted} older snapshot(s) "
            "deleted (a reader that still has one open keeps it until closing it)"
        )


_CRM_HELP = f"One of {', '.join(CRMS)} (repeatable; default: all)."
PUSH_CRMS = ("hubspot", "pipedrive", "salesforce")  # CRMs `--push` delivers to through their API
_PUSH_HELP = f"Also push the new or changed leads through a CRM's API: {', '.join(PUSH_CRMS)} (repeatable)."


def export_cmd(
    icp: list[str] = typer.Option([], "--icp", help="ICP name (repeatable; default: every lead list)."),
    crm: list[str] = typer.Option([], "--crm", help=_CRM_HELP),
    full: bool = typer.Option(False, "--full", help="Re-export every lead, not only new or changed ones."),
    out: Path | None = typer.Option(None, "--out", help="Folder (default: $FIRMO_EXPORTS_DIR or data/exports)."),
    push: bool = typer.Option(
        False,
        "--push-hubspot",
        help="Deprecated alias of --push hubspot (kept for existing scripts).",
    ),
    push_to: list[str] = typer.Option([], "--push", help=_PUSH_HELP),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="With --push hubspot / pipedrive / salesforce: print what would change; no file, no write call.",
    ),
    db_file: Path | None = DB_OPTION,
) -> None:
    """Write CRM import files for new or changed leads (incremental through exports.ledger);
    with --push hubspot / pipedrive / salesforce, also upsert them through that CRM's API
    (companies by SIREN, contacts by email; --dry-run prints what would change)."""
    import httpx

    from firmo import db
    from firmo.crm import HubSpotError, export_leads
    from firmo.crm.api_push import NotConfigured, api_client
    from firmo.crm.api_push import push as api_push
    from firmo.crm.leads import icp_names, lead_frame

    settings = Settings.from_env()  # token: HUBSPOT_ACCESS_TOKEN; endpoint: FIRMO_HUBSPOT_BASE_URL
    unknown_push = sorted(set(push_to) - set(PUSH_CRMS))
    if unknown_push:
        _fail(f"--push {unknown_push[0]}: not one of {', '.join(PUSH_CRMS)}")
    push = push or "hubspot" in push_to
    if dry_run and not (push or {"pipedrive", "salesforce"} & set(push_to)):
        _fail("--dry-run goes with --push hubspot, pipedrive or salesforce only")
    pipedrive = _pipedrive_client(settings) if "pipedrive" in push_to else None
    salesforce = salesforce_client(settings) if "salesforce" in push_to and not dry_run else None
    client = None
    if push and not dry_run:  # before anything is written: a missing token stops the run here
        try:
            client = api_client(settings, "hubspot")
        except NotConfigured as exc:
            _fail(str(exc))
    with contextlib.ExitStack() as stack, db.connection(db_file, settings=settings) as con:
        if client is not None:
            stack.enter_context(client)
        if pipedrive is not None:
            stack.enter_context(pipedrive)
        if salesforce is not None:
            stack.enter_context(salesforce)
        names = icp or icp_names(con)
        if not names:
            _fail("no lead list yet: build one with `firmo icp build icps/<name>.yaml`")
        try:
            leads = lead_frame(con, names)
        except LookupError as exc:
            _fail(str(exc))
        if dry_run:
            if pipedrive is not None:
                typer.echo(_push_pipedrive(leads, con, pipedrive, settings, full=full, dry_run=True))
            if "salesforce" in push_to:
                typer.echo(push_salesforce_text(leads, con, None, settings, full=full, dry_run=True))
            if push:  # HubSpot's dry run makes no call at all: no token needed
                planned = api_push("hubspot", leads, con=con, client=None, settings=settings, full=full, dry_run=True)
                typer.echo(format_push_dry_run(planned))
            return
        try:
            report = export_leads(
                leads,
                con=con,
                root=out or settings.exports_dir,
                crms=tuple(crm) or CRMS,
                full=full,
                disqualified_days=settings.crm_disqualified_days,
            )
        except ValueError as exc:
            _fail(str(exc))
        typer.echo(format_report(report))
        if pipedrive is not None:
            typer.echo(_push_pipedrive(leads, con, pipedrive, settings, full=full, dry_run=False))
        if salesforce is not None:
            typer.echo(push_salesforce_text(leads, con, salesforce, settings, full=full))
        if client is None:
            return
        try:
            pushed = api_push("hubspot", leads, con=con, client=client, settings=settings, full=full)
        except (HubSpotError, httpx.HTTPError) as exc:
            _fail(
                f"HubSpot push stopped ({exc}); the files above are written, the push is not recorded "
                "in exports.ledger, so the next run sends it again",
                code=1,
            )
    typer.echo(format_push(pushed))


def _pipedrive_client(settings: Settings):
    """Before anything is written: a missing token stops the run here."""
    from firmo.crm.api_push import NotConfigured, api_client

    try:
        return api_client(settings, "pipedrive")
    except NotConfigured as exc:
        _fail(str(exc))


def _push_pipedrive(leads, con, client, settings: Settings, *, full: bool, dry_run: bool) -> str:
    import httpx

    from firmo.crm.api_push import push
    from firmo.crm.pipedrive_api import PipedriveError

    try:
        report = push("pipedrive", leads, con=con, client=client, settings=settings, full=full, dry_run=dry_run)
    except (PipedriveError, httpx.HTTPError) as exc:
        _fail(
            f"Pipedrive push stopped ({exc}); the leads Pipedrive accepted before are recorded, "
            "the others are sent by the next run",
            code=1,
        )
    return format_push_pipedrive(report, dry_run=dry_run)


def format_push_pipedrive(report, *, dry_run: bool = False) -> str:
    """What a `push_pipedrive` run did (or, dry, would do), in counts and CRM keys (no token)."""
    if dry_run:
        lines = [f"pipedrive API, dry run: {len(report.planned):,} changes ({report.skipped_unchanged:,} unchanged)"]
        return "\n".join(lines + [f"  would {p}" for p in report.planned])
    text = (
        f"pipedrive API: {report.pushed:,} leads pushed (organisations {report.organizations_created:,} created, "
        f"{report.organizations_updated:,} updated; persons {report.persons_created:,} created, "
        f"{report.persons_updated:,} updated; leads {report.leads_created:,} created, {report.leads_updated:,} "
        f"updated; {report.notes:,} notes; {report.fields_created:,} custom fields created); "
        f"{report.skipped_unchanged:,} unchanged, {report.failed:,} failed; {report.tokens_spent:,} API tokens"
    )
    if report.errors:
        text += f"\n  Pipedrive refused {len(report.errors):,} records; they are retried next run"
    if report.stopped:
        text += f"\n  stopped: {report.stopped}; {report.not_reached:,} leads left for the next run"
    return text


def format_report(report) -> str:
    lines = [f"{'crm':12s} {'exported':>9s} {'unchanged':>10s} {'files':>6s}"]
    for name in report.exported:
        lines.append(
            f"{name:12s} {report.exported[name]:>9,} {report.skipped_unchanged[name]:>10,} {len(report.files[name]):>6}"
        )
    lines.append(
        f"not exported: {report.skipped_p} non-diffusible, {report.opposed} opposed at the RNE, "
        f"{report.inactive} closed or unknown, {report.suppressed} suppressed, {report.customers} customers, "
        f"{report.crm_disqualified} disqualified in a CRM, "
        f"{report.duplicates} duplicates, {len(report.rejected)} rejected (reasons in exports.rejects)"
    )
    for files in report.files.values():
        lines += [f"  {p}" for p in files]
    return "\n".join(lines)


def purge_cmd(
    years: int = typer.Option(3, help="Erase contact data not renewed for this many years."),
    db_file: Path | None = DB_OPTION,
) -> None:
    """Retention: erase contact data older than `years` without renewal (CNIL: 3 years)."""
    from firmo import db
    from firmo.compliance import purge_expired

    with db.connection(db_file, settings=Settings.from_env()) as con:
        done = purge_expired(con, years=years)
    for rule, n in sorted(done.items()):
        typer.echo(f"{rule:45s} {n:>6} rows erased")
    if any(done.values()):
        _scrub(db_file)


def format_pull(report) -> str:
    """What a read-back did, in counts (no personal data, no token)."""
    matched = ", ".join(f"{n:,} by {m}" for m, n in sorted(report.matched.items())) or "none"
    deleted = (
        f"\n  {report.deleted:,} records deleted or merged away in the CRM (marked; the push no longer targets them)"
        if report.deleted
        else ""
    )
    return (
        f"{report.crm}: {report.accounts:,} accounts, {report.contacts:,} contacts, {report.deals:,} deals read "
        f"(modified since the last pull); accounts matched to a SIREN: {matched}, {report.unmatched:,} unmatched\n"
        f"  {report.customers:,} won accounts are customers (never exported), {report.disqualified:,} records "
        f"disqualified (left out of the exports), {report.validated:,} validated by sales (exports.crm_validated)"
        f"{deleted}"
    )


PULL_CRMS = ("hubspot", "salesforce", "pipedrive")  # the CRMs `firmo crm pull` reads back


def crm_pull_cmd(
    crm: str = typer.Argument(..., help="hubspot, salesforce or pipedrive"),
    db_file: Path | None = DB_OPTION,
) -> None:
    """Read back what the CRM holds (accounts, contacts, deals modified since the last pull) into
    exports.crm_accounts / crm_contacts; won accounts become customers, disqualified ones are left
    out of the next exports (FIRMO_CRM_DISQUALIFIED_DAYS; what counts as disqualified:
    FIRMO_SALESFORCE_DISQUALIFIED_STATUSES, FIRMO_PIPEDRIVE_DISQUALIFIED)."""
    import httpx

    from firmo import db
    from firmo.crm import HubSpotError
    from firmo.crm.hubspot_api import HubSpotClient
    from firmo.crm.pipedrive_api import PipedriveError
    from firmo.crm.readback import pull_hubspot
    from firmo.crm.readback_pipedrive import Rules, pull_pipedrive
    from firmo.crm.readback_salesforce import pull_salesforce
    from firmo.crm.salesforce_api import SalesforceError

    if crm not in PULL_CRMS:
        _fail(f"{crm}: read-back is available for {', '.join(PULL_CRMS)}")
    settings = Settings.from_env()
    if crm == "hubspot":  # credential: HUBSPOT_ACCESS_TOKEN or HUBSPOT_SERVICE_KEY
        try:
            client = HubSpotClient(settings.hubspot_token(), base_url=settings.hubspot_base_url)
        except HubSpotError as exc:
            _fail(f"{exc} (or HUBSPOT_SERVICE_KEY)")

        def pull(con):
            return pull_hubspot(con, client)
    elif crm == "salesforce":
        client = salesforce_client(settings)
        statuses = settings.salesforce_disqualified_statuses

        def pull(con):
            return pull_salesforce(con, client, disqualified_statuses=statuses)
    else:
        try:
            Rules.parse(settings.pipedrive_disqualified)
        except ValueError as exc:
            _fail(str(exc))
        client = _pipedrive_client(settings)

        def pull(con):
            return pull_pipedrive(con, client, rules=settings.pipedrive_disqualified)

    with client, db.connection(db_file, settings=settings) as con:
        try:
            report = pull(con)
        except (HubSpotError, SalesforceError, PipedriveError, httpx.HTTPError) as exc:
            _fail(f"{crm} read-back stopped ({exc}); nothing recorded, the cursor did not move", code=1)
    typer.echo(format_pull(report))


def register(app: typer.Typer) -> None:
    from pipelines.cli_crm_api import crm_app  # `firmo crm ...`: the read-back lives beside check / push

    crm_app.command("pull")(crm_pull_cmd)
    app.command("suppress")(suppress_cmd)
    app.command("customers")(customers_cmd)
    app.command("forget")(forget_cmd)
    app.command("export")(export_cmd)
    app.command("purge")(purge_cmd)
