"""`firmo icp ...`: what a sales analyst runs on an ICP file, without a Dagster run.

- `firmo icp check icps/x.yaml`    the file's errors, warnings and how its places were read, no database needed;
- `firmo icp preview icps/x.yaml`  counts per tier, région, NAF division, headcount band + top 20;
- `firmo icp build icps/x.yaml`    writes leads.<icp> and <data dir>/leads/<icp>.csv;
- `firmo icp prospects`            rebuilds core.prospects (the pipeline does it after signals);
- `firmo icp translate icps/x.yaml --to naf2025`  rewrites the file's NAF criteria in NAF 2025
  (or `--to naf_rev2`), printing what changed;
- `firmo icp suggest --from-customers [--out icps/lookalike.yaml]`  proposes an ICP file from the
  won accounts (exports.customers): what is over-represented among them, with the lifts as comments.

`firmo score accounts.csv --icp x` (or `--from-crm hubspot`) is defined here too (`score_cmd`,
mounted at the top level by pipelines/cli.py): a user's list scored with an ICP's rules.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from firmo.metadata import bar_chart
from firmo.settings import Settings

icp_app = typer.Typer(no_args_is_help=True, help="Ideal Customer Profiles: check, preview and build lead lists.")

DB_OPTION = typer.Option(None, "--db", help="DuckDB file (default: $FIRMO_DB or data/firmo.duckdb).")
AS_OF_OPTION = typer.Option(None, "--as-of", help="Score as of this day (YYYY-MM-DD; default today).")


def _load(path: Path):
    from firmo.icp import IcpError, load_icp

    try:
        icp = load_icp(path)
    except IcpError as exc:  # one problem: one line; several: the list, so all are fixed at once
        message = f"firmo: {path}: {exc.errors[0]}" if len(exc.errors) == 1 else str(exc)
        typer.secho(message, fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    for warning in icp.warnings:
        typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)
    for notice in icp.notices:  # how names, postal codes and EPCI were read, so a surprise shows before a build
        typer.echo(f"note: {notice}", err=True)
    return icp


def _as_of(value: str | None) -> date:
    try:
        return date.fromisoformat(value) if value else date.today()
    except ValueError:
        raise typer.BadParameter(f"--as-of must be YYYY-MM-DD, got {value!r}") from None


def _shorten(text: object, width: int) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def format_preview(result) -> str:
    """The preview as plain text: four count charts, then the top leads one per line."""
    titles = {
        "tier": "Leads per tier",
        "region": "per région",
        "naf_division": "per NAF division",
        "headcount_band": "per headcount band",
    }
    out = [f"ICP {result.icp}: {result.total:,} leads"]
    for dimension, title in titles.items():
        rows = result.counts[dimension] if dimension != "tier" else list(result.tier_counts().items())
        chart = bar_chart([(_shorten(v, 40), n) for v, n in rows[:15]], width=25)
        out.append(f"\n{title}\n" + chart.replace("```\n", "").replace("\n```", ""))
        if len(rows) > 15:
            out.append(f"  … and {len(rows) - 15} more")
    out.append(f"\nTop {result.top.height} leads")
    for row in result.top.iter_rows(named=True):
        contact = " ".join(x for x in (row["first_name"], row["last_name"]) if x) or "-"
        out.append(
            f"{row['rank']:>3} {row['score']:>3} {row['tier']:<4} {row['siren']} {_shorten(row['company_name'], 28):<28} "
            f"{row['naf_code'] or '':<6} {_shorten(row['region_name'], 18):<18} {_shorten(contact, 22):<22} "
            f"{_shorten(row['job_title'], 22):<22} {'; '.join(row['score_reasons'])}"
        )
    return "\n".join(out)


@icp_app.command("check")
def check_cmd(path: Path = typer.Argument(..., help="ICP YAML file.")) -> None:
    """Check an ICP file against the reference lists; exit code 2 when it has errors."""
    icp = _load(path)
    typer.echo(f"{path}: OK (ICP {icp.name}, table leads.{icp.name})")


@icp_app.command("preview")
def preview_cmd(
    path: Path = typer.Argument(..., help="ICP YAML file."),
    db_file: Path | None = DB_OPTION,
    as_of: str | None = AS_OF_OPTION,
    top: int = typer.Option(20, help="How many leads to list."),
) -> None:
    """Counts per tier, région, NAF division and headcount band, and the top leads (writes nothing)."""
    from firmo import db
    from firmo.icp import preview

    icp = _load(path)
    with db.connection(db_file, read_only=True, settings=Settings.from_env()) as con:
        typer.echo(format_preview(preview(con, icp, as_of=_as_of(as_of), top=top)))


@icp_app.command("build")
def build_cmd(
    path: Path = typer.Argument(..., help="ICP YAML file."),
    db_file: Path | None = DB_OPTION,
    as_of: str | None = AS_OF_OPTION,
) -> None:
    """Write the lead list table leads.<icp> and its CSV under <data dir>/leads/."""
    from firmo import db
    from firmo.icp import build_leads

    icp = _load(path)
    settings = Settings.from_env()
    with db.connection(db_file, settings=settings) as con:
        result = build_leads(con, icp, as_of=_as_of(as_of), csv_dir=settings.data_dir / "leads")
    tiers = ", ".join(f"{k} {v:,}" for k, v in result.tiers.items())
    typer.echo(f"{result.table}: {result.rows:,} leads ({tiers}) in {result.seconds:.1f} s\n{result.csv_path}")


@icp_app.command("prospects")
def prospects_cmd(db_file: Path | None = DB_OPTION) -> None:
    """Rebuild core.prospects from core.companies, core.signals, inpi.officers and core.latest_financials."""
    from firmo import db
    from firmo.icp import build_prospects

    with db.connection(db_file, settings=Settings.from_env()) as con:
        typer.echo(f"core.prospects: {build_prospects(con):,} companies")


@icp_app.command("translate")
def translate_cmd(
    path: Path = typer.Argument(..., help="ICP YAML file."),
    to: str = typer.Option(..., "--to", help="Target nomenclature: naf2025 or naf_rev2."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write there instead of in place."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the changes, write nothing."),
) -> None:
    """Rewrite the file's NAF criteria in the other nomenclature (only those lines change)."""
    from firmo.icp import IcpError
    from firmo.icp.translate import translate_icp, write_atomically

    try:
        result = translate_icp(path, to)
    except IcpError as exc:
        message = f"firmo: {path}: {exc.errors[0]}" if len(exc.errors) == 1 else str(exc)
        typer.secho(message, fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    for line in result.lines:
        typer.echo(line)
    if not result.changed:
        typer.echo(f"{path}: its NAF criteria are already in {to}; nothing written")
        return
    if dry_run:
        typer.echo(f"{path}: not written (--dry-run)")
        return
    target = output or path
    write_atomically(target, result.text)
    typer.echo(f"{target}: NAF criteria written in {to}")


@icp_app.command("suggest")
def suggest_cmd(
    from_customers: bool = typer.Option(
        False, "--from-customers", help="Learn from the won accounts (exports.customers)."
    ),
    out: Path | None = typer.Option(None, "--out", help="ICP file to write (default <ICP folder>/lookalike.yaml)."),
    min_support: int = typer.Option(3, "--min-support", min=1, help="Customers a value needs to be kept."),
    min_lift: float = typer.Option(1.5, "--min-lift", min=1.0, help="Lift a value needs to be kept."),
    db_file: Path | None = DB_OPTION,
    as_of: str | None = AS_OF_OPTION,
) -> None:
    """Propose an ICP file: the NAF codes, headcount bands, régions, labels and revenue range
    over-represented among customers compared with the active companies, each with its lift."""
    from firmo import db
    from firmo.errors import InputError
    from firmo.icp.lookalike import suggest, write_suggestion

    if not from_customers:
        raise InputError("firmo icp suggest: say what to learn from (--from-customers)")
    settings = Settings.from_env()
    day = _as_of(as_of)
    with db.connection(db_file, read_only=True, settings=settings) as con:
        suggestion = suggest(con, as_of=day, min_support=min_support, min_lift=min_lift)
    path, icp = write_suggestion(suggestion, out or settings.icp_dir / "lookalike.yaml")
    kept = ", ".join(f"{k} {len(v)}" for k, v in suggestion.kept.items())
    typer.echo(
        f"{path}: ICP {icp.name} from {suggestion.customers:,} customers among {suggestion.population:,} "
        f"active companies (values kept: {kept}, revenue {'yes' if suggestion.revenue_kept else 'no'})"
    )


def _icp_file(value: str, settings: Settings) -> Path:
    """--icp: a file, or the name of one in the ICP folder (FIRMO_ICP_DIR)."""
    path = Path(value)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    return settings.icp_dir / f"{value}.yaml"


def score_cmd(
    accounts: Path | None = typer.Argument(
        None, help="CSV of accounts: siren, siret, domain/website, name/raison sociale, postal code columns."
    ),
    icp_name: str = typer.Option(..., "--icp", help="ICP file, or its name in the ICP folder (FIRMO_ICP_DIR)."),
    from_crm: str | None = typer.Option(None, "--from-crm", help="Score the accounts a CRM holds (read back)."),
    out: Path | None = typer.Option(None, "--out", help="Output CSV (default <data dir>/scored/<list>_<icp>.csv)."),
    enrich: bool = typer.Option(
        False, "--enrich", help="Run the contact waterfall on the scored rows (lead list leads.<icp>__<list>)."
    ),
    push_to: list[str] = typer.Option(
        [], "--push", help="Push the scored (and enriched) rows through a CRM's API: hubspot, pipedrive, salesforce."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="With --push: print what would change; no write call."),
    db_file: Path | None = DB_OPTION,
    as_of: str | None = AS_OF_OPTION,
) -> None:
    """Match each account to a SIREN, then score and tier it with the ICP's rules (reasons included);
    rows not scored say why (no SIREN found, ambiguous, inactive, not prospectable, outside the ICP).
    With --enrich and --push, the scored rows are enriched and pushed as a lead list is
    (pipelines/cli_score.py); the others never are."""
    import contextlib

    from firmo import db
    from firmo.crm.leads import lead_frame, with_contact_columns
    from firmo.errors import InputError
    from firmo.icp import byol
    from pipelines.cli_score import enrich_list, push_clients, push_leads

    if (accounts is None) == (from_crm is None):
        raise InputError("firmo score: give a CSV of accounts or --from-crm <crm> (one of them)")
    if dry_run and (not push_to or enrich):
        raise InputError("--dry-run goes with --push and without --enrich (it makes no paid call)")
    settings = Settings.from_env()
    icp = _load(_icp_file(icp_name, settings))
    day = _as_of(as_of)
    rows = byol.read_accounts(accounts) if accounts is not None else None
    clients = push_clients(settings, push_to, dry_run=dry_run)  # before anything is written
    stem = accounts.stem if accounts is not None else str(from_crm)
    with contextlib.ExitStack() as stack, db.connection(db_file, settings=settings) as con:
        for client in clients.values():
            if client is not None:
                stack.enter_context(client)
        if rows is None:
            rows = byol.crm_accounts(con, str(from_crm))
        result = byol.score_accounts(con, icp, rows, as_of=day, disqualified_days=settings.crm_disqualified_days)
        path = byol.write_result(result, out or settings.data_dir / "scored" / f"{stem}_{icp.name}.csv")
        typer.echo("\n".join([*byol.summary(result), str(path)]))
        if not (enrich or push_to):
            return
        if result.leads is None:
            raise InputError(f"--{'enrich' if enrich else 'push'}: no scored row in {stem} (see {path})")
        leads = with_contact_columns(result.leads)
        if enrich:
            name = byol.list_name(icp.name, stem)
            byol.publish_list(con, result, name)
            typer.echo(enrich_list(con, name, icp, settings))
            leads = lead_frame(con, [name])  # leads.<name>_enriched, which the waterfall just wrote
        if clients:
            typer.echo("\n".join(push_leads(leads, con, clients, settings, dry_run=dry_run)))
