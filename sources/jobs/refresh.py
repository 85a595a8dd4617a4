"""One refresh of the hiring tables, the steps `firmo load jobs` and the assets share: poll the
offers, load them, search La Bonne Boîte where they are, load it, match the offers to SIRENE.

Why here and not in the assets: the command line and Dagster must run the same sequence, and a
plain function is testable against the stand-in server without Dagster.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from firmo.reference import read_reference
from sources.jobs.client import FranceTravailClient
from sources.jobs.fetch import FetchSummary, fetch_labonneboite, fetch_offers
from sources.jobs.load import LBB_MAX_SEARCHES, build_hiring_potential, lbb_searches, load_labonneboite, load_offers
from sources.jobs.match import DEFAULT_THRESHOLD, match_offers
from sources.report import LoadReport

LOG = logging.getLogger(__name__)


def all_departements() -> list[str]:
    """Every département code of firmo/reference/departements.csv (mainland, Corsica, overseas)."""
    return [str(code) for code in read_reference("departements")["code"].to_list()]


@dataclass
class Refresh:
    offers_fetch: FetchSummary | None = None
    lbb_fetch: FetchSummary | None = None
    reports: list[LoadReport] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)


def fetch_and_load_offers(
    con: duckdb.DuckDBPyConnection,
    client: FranceTravailClient,
    raw_dir: Path,
    *,
    today: date,
    days_back: int,
    departements: Sequence[str] | None = None,
    log: Any = LOG,
) -> tuple[FetchSummary, LoadReport]:
    summary = fetch_offers(
        client,
        raw_dir,
        departements=list(departements or all_departements()),
        today=today,
        days_back=days_back,
        log=log,
    )
    assert summary.path is not None
    return summary, load_offers(con, [summary.path])


def fetch_and_load_labonneboite(
    con: duckdb.DuckDBPyConnection,
    client: FranceTravailClient,
    raw_dir: Path,
    *,
    today: date,
    rome_codes: Sequence[str] | None = None,
    departements: Sequence[str] | None = None,
    max_searches: int = LBB_MAX_SEARCHES,
    log: Any = LOG,
) -> tuple[FetchSummary, LoadReport | None]:
    """La Bonne Boîte where the loaded offers are; skipped (no report, tables kept) without access."""
    searches = lbb_searches(con, rome_codes=rome_codes, departements=departements, limit=max_searches)
    summary = fetch_labonneboite(client, raw_dir, searches=searches, today=today, log=log)
    if summary.path is None:
        build_hiring_potential(con)  # the table exists (empty, or as last loaded) for what reads it
        return summary, None
    return summary, load_labonneboite(con, [summary.path])


def refresh_jobs(
    con: duckdb.DuckDBPyConnection,
    client: FranceTravailClient,
    raw_dir: Path,
    *,
    today: date,
    days_back: int,
    departements: Sequence[str] | None = None,
    rome_codes: Sequence[str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    log: Any = LOG,
) -> Refresh:
    """Every step, in order; returns what each did."""
    result = Refresh()
    result.offers_fetch, offers = fetch_and_load_offers(
        con, client, raw_dir, today=today, days_back=days_back, departements=departements, log=log
    )
    result.reports.append(offers)
    result.lbb_fetch, lbb = fetch_and_load_labonneboite(
        con, client, raw_dir, today=today, rome_codes=rome_codes, departements=departements, log=log
    )
    if lbb is not None:
        result.reports.append(lbb)
    result.outcomes = match_offers(con, threshold=threshold)
    return result
