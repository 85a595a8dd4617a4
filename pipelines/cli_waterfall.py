"""`firmo waterfall ...`: the enrichment waterfall's evidence (waterfall/stats.py)."""

from __future__ import annotations

from pathlib import Path

import typer

from firmo.settings import Settings

waterfall_app = typer.Typer(no_args_is_help=True, help="The contact-enrichment waterfall: what each provider did.")
BY = ("naf_section", "headcount_band")


@waterfall_app.command("stats")
def stats_cmd(
    by: str | None = typer.Option(None, "--by", help="Break down by naf_section or headcount_band."),
    suggest: bool = typer.Option(False, "--suggest", help="Suggest the order of one chain for --icp's list."),
    icp: str | None = typer.Option(None, "--icp", help="The lead list (ICP name) the suggestion is for."),
    field: str = typer.Option("email", "--field", help="The chain to order with --suggest (email, phone, ...)."),
    out: Path | None = typer.Option(None, "--out", help="Write the suggested YAML diff to this file."),
    db_file: Path | None = typer.Option(None, "--db"),
) -> None:
    """Per provider and field: questions, hit rate, valid rate, credits, cost per value found and
    latency over the questions answered live; with --suggest --icp X, the order and stop rule (and,
    for email, the verify chain) that minimise the credits per value found when X's leads' answers are
    replayed (the independent-vendor formula without such answers), as a diff of the waterfall YAML
    (never applied)."""
    from firmo import db
    from firmo.errors import InputError
    from firmo.icp.leads import leads_table
    from waterfall import replay, stats
    from waterfall.config import DEFAULT_PATH, load_config
    from waterfall.providers.base import Field

    if by is not None and by not in BY:
        raise InputError(f"--by {by!r}: expected one of {', '.join(BY)}")
    if suggest and not icp:
        raise InputError("--suggest needs --icp <name>: the order is worked out for one lead list")
    if field not in stats.FIELDS:
        raise InputError(f"--field {field!r}: expected one of {', '.join(stats.FIELDS)}")
    settings = Settings.from_env()
    with db.connection(db_file or settings.db_path, read_only=True, settings=settings) as con:
        typer.echo(stats.render(stats.collect(con, by=by), by))
        if not suggest:
            return
        try:
            table = leads_table(str(icp))
        except ValueError:
            raise InputError(f"--icp {icp!r} is not an ICP name") from None
        if not db.table_exists(con, table):
            raise InputError(f"no lead list for ICP {icp!r} ({table}): build it first (firmo icp build)")
        sirens = [s for (s,) in con.execute(f"SELECT DISTINCT siren FROM {table}").fetchall()]  # noqa: S608
        path = settings.waterfall_config or DEFAULT_PATH
        config = load_config(settings.waterfall_config)
        shown = "waterfall/default.yaml" if path == DEFAULT_PATH else str(path)
        stop = config.stop_rule(Field(field))
        result = stats.suggest(
            con, sirens, list(config.chain(Field(field))), path.read_text(encoding="utf-8"), field=field,
            by=by or "naf_section", path=shown,
            current_rule=replay.rule((s.value for s in stop.stop_on), (s.value for s in stop.fallback),
                                     (s.value for s in stop.verify)),
            verify=config.chain(Field.VERIFY), verify_skip=config.verify_skip_on_accept_all,
        )  # fmt: skip
    typer.echo("")
    typer.echo(f"suggestion for {icp} ({len(sirens):,} companies):")
    typer.echo(result.render())
    if not result.diff:
        typer.echo("the current order is already the cheapest on this evidence: nothing to change")
    elif out is not None:
        stats.write_diff(result.diff, out)
        typer.echo(f"diff written to {out}: review it, then apply it with `patch -p1 < {out}` (firmo never does)")
    else:
        typer.echo("")
        typer.echo(result.diff, nl=False)
