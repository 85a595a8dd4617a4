"""`firmo`: the operations analysts and operators run by hand, through the same code as the assets."""

from __future__ import annotations

import logging
from pathlib import Path

import typer
from typer.core import TyperGroup

from firmo.settings import Settings, SettingsError

# Errors that refuse an input, by "module:class" (checked along the exception's MRO, so the
# modules are not imported here: firmo.quality.engine pulls in Great Expectations, seconds to load).
# firmo.errors.InputError is what loaders raise for a file they cannot use; the others are the
# project's own refusals (an ICP file, an identifier, a locked CRM token, a failed gate...).
REFUSALS = {
    "firmo.errors:InputError", "firmo.icp.config:IcpError", "firmo.compliance.normalise:InvalidIdentifier",
    "firmo.crm.hubspot_api:HubSpotError", "firmo.quality.gate:QualityGateError", "pipelines.run:RunFailed",
    "firmo.compliance.prospecting:RegistryMissing", "sources.download:FetchError", "sources.sirene.api:SireneApiError",
    "sources.sirene.api:MissingApiKeyError", "sources.inpi.rne_client:RneError", "waterfall.config:ConfigError",
    "firmo.quality.guard:LoadRefused", "firmo.compliance.compaction:CompactionError",
}  # fmt: skip


def refusal(exc: BaseException) -> str | None:
    """The one line to print for an exception that refuses an input, or None for a bug.

    Refusals: the project errors in REFUSALS, and what the standard library and DuckDB raise on
    a missing, unreadable, truncated or binary input or a warehouse another process holds
    (OSError, zip/tar/gzip/EOF errors, UnicodeDecodeError, csv.Error, duckdb.IOException). A
    RecursionError or a ValueError elsewhere is a bug until a loader says otherwise (loaders
    wrap the reading of each file in `firmo.errors.reading`, which names the file)."""
    import csv
    import tarfile
    import zipfile
    import zlib

    import duckdb

    from firmo.errors import describe, one_line, warehouse_locked

    if any(f"{cls.__module__}:{cls.__qualname__}" in REFUSALS for cls in type(exc).__mro__):
        return one_line(exc) or type(exc).__name__
    if locked := warehouse_locked(exc):
        return locked
    if isinstance(
        exc,
        (
            OSError,
            zipfile.BadZipFile,
            tarfile.TarError,
            EOFError,
            zlib.error,
            UnicodeDecodeError,
            csv.Error,
            duckdb.IOException,
        ),
    ):
        return describe(exc)
    return None


def _debug(ctx) -> bool:
    root = ctx.find_root()
    if root.params.get("debug"):
        return True
    try:
        return Settings.from_env().debug
    except SettingsError:  # a bad variable is the refusal being reported: one line, no traceback
        return False


