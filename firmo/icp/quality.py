"""Data-quality rules of the lead lists (leads.<icp>, one per ICP): identifiers a CRM accepts, no
unit SIRENE marks `P` nor one opposed to commercial use at the RNE, and a tier distribution within
bounds. Declarations only (the engine is firmo.quality; assets/checks.py turns CHECKS into Dagster
asset checks, run on the ICP partition being materialised)."""

from __future__ import annotations

import duckdb

from firmo.icp.score import TIERS
from firmo.quality import rules
from firmo.quality.model import QualityCheck, Rule, Thresholds, scalar
from firmo.sqlfiles import quote_ident

ASSET, TABLE = "icp_leads", "leads.{icp}"


def leads_suite(con: duckdb.DuckDBPyConnection, limits: Thresholds, table: str) -> list[Rule]:
    """leads.<icp>: identifiers, no P unit, no unit opposed at the RNE, and a tier distribution
    within bounds. The two distribution rules apply from `tier_min_leads` leads on (a list of 3 says nothing)."""
    ge = rules.gxe()
    found = (
        rules.siren_rules("icp_leads_siren")
        + [rules.siret_rule("icp_leads_siren", "SIRET checksum (when known)", "siret", "siret_ok")]
        + rules.no_p_rules(con, "icp_leads_no_p_unit")
        + rules.no_opposition_rules(con, "icp_leads_no_opposed_unit")
        + [
            Rule(
                "icp_leads_tier_distribution",
                "tier present",
                ge.ExpectColumnValuesToNotBeNull(column="tier"),
                example="siren",
            ),
            Rule(
                "icp_leads_tier_distribution",
                "tier is hot, warm or cold",
                ge.ExpectColumnValuesToBeInSet(column="tier", value_set=list(TIERS)),
                key="siren",
            ),
        ]
    )
    rows = scalar(con, f"SELECT count(*) FROM {quote_ident(table)}")
    if rows < limits.tier_min_leads:
        found.append(
            Rule(
                "icp_leads_tier_distribution",
                f"hot share and tier count not checked: {rows} leads, fewer "
                f"than FIRMO_QUALITY_TIER_MIN_LEADS ({limits.tier_min_leads})",
            )
        )
    else:
        found += [
            Rule(
                "icp_leads_tier_distribution",
                f"hot share ≤ {limits.max_hot_share:.0%}",
                ge.ExpectColumnMeanToBeBetween(column="is_hot", min_value=0, max_value=limits.max_hot_share),
                computed={"is_hot": "CASE WHEN tier = 'hot' THEN 1.0 ELSE 0.0 END::DOUBLE"},
            ),
            Rule(
                "icp_leads_tier_distribution",
                f"at least {limits.min_tiers} distinct tiers",
                ge.ExpectColumnUniqueValueCountToBeBetween(column="tier", min_value=limits.min_tiers),
            ),
        ]
    return found


CHECKS: tuple[QualityCheck, ...] = (
    QualityCheck(
        "icp_leads_siren",
        ASSET,
        TABLE,
        True,
        "ERROR",
        "Lead SIRENs valid and unique, SIRETs valid: never a broken identifier in a CRM.",
        leads_suite,
    ),
    QualityCheck(
        "icp_leads_no_p_unit",
        ASSET,
        TABLE,
        True,
        "ERROR",
        "No non-diffusible (statut P) unit in the lead list (décret 2022-1014).",
        leads_suite,
    ),
    QualityCheck(
        "icp_leads_no_opposed_unit",
        ASSET,
        TABLE,
        True,
        "ERROR",
        "No unit whose latest RNE payload opposes commercial use (diffusionCommerciale false, "
        "art. R.123-320) in the lead list.",
        leads_suite,
    ),
    QualityCheck(
        "icp_leads_tier_distribution",
        ASSET,
        TABLE,
        False,
        "WARN",
        "Tiers are hot/warm/cold; from FIRMO_QUALITY_TIER_MIN_LEADS leads on, at most "
        "FIRMO_QUALITY_MAX_HOT_SHARE hot and at least FIRMO_QUALITY_MIN_TIERS tiers.",
        leads_suite,
    ),
)
