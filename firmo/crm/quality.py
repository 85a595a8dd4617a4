"""Data-quality rules of what was exported (exports.ledger, the rows of one ICP): every unit sent
to a CRM is still diffusible and not opposed at the RNE. These run after the export, so they never
gate it (that would lock the ICP for good); a failure says a CRM holds a unit it must erase.
Declarations only (the engine is firmo.quality; assets/checks.py turns CHECKS into Dagster checks)."""

from __future__ import annotations

import duckdb

from firmo.compliance.tables import LEDGER
from firmo.quality import rules
from firmo.quality.model import QualityCheck, Rule, Thresholds

ASSET = "crm_exports"


def exports_suite(con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str = LEDGER) -> list[Rule]:
    """exports.ledger rows (of one ICP): every unit sent to a CRM is still diffusible and not opposed."""
    return rules.no_p_rules(con, "crm_exports_no_p_unit", statut=False) + rules.no_opposition_rules(
        con, "crm_exports_no_opposed_unit"
    )


CHECKS: tuple[QualityCheck, ...] = (
    QualityCheck(
        "crm_exports_no_p_unit",
        ASSET,
        LEDGER,
        True,
        "ERROR",
        "Every unit exported for this ICP (exports.ledger) is still diffusible.",
        exports_suite,
        where="icp = $icp",
        optional=True,
    ),
    QualityCheck(
        "crm_exports_no_opposed_unit",
        ASSET,
        LEDGER,
        True,
        "ERROR",
        "No unit exported for this ICP (exports.ledger) is opposed to commercial use at the RNE now.",
        exports_suite,
        where="icp = $icp",
        optional=True,
    ),
)