class FirmoGroup(TyperGroup):
    """The root command: every subcommand runs inside its `invoke`, so a refused input turns
    into `firmo: <message>` on stderr and exit code 1, here, once, for every command. Usage
    errors keep click's own message and exit code 2. `--debug` / FIRMO_DEBUG=1 lets the
    exception through with its traceback. A bug is not a refused input: it keeps its traceback,
    after a line saying so."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):  # exit codes, usage errors
            raise
        except Exception as exc:
            message = refusal(exc)
            if _debug(ctx):
                raise
            if message is None:
                typer.echo(
                    "firmo: internal error: a bug in firmo, not a problem with the input; "
                    "the traceback follows (include it in a bug report)",
                    err=True,
                )
                raise
            typer.echo(f"firmo: {message}", err=True)
            raise typer.Exit(1) from None


# Plain tracebacks: rich ones print locals (credentials, huge frames) and took minutes to render.
app = typer.Typer(
    add_completion=False, no_args_is_help=True, help=__doc__, pretty_exceptions_enable=False, cls=FirmoGroup
)
load_app = typer.Typer(no_args_is_help=True, help="Load registry files (any published vintage) into DuckDB.")
app.add_typer(load_app, name="load")


def _mount_subcommands() -> None:
    from pipelines.cli_alerts import alerts_app, watch_app
    from pipelines.cli_crm import register
    from pipelines.cli_crm_api import crm_app
    from pipelines.cli_icp import icp_app, score_cmd
    from pipelines.cli_serve import serve_cmd
    from pipelines.cli_waterfall import waterfall_app

    app.add_typer(icp_app, name="icp")
    app.command("score")(score_cmd)
    app.command("serve")(serve_cmd)
    app.add_typer(crm_app, name="crm")
    app.add_typer(watch_app, name="watch")
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(waterfall_app, name="waterfall")
    register(app)


_mount_subcommands()


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    if not verbose:  # one line per HTTP request or schema migration drowns the progress lines
        for noisy in ("httpx", "httpcore", "alembic", "great_expectations"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


@app.callback()
def main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logging."),
    debug: bool = typer.Option(
        False, "--debug", help="On a refused input, show the Python traceback instead of one line (also FIRMO_DEBUG=1)."
    ),
) -> None:
    _logging(verbose)


@app.command()
def generate(
    companies: int = typer.Option(20_000, help="Number of legal units to generate."),
    seed: int = typer.Option(42, help="Random seed: same seed, same files."),
    out: Path = typer.Option(None, help="Output folder (default: the demo folder under the data dir)."),
) -> None:
    """Write realistic registry files in the real published formats (demo and benchmark data)."""
    from sources.demo.dataset import generate_demo

    target = out or Settings.from_env().demo_dir
    files = generate_demo(target, companies=companies, seed=seed)
    for name, path in files.items():
        typer.echo(f"{name:40s} {path}")


@load_app.command("sirene")
def load_sirene_cmd(
    unites_legales: str | None = typer.Option(
        None, "--unites-legales", help="StockUniteLegale: zip, CSV or parquet; path or URL."
    ),
    etablissements: str | None = typer.Option(
        None, "--etablissements", help="StockEtablissement: zip, CSV or parquet; path or URL."
    ),
    db_file: Path | None = typer.Option(None, "--db", help="DuckDB file (default: $FIRMO_DB or data/firmo.duckdb)."),
) -> None:
    """Load SIRENE stock files; prints rows loaded and rejected per table."""
    from assets.common import fetch_source
    from firmo import db
    from firmo.quality.guard import guarded_loads
    from sources.sirene.ingest import load_sirene
    from sources.sirene.quality import GUARDED

    if not unites_legales and not etablissements:
        raise typer.BadParameter("give --unites-legales and/or --etablissements")
    settings = Settings.from_env()
    paths = {}
    for key, source in (("unites_legales", unites_legales), ("etablissements", etablissements)):
        if source:
            paths[key], _ = fetch_source(source, settings.raw_dir / "sirene")
    with (
        db.connection(db_file, settings=settings) as con,
        guarded_loads(con, GUARDED, min_ratio=settings.quality_min_row_ratio) as guard,
    ):
        report = load_sirene(
            con,
            unites_legales=paths.get("unites_legales"),
            etablissements=paths.get("etablissements"),
            workdir=settings.raw_dir / "sirene",
        )
    typer.echo(f"{'table':28s} {'loaded':>12s} {'rejected':>9s}")
    for table, loaded, rejected in report.summary_rows():
        typer.echo(f"{table:28s} {loaded:>12,} {rejected:>9,}")
    for load in report.tables.values():
        for reason, n in load.rejects_by_reason.items():
            typer.echo(f"  {load.table}: {n} x {reason}")
    _print_guard(guard)


@load_app.command("inpi")
def load_inpi_cmd(
    rne: list[str] = typer.Option(
        [], "--rne", help="RNE JSON file, NDJSON dump or stock zip; repeatable; path or URL."
    ),
    ratios: str | None = typer.Option(
        None, "--ratios", help="ratios_inpi_bce export: CSV, CSV.gz or parquet; path or URL."
    ),
    db_file: Path | None = typer.Option(None, "--db", help="DuckDB file (default: $FIRMO_DB or data/firmo.duckdb)."),
) -> None:
    """Load RNE officers and/or filed accounts; prints rows loaded and rejected per table."""
    from assets.common import fetch_source
    from firmo import db
    from firmo.quality.guard import guarded_loads
    from sources.inpi.quality import GUARDED
    from sources.inpi.ratios import load_ratios
    from sources.inpi.rne_load import load_rne

    if not rne and not ratios:
        raise typer.BadParameter("give --rne and/or --ratios")
    reports = []
    settings = Settings.from_env()
    with (
        db.connection(db_file, settings=settings) as con,
        guarded_loads(con, GUARDED, min_ratio=settings.quality_min_row_ratio) as guard,
    ):
        if rne:
            paths = [fetch_source(r, settings.raw_dir / "inpi")[0] for r in rne]
            reports.append(load_rne(con, paths))
        if ratios:
            reports.append(load_ratios(con, fetch_source(ratios, settings.raw_dir / "inpi")[0]))
    _print_reports(reports)
    _print_guard(guard)


@load_app.command("bodacc")
def load_bodacc_cmd(
    paths: list[str] = typer.Argument(..., help="ODS JSON/JSONL/CSV exports or DILA .taz/.xml files; paths or URLs."),
    start: str | None = typer.Option(None, "--from", help="Only notices published on or after this day (YYYY-MM-DD)."),
    end: str | None = typer.Option(
        None, "--to", help="...and before this day (exclusive); with --from, the window is replaced exactly."
    ),
    db_file: Path | None = typer.Option(None, "--db", help="DuckDB file (default: $FIRMO_DB or data/firmo.duckdb)."),
) -> None:
    """Load BODACC notices; prints rows loaded and rejected."""
    from datetime import date

    from assets.common import fetch_source
    from firmo import db
    from firmo.quality.guard import guarded_loads
    from sources.bodacc.load import load_bodacc
    from sources.bodacc.quality import GUARDED

    if bool(start) != bool(end):
        raise typer.BadParameter("give both --from and --to, or neither")
    try:
        window = (date.fromisoformat(start), date.fromisoformat(end)) if start and end else None
    except ValueError as exc:
        raise typer.BadParameter(f"dates are YYYY-MM-DD: {exc}") from None
    settings = Settings.from_env()
    files = [Path(fetch_source(p, settings.raw_dir / "bodacc")[0]) for p in paths]
    with (
        db.connection(db_file, settings=settings) as con,
        guarded_loads(con, GUARDED, min_ratio=settings.quality_min_row_ratio) as guard,
    ):
        report = load_bodacc(con, files, window=window, workers=settings.parse_workers)
    _print_reports([report])
    _print_guard(guard)


@load_app.command("decp")
def load_decp_cmd(
    source: str | None = typer.Argument(
        None, help="decp.parquet or decp.csv, path or URL (default: FIRMO_DECP_SOURCE, live: data.gouv)."
    ),
    delta: bool = typer.Option(
        False, "--delta", help="Fetch the awards since the cursor from the tabular API instead."
    ),
    since: str | None = typer.Option(None, "--since", help="With --delta: start at this day (YYYY-MM-DD)."),
    api: str | None = typer.Option(None, "--api", help="With --delta: tabular API root (default: FIRMO_DECP_API)."),
    db_file: Path | None = typer.Option(None, "--db", help="DuckDB file (default: $FIRMO_DB or data/firmo.duckdb)."),
) -> None:
    """Load the consolidated DECP (public contracts awarded) or its daily delta; prints the counts."""
    from datetime import date

    from assets.common import fetch_source
    from assets.decp import stock_filename
    from firmo import db
    from firmo.errors import InputError
    from firmo.quality.guard import guarded_loads
    from sources.decp.columns import STOCK_URL
    from sources.decp.delta import run_delta
    from sources.decp.load import load_decp
    from sources.decp.quality import GUARDED

    settings = Settings.from_env()
    try:
        start = date.fromisoformat(since) if since else None
    except ValueError:
        raise InputError(f"--since must be a date (YYYY-MM-DD), got {since!r}") from None
    if since and not delta:
        raise InputError("--since goes with --delta")
    with db.connection(db_file, settings=settings) as con:
        if delta:
            report = run_delta(
                con, since=start, api_url=api or settings.decp_api_url, max_reject_share=settings.decp_max_reject_share
            )
            guard = None
        else:
            chosen = source or settings.decp_source or STOCK_URL
            path = fetch_source(chosen, settings.raw_dir / "decp", stock_filename(chosen))[0]
            with guarded_loads(con, GUARDED, min_ratio=settings.quality_min_row_ratio) as guard:
                report = load_decp(con, Path(path), max_reject_share=settings.decp_max_reject_share)
    _print_reports([report])
    if report.historical or report.duplicates:
        typer.echo(f"  {report.historical:,} older modification states and {report.duplicates:,} duplicates not kept")
    for kind, n in report.non_siret.items():
        typer.echo(f"  {n:,} titulaire rows with a {kind} id kept in decp.marches, not in core.public_contracts")
    typer.echo(f"delta cursor: {report.cursor or 'none'}")
    if guard is not None:
        _print_guard(guard)


@load_app.command("geoloc")
def load_geoloc_cmd(
    source: str | None = typer.Argument(
        None,
        help="GeolocalisationEtablissement_Sirene_pour_etudes_statistiques: zip, CSV or parquet; path or URL "
        "(default: FIRMO_GEOLOC_SOURCE, else the data.gouv CSV zip).",
    ),
    db_file: Path | None = typer.Option(None, "--db", help="DuckDB file (default: $FIRMO_DB or data/firmo.duckdb)."),
) -> None:
    """Load INSEE's establishment geolocation file; prints rows loaded and rejected per table."""
    from assets.common import fetch_source
    from firmo import db
    from firmo.quality.guard import guarded_loads
    from sources.geoloc.download import geoloc_filename, geoloc_url
    from sources.geoloc.load import load_geoloc
    from sources.geoloc.quality import GUARDED

    settings = Settings.from_env()
    given = source or settings.geoloc_source or geoloc_url("csv_zip")
    path, _ = fetch_source(given, settings.raw_dir / "geo", filename=geoloc_filename(given))
    with (
        db.connection(db_file, settings=settings) as con,
        guarded_loads(con, GUARDED, min_ratio=settings.quality_min_row_ratio) as guard,
    ):
        report = load_geoloc(
            con,
            path,
            workdir=settings.raw_dir / "geo",
            max_removal_pct=settings.geoloc_max_removal_pct,
        )
    _print_reports([report])
    _print_guard(guard)


