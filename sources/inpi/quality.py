"""Data-quality rules of the tables the INPI loads write: core.latest_financials (from the ratios
export: one row per SIREN, revenue never negative) and inpi.officers (RNE: its row count).

Declarations only (the engine is firmo.quality; assets/checks.py turns CHECKS into Dagster asset
checks); GUARDED are the tables `firmo load inpi` keeps from shrinking (firmo.quality.guard).
"""

from __future__ import annotations

import duckdb

from firmo.quality import rules
from firmo.quality.guard import row_count_check
from firmo.quality.model import QualityCheck, Rule, Thresholds
from sources.inpi.ratios import FINANCIALS, LATEST
from sources.inpi.rne_load import COMPANIES, OFFICERS

GUARDED = frozenset({OFFICERS, COMPANIES, FINANCIALS, LATEST})


def latest_financials_suite(con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str = LATEST) -> list[Rule]:
    """core.latest_financials: one row per SIREN, revenue never negative (NULL = unknown)."""
    check = "latest_financials_values"
    return [
        rules.unique_rule(check, "SIREN unique", "siren"),
        rules.non_negative_rule(check, "revenue", key="siren"),
    ]


CHECKS: tuple[QualityCheck, ...] = (
    QualityCheck(
        "latest_financials_values",
        "core/latest_financials",
        LATEST,
        False,
        "ERROR",
        "One row per SIREN; revenue never negative (NULL = unknown).",
        latest_financials_suite,
    ),
    row_count_check("latest_financials_row_count", "core/latest_financials", LATEST),
    row_count_check("officers_row_count", "inpi/officers", OFFICERS),
)
