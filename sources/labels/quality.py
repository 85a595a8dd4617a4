"""Data-quality rules of core.labels (every label code in firmo.labels.LABELS, a 9-digit SIREN on
every row, a SIRET that starts with its SIREN) and the tables `firmo load labels` keeps from
shrinking (GUARDED, firmo.quality.guard).

Declarations only (the engine is firmo.quality; assets/checks.py turns CHECKS into asset checks).
A row that cannot be read is quarantined in labels.rejects by the load itself.
"""

from __future__ import annotations

import duckdb

from firmo.labels import LABELS
from firmo.quality import rules
from firmo.quality.guard import row_count_check
from firmo.quality.model import QualityCheck, Rule, Thresholds
from sources.labels.catalog import SOURCES
from sources.labels.load import CORE

GUARDED = frozenset({CORE, *(s.table for s in SOURCES.values())})


def labels_suite(con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str = CORE) -> list[Rule]:
    check = "labels_values"
    ge = rules.gxe()
    return [
        Rule(
            check,
            "label in firmo.labels.LABELS",
            ge.ExpectColumnValuesToBeInSet(column="label", value_set=sorted(LABELS)),
            example="label",
        ),  # fmt: skip
        Rule(check, "SIREN present", ge.ExpectColumnValuesToNotBeNull(column="siren")),
        rules.true_rule(
            check,
            "SIRET (when given) starts with the SIREN",
            "siret_matches",
            "CASE WHEN siret IS NOT NULL THEN starts_with(siret, siren) END",
            example="siret",
        ),
    ]


CHECKS: tuple[QualityCheck, ...] = (
    QualityCheck(
        "labels_values",
        "core/labels",
        CORE,
        False,
        "ERROR",
        "Every label in the vocabulary (firmo.labels), a SIREN on every row, a SIRET of that SIREN.",
        labels_suite,
    ),
    row_count_check("labels_row_count", "core/labels", CORE),
)