@load_app.command("idcc")
def load_idcc_cmd(
    siret_file: str | None = typer.Option(
        None, "--siret-file", help="SIRET -> IDCC CSV, path or URL (default: FIRMO_IDCC_SIRET_SOURCE, else data.gouv)."
    ),
    dares: str | None = typer.Option(
        None,
        "--dares",
        help="DARES agreements workbook or the page linking it (default: FIRMO_IDCC_DARES_SOURCE, else the DARES page).",
    ),
    kali: str | None = typer.Option(
        None,
        "--kali",
        help="KALI agreements list (xlsx), path or URL (default: FIRMO_IDCC_KALI_SOURCE, else data.gouv).",
    ),
    skip_labels: bool = typer.Option(False, "--skip-labels", help="Load the SIRET -> IDCC file only."),
    skip_siret: bool = typer.Option(False, "--skip-siret", help="Load the agreements' names (ref.idcc) only."),
    db_file: Path | None = typer.Option(None, "--db", help="DuckDB file (default: $FIRMO_DB or data/firmo.duckdb)."),
) -> None:
    """Load the collective agreements: which IDCC each establishment declares (idcc.siret_idcc,
    core.company_idcc, core.companies.idcc_codes) and the agreements' names (ref.idcc)."""
    from firmo import db
    from firmo.quality.guard import guarded_loads
    from sources.idcc import download
    from sources.idcc.labels import load_idcc_labels
    from sources.idcc.quality import GUARDED
    from sources.idcc.siret_load import load_siret_idcc

    if skip_labels and skip_siret:
        raise typer.BadParameter("--skip-labels and --skip-siret leave nothing to load")
    settings = Settings.from_env()
    raw = settings.raw_dir / "idcc"
    reports = []
    with (
        db.connection(db_file, settings=settings) as con,
        guarded_loads(con, GUARDED, min_ratio=settings.quality_min_row_ratio) as guard,
    ):
        if not skip_siret:
            source = siret_file or settings.idcc_siret_source or download.SIRET_IDCC_URL
            path = download.fetch_siret_idcc(source, raw)
            reports.append(load_siret_idcc(con, path, max_removal_pct=settings.idcc_max_removal_pct))
        if not skip_labels:
            dares_path = download.fetch_dares(dares or settings.idcc_dares_source or download.DARES_PAGE_URL, raw)
            kali_path = download.fetch_kali(kali or settings.idcc_kali_source or download.KALI_URL, raw)
            reports.append(load_idcc_labels(con, dares_path, kali_path))
    _print_reports(reports)
    for report in reports:
        if report.superseded:
            typer.echo(f"  {report.superseded:,} repeated rows or older versions not kept ({', '.join(report.loaded)})")
    _print_guard(guard)


