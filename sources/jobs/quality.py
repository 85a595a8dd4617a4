"""Data-quality rules of the hiring tables: core.job_offers keeps the rules the matcher promises
(a temp agency is never credited as the hiring company, one row per offer, a confidence in 0..1
on every credited offer); GUARDED are the tables `firmo load jobs` keeps from shrinking
(firmo.quality.guard). An offer that cannot be keyed or dated is quarantined in jobs.rejects by
the load itself. Declarations only: assets/checks.py turns CHECKS into asset checks."""

from __future__ import annotations

import duckdb

from firmo.quality import rules
from firmo.quality.model import QualityCheck, Rule, Thresholds
from sources.jobs.load import LBB, OFFRES

JOB_OFFERS = "core.job_offers"
GUARDED = frozenset({OFFRES, LBB})


def job_offers_suite(con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str = JOB_OFFERS) -> list[Rule]:
    check = "job_offers_values"
    ge = rules.gxe()
    return [
        Rule(check, "one row per offer", ge.ExpectColumnValuesToBeUnique(column="offer_id"), example="offer_id"),
        Rule(
            check,
            "a temp agency's offer credits no company",
            ge.ExpectColumnValuesToBeInSet(column="temp_agency_credited", value_set=[False]),
            computed={"temp_agency_credited": "coalesce(temp_agency, false) AND siren IS NOT NULL"},
            example="offer_id",
        ),
        Rule(
            check,
            "a credited offer has a match confidence in 0..1",
            ge.ExpectColumnValuesToBeBetween(column="credited_confidence", min_value=0, max_value=1),
            computed={"credited_confidence": "CASE WHEN siren IS NOT NULL THEN coalesce(match_confidence, -1) END"},
            example="offer_id",
        ),
    ]


CHECKS: tuple[QualityCheck, ...] = (
    QualityCheck(
        "job_offers_values",
        "core/job_offers",
        JOB_OFFERS,
        False,
        "ERROR",
        "One row per offer; temp agencies never credited as the hiring company; a confidence on every match.",
        job_offers_suite,
    ),
)
