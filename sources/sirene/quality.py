"""Data-quality rules of the tables the SIRENE load writes: sirene.unites_legales,
sirene.etablissements (INSEE column names) and core.companies (one row per legal unit).

Declarations only (the engine is firmo.quality; assets/checks.py turns CHECKS into Dagster asset
checks); GUARDED are the tables `firmo load sirene` keeps from shrinking (firmo.quality.guard).
"""

from __future__ import annotations

import duckdb

from firmo.quality import rules
from firmo.quality.guard import row_count_check
from firmo.quality.model import QualityCheck, Rule, Thresholds
from sources.sirene.ingest import TABLES

UNITES_LEGALES, ETABLISSEMENTS, COMPANIES = TABLES["unites_legales"], TABLES["etablissements"], "core.companies"
GUARDED = frozenset({UNITES_LEGALES, ETABLISSEMENTS, COMPANIES})


def unites_legales_suite(con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str = UNITES_LEGALES) -> list[Rule]:
    """sirene.unites_legales (INSEE column names)."""
    return rules.siren_rules("unites_legales_siren") + rules.naf_band_rules(
        con,
        "unites_legales_codes",
        limits,
        naf="activitePrincipaleUniteLegale",
        nomenclature="nomenclatureActivitePrincipaleUniteLegale",
        band="trancheEffectifsUniteLegale",
    )


def etablissements_suite(con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str = ETABLISSEMENTS) -> list[Rule]:
    """sirene.etablissements: the SIRET is the key."""
    ge = rules.gxe()
    check = "etablissements_siret"
    return [
        Rule(check, "SIRET present", ge.ExpectColumnValuesToNotBeNull(column="siret")),
        rules.siret_rule(check, "SIRET: 14 digits, Luhn checksum (La Poste: digit sum)", "siret", "siret_ok"),
        rules.true_rule(
            check,
            "SIRET is SIREN + NIC",
            "siret_is_siren_nic",
            "coalesce(siret = siren || nic, false)",
            example="siret",
        ),
        rules.unique_rule(check, "SIRET unique", "siret"),
    ]


def companies_suite(con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str = COMPANIES) -> list[Rule]:
    """core.companies (one row per legal unit)."""
    check = "companies_siren"
    return (
        rules.siren_rules(check)
        + [rules.siret_rule(check, "head-office SIRET checksum (when known)", "siret_siege", "siret_siege_ok")]
        + rules.naf_band_rules(
            con, "companies_codes", limits, naf="naf_code", nomenclature="naf_nomenclature", band="headcount_band"
        )
    )


CHECKS: tuple[QualityCheck, ...] = (
    QualityCheck(
        "unites_legales_siren",
        "sirene/unites_legales",
        UNITES_LEGALES,
        True,
        "ERROR",
        "Every SIREN present, 9 digits with a valid Luhn checksum, unique.",
        unites_legales_suite,
    ),
    QualityCheck(
        "unites_legales_codes",
        "sirene/unites_legales",
        UNITES_LEGALES,
        False,
        "WARN",
        "NAF rév. 2 codes in the nomenclature, headcount bands in INSEE's list.",
        unites_legales_suite,
    ),
    row_count_check("unites_legales_row_count", "sirene/unites_legales", UNITES_LEGALES),
    QualityCheck(
        "etablissements_siret",
        "sirene/etablissements",
        ETABLISSEMENTS,
        True,
        "ERROR",
        "Every SIRET present, valid (Luhn; La Poste's digit sum), SIREN + NIC, unique.",
        etablissements_suite,
    ),
    row_count_check("etablissements_row_count", "sirene/etablissements", ETABLISSEMENTS),
    QualityCheck(
        "companies_siren",
        "core/companies",
        COMPANIES,
        True,
        "ERROR",
        "Every SIREN present, valid and unique; head-office SIRETs valid.",
        companies_suite,
    ),
    QualityCheck(
        "companies_codes",
        "core/companies",
        COMPANIES,
        False,
        "WARN",
        "NAF rév. 2 codes in the nomenclature, headcount bands in INSEE's list.",
        companies_suite,
    ),
    row_count_check("companies_row_count", "core/companies", COMPANIES),
)