@load_app.command("labels")
def load_labels_cmd(
    source: list[str] = typer.Option(
        [],
        "--source",
        help="Label source to load (repeatable; default every configured one): "
        "rge, qualiopi, ess_france, egapro, agence_bio, siae, patrimoine_vivant, achats_responsables, spectacle.",
    ),
    db_file: Path | None = typer.Option(None, "--db", help="DuckDB file (default: $FIRMO_DB or data/firmo.duckdb)."),
) -> None:
    """Load labels and registers (labels.<source>) and rebuild core.labels with the SIRENE flags
    (FIRMO_LABELS_<SOURCE>_SOURCE; live: the publishers' addresses; demo: the generated files)."""
    from firmo import db
    from firmo.quality.guard import guarded_loads
    from sources.labels.api import fetch_label_source
    from sources.labels.catalog import SOURCES
    from sources.labels.config import configured_sources
    from sources.labels.load import load_labels
    from sources.labels.quality import GUARDED

    unknown = sorted(set(source) - set(SOURCES))
    if unknown:
        raise typer.BadParameter(f"unknown label source {', '.join(unknown)}; known: {', '.join(SOURCES)}")
    settings = Settings.from_env()
    chosen, skipped = configured_sources(settings)
    wanted = source or list(chosen)
    missing = [s for s in wanted if s not in chosen]
    if source and missing:
        raise typer.BadParameter("; ".join(f"{s}: {skipped[s]}" for s in missing))
    for name in sorted(set(skipped) - set(wanted)):
        typer.echo(f"{name}: skipped ({skipped[name]})")
    if not wanted:
        raise typer.BadParameter("no label source configured (set FIRMO_LABELS_<SOURCE>_SOURCE or run the demo)")
    token = settings.marche_inclusion_token.get_secret_value() if settings.marche_inclusion_token else None
    files = {name: fetch_label_source(name, chosen[name], settings.raw_dir, token=token) for name in wanted}
    with (
        db.connection(db_file, settings=settings) as con,
        guarded_loads(con, GUARDED, min_ratio=settings.quality_min_row_ratio) as guard,
    ):
        report = load_labels(con, files)
    _print_reports([report])
    _print_guard(guard)


