"""Data-quality rules of the DECP tables: decp.marches (uid present, amounts never negative, no
duplicate on the documented key, current state only) and core.public_contracts (one row per
uid x SIREN, 9/14-digit identifiers, 8-digit CPV codes, at least one co-contractor).

Declarations only (the engine is firmo.quality; assets/checks.py turns CHECKS into Dagster asset
checks); GUARDED are the tables `firmo load decp` keeps from shrinking (firmo.quality.guard).
"""

from __future__ import annotations

import duckdb

from firmo.quality import rules
from firmo.quality.guard import row_count_check
from firmo.quality.model import QualityCheck, Rule, Thresholds
from sources.decp.load import CONTRACTS, MARCHES

GUARDED = frozenset({MARCHES, CONTRACTS})
KEY_SQL = (
    "coalesce(uid, '') || '|' || coalesce(titulaire_id, '') || '|' || coalesce(titulaire_typeIdentifiant, '') "
    "|| '|' || coalesce(CAST(dateNotification AS VARCHAR), '')"
)


def marches_suite(con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str = MARCHES) -> list[Rule]:
    ge = rules.gxe()
    check = "decp_marches_values"
    return [
        Rule(check, "uid present", ge.ExpectColumnValuesToNotBeNull(column="uid")),
        rules.non_negative_rule(check, "montant", key="uid"),
        Rule(
            check,
            "montant is never the 12,311,111,111 sentinel",
            ge.ExpectColumnValuesToNotBeInSet(column="montant", value_set=[12311111111.0]),
            key="uid",
        ),
        Rule(
            check,
            "no duplicate (uid, titulaire_id, titulaire_typeIdentifiant, dateNotification)",
            ge.ExpectColumnValuesToBeUnique(column="decp_key_rank"),
            computed={"decp_key_rank": f"dense_rank() OVER (ORDER BY {KEY_SQL})"},
            example="uid",
        ),
        Rule(
            check,
            "current state only (donneesActuelles)",
            ge.ExpectColumnValuesToBeInSet(column="donneesActuelles", value_set=[True]),
            key="uid",
        ),
        Rule(
            check,
            "codeCPV: 8 digits (NULL allowed)",
            ge.ExpectColumnValuesToMatchRegex(column="codeCPV", regex=r"^[0-9]{8}\Z"),
            key="uid",
        ),
    ]


def contracts_suite(con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str = CONTRACTS) -> list[Rule]:
    ge = rules.gxe()
    check = "public_contracts_values"
    return [
        Rule(check, "uid present", ge.ExpectColumnValuesToNotBeNull(column="uid")),
        Rule(check, "SIREN: 9 digits", ge.ExpectColumnValuesToMatchRegex(column="siren", regex=r"^[0-9]{9}\Z")),
        rules.true_rule(
            check,
            "SIRET: 14 digits starting with the SIREN",
            "siret_of_siren",
            "regexp_full_match(siret, '[0-9]{14}') AND left(siret, 9) = siren",
            example="siret",
        ),
        Rule(
            check,
            "one row per (uid, siren)",
            ge.ExpectColumnValuesToBeUnique(column="uid_siren_rank"),
            computed={"uid_siren_rank": "dense_rank() OVER (ORDER BY uid, siren)"},
            example="uid",
        ),
        rules.non_negative_rule(check, "amount", key="uid"),
        Rule(
            check,
            "cpv_code: 8 digits (NULL allowed)",
            ge.ExpectColumnValuesToMatchRegex(column="cpv_code", regex=r"^[0-9]{8}\Z"),
            key="uid",
        ),  # fmt: skip
        Rule(
            check,
            "co_contractors ≥ 1",
            ge.ExpectColumnValuesToBeBetween(column="co_contractors", min_value=1),
            key="uid",
        ),
    ]


CHECKS: tuple[QualityCheck, ...] = (
    QualityCheck(
        "decp_marches_values",
        "decp/marches",
        MARCHES,
        False,
        "ERROR",
        "uid present, montant never negative nor the sentinel, no duplicate on the documented key, current state "
        "only, 8-digit CPV codes.",
        marches_suite,
    ),
    QualityCheck(
        "public_contracts_values",
        "core/public_contracts",
        CONTRACTS,
        False,
        "ERROR",
        "One row per uid x SIREN, SIRET of the SIREN, amounts never negative, 8-digit CPV, co-contractors ≥ 1.",
        contracts_suite,
    ),
    row_count_check("decp_marches_row_count", "decp/marches", MARCHES),
    row_count_check("public_contracts_row_count", "core/public_contracts", CONTRACTS),
)
