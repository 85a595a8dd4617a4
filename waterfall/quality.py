"""Data-quality rules of the enriched lead lists (leads.<icp>_enriched, what the export reads):
contacts a CRM accepts, and still no unit SIRENE marks `P` nor one opposed at the RNE. Declarations
only (the engine is firmo.quality; assets/checks.py turns CHECKS into Dagster asset checks).

Emails and phones are personal data: their failing examples are masked and shown with the SIREN."""

from __future__ import annotations

import duckdb

from firmo.quality import rules
from firmo.quality.model import QualityCheck, Rule, Thresholds

# A syntactically valid address: dot-atom local part (no leading, trailing or doubled dot), a
# domain of LDH labels and an alphabetic TLD. `\Z`, not `$`: pandas searches, and `$` would
# accept a trailing newline.
EMAIL_REGEX = (
    r"^(?!\.)(?!.*\.\.)[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}(?<!\.)@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\Z"
)
E164_REGEX = r"^\+[1-9]\d{7,14}\Z"
ASSET, TABLE = "enriched_leads", "leads.{icp}_enriched"


def enriched_leads_suite(con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str) -> list[Rule]:
    """leads.<icp>_enriched: contacts a CRM accepts, and still no P unit nor opposed unit."""
    ge = rules.gxe()
    return (
        [
            Rule(
                "enriched_leads_contacts",
                "email syntactically valid (NULL allowed)",
                ge.ExpectColumnValuesToMatchRegex(column="email", regex=EMAIL_REGEX),
                key="siren",
                mask=rules.mask_email,
            ),
            Rule(
                "enriched_leads_contacts",
                "phone in E.164 (+ and 8 to 15 digits; NULL allowed)",
                ge.ExpectColumnValuesToMatchRegex(column="phone", regex=E164_REGEX),
                key="siren",
                mask=rules.mask_phone,
            ),
        ]
        + rules.no_p_rules(con, "enriched_leads_no_p_unit")
        + rules.no_opposition_rules(con, "enriched_leads_no_opposed_unit")
    )


CHECKS: tuple[QualityCheck, ...] = (
    QualityCheck(
        "enriched_leads_contacts",
        ASSET,
        TABLE,
        True,
        "ERROR",
        "Emails syntactically valid, phones in E.164.",
        enriched_leads_suite,
    ),
    QualityCheck(
        "enriched_leads_no_p_unit",
        ASSET,
        TABLE,
        True,
        "ERROR",
        "No non-diffusible (statut P) unit in the enriched list the export reads.",
        enriched_leads_suite,
    ),
    QualityCheck(
        "enriched_leads_no_opposed_unit",
        ASSET,
        TABLE,
        True,
        "ERROR",
        "No unit opposed to commercial use at the RNE (diffusionCommerciale false) in the enriched list "
        "the export reads.",
        enriched_leads_suite,
    ),
)