@load_app.command("jobs")
def load_jobs_cmd(
    days_back: int | None = typer.Option(
        None, "--days", help="Offers created in the last N days (default: FIRMO_JOBS_DAYS_BACK)."
    ),
    departements: str | None = typer.Option(
        None, "--departements", help="Comma-separated départements (default: FIRMO_JOBS_DEPARTEMENTS, else all)."
    ),
    db_file: Path | None = typer.Option(None, "--db", help="DuckDB file (default: $FIRMO_DB or data/firmo.duckdb)."),
) -> None:
    """Poll France Travail (job offers, La Bonne Boîte), load them and match the offers to SIRENE."""
    from datetime import date

    from firmo import db
    from firmo.errors import InputError
    from firmo.quality.guard import guarded_loads
    from sources.jobs.client import FranceTravailClient
    from sources.jobs.quality import GUARDED
    from sources.jobs.refresh import refresh_jobs

    settings = Settings.from_env()
    if not (settings.france_travail_client_id and settings.france_travail_client_secret):
        raise InputError(
            "set FIRMO_FRANCE_TRAVAIL_CLIENT_ID and FIRMO_FRANCE_TRAVAIL_CLIENT_SECRET (an application on francetravail.io)"
        )
    deps = [d.strip() for d in departements.split(",") if d.strip()] if departements else settings.jobs_departements
    with (
        FranceTravailClient(
            settings.france_travail_client_id.get_secret_value(),
            settings.france_travail_client_secret.get_secret_value(),
            token_url=settings.france_travail_token_url,
            api_url=settings.france_travail_api_url,
        ) as client,
        db.connection(db_file, settings=settings) as con,
        guarded_loads(con, GUARDED, min_ratio=settings.quality_min_row_ratio) as guard,
    ):
        result = refresh_jobs(
            con,
            client,
            settings.raw_dir / "jobs",
            today=date.today(),
            days_back=days_back or settings.jobs_days_back,
            departements=deps,
            rome_codes=settings.jobs_rome_codes,
            threshold=settings.jobs_match_threshold,
        )
    _print_reports(result.reports)
    if result.lbb_fetch is not None and result.lbb_fetch.skipped:
        typer.echo(f"La Bonne Boîte {result.lbb_fetch.skipped}")
    typer.echo("core.job_offers: " + ", ".join(f"{k} {v:,}" for k, v in result.outcomes.items()))
    _print_guard(guard)


