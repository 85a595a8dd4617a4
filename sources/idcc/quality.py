"""Data-quality rules of the tables the IDCC loads write: core.company_idcc (the agreements each
establishment declares) and the row counts of idcc.siret_idcc and ref.idcc.

Declarations only (the engine is firmo.quality; assets/checks.py turns CHECKS into Dagster asset
checks); GUARDED are the tables `firmo load idcc` keeps from shrinking (firmo.quality.guard): a
truncated download of the 100 MB file would otherwise replace two million rows with a few.
"""

from __future__ import annotations

import duckdb

from firmo.quality import rules
from firmo.quality.guard import row_count_check
from firmo.quality.model import QualityCheck, Rule, Thresholds
from sources.idcc.labels import TABLE as REF_IDCC
from sources.idcc.siret_load import COMPANY_IDCC, NO_AGREEMENT, RAW

GUARDED = frozenset({RAW, COMPANY_IDCC, REF_IDCC})


def company_idcc_suite(con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str = COMPANY_IDCC) -> list[Rule]:
    """core.company_idcc: a valid SIRET, its SIREN, a 4-digit IDCC that is not 9999."""
    check = "company_idcc_values"
    return [
        rules.siret_rule(check, "SIRET: 14 digits, Luhn checksum (La Poste: digit sum)", "siret", "siret_ok"),
        rules.true_rule(
            check,
            "SIREN is the SIRET's first 9 digits",
            "siren_of_siret",
            "coalesce(siren = left(siret, 9), false)",
            example="siret",
        ),
        rules.true_rule(
            check,
            f"IDCC: 4 digits, never {NO_AGREEMENT}",
            "idcc_ok",
            f"coalesce(regexp_full_match(idcc, '[0-9]{{4}}') AND idcc <> '{NO_AGREEMENT}', false)",
            example="idcc",
        ),
    ]


CHECKS: tuple[QualityCheck, ...] = (
    QualityCheck(
        "company_idcc_values",
        "core/company_idcc",
        COMPANY_IDCC,
        False,
        "ERROR",
        "Valid SIRET with its SIREN, IDCC on 4 digits, 9999 (no agreement) left out.",
        company_idcc_suite,
    ),
    row_count_check("siret_idcc_row_count", "idcc/siret_idcc", RAW),
    row_count_check("ref_idcc_row_count", "ref/idcc", REF_IDCC),
)