def _print_guard(guard) -> None:
    """What the row-count guard compared each published registry table with (firmo.quality.guard)."""
    for verdict in guard.verdicts:
        typer.echo(f"row-count guard: {verdict.line()}")


def _print_reports(reports) -> None:
    typer.echo(f"{'table':28s} {'loaded':>12s} {'rejected':>9s}")
    for report in reports:
        for table, loaded in report.loaded.items():
            typer.echo(f"{table:28s} {loaded:>12,} {report.rejected.get(table, 0):>9,}")
    for report in reports:
        for reason, n in report.rejects_by_reason.items():
            typer.echo(f"  {n} x {reason}")


@app.command()
def run(
    demo: bool = typer.Option(True, "--demo/--live", help="Demo: generated files, offline. Live: the real registries."),
    companies: int = typer.Option(20_000, help="Demo size (legal units)."),
    seed: int = typer.Option(42),
) -> None:
    """Run the whole pipeline (every asset) and print a summary."""
    from pipelines.run import RunFailed, run_pipeline

    try:
        typer.echo(run_pipeline(demo=demo, companies=companies, seed=seed, settings=Settings.from_env()))
    except RunFailed as exc:
        typer.secho(f"firmo run: {exc}", fg=typer.colors.RED, err=True)
        typer.secho(
            "Full logs: make ui, then Runs. Tables the run did not finish keep their previous content.", err=True
        )
        raise typer.Exit(1) from None


@app.command()
def nightly(
    day: str | None = typer.Option(None, help="BODACC day to load (ISO date; default yesterday, Europe/Paris)."),
) -> None:
    """One night of the schedule, here: the nightly job, then what automation asks for."""
    import contextlib
    from datetime import date

    from pipelines.nightly import run_nightly
    from pipelines.run import RunFailed, stand_in_providers

    settings = Settings.from_env()
    with contextlib.ExitStack() as stack:
        if not settings.live:
            settings = stack.enter_context(stand_in_providers(settings))
        try:
            report = run_nightly(date.fromisoformat(day) if day else None, settings=settings)
        except RunFailed as exc:
            typer.secho(f"firmo nightly: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(1) from None
    typer.echo(report.render())


@app.command()
def summary(db_file: Path | None = typer.Option(None, "--db")) -> None:
    """Rows per table and rejected rows in the warehouse."""
    from firmo import db
    from pipelines import summary as summary_mod

    settings = Settings.from_env()
    path = db_file or settings.db_path
    with db.connection(path, read_only=True, settings=settings) as con:
        typer.echo(summary_mod.render(con, path))


@app.command("settings")
def settings_cmd() -> None:
    """The effective settings: every variable firmo reads, its value here (secrets masked) and
    what it does. A bad value is refused with one line naming the variable."""
    rows = Settings.from_env().describe()
    width = max(len(var) for var, _, _ in rows)
    for var, value, doc in rows:
        typer.echo(f"{var:<{width}}  {value or '-'}")
        typer.echo(f"{'':<{width}}    {doc}")


if __name__ == "__main__":  # pragma: no cover
    app()
