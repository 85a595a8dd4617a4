"""What an operator reads at a glance in the UI, set in one place for every asset: tags (layer,
registry, personal data) to filter the catalog, and freshness windows that turn an asset red
when its source stopped arriving.

Why central: the windows follow the sources' publication rhythm (SIRENE and the ratios monthly,
RNE and BODACC daily), not the code of each asset; one table makes them easy to review.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from dagster import AssetKey, AssetSpec, FreshnessPolicy, map_asset_specs

DAY = timedelta(days=1)
MONTHLY = FreshnessPolicy.time_window(fail_window=45 * DAY, warn_window=35 * DAY)  # stock published monthly
NIGHTLY = FreshnessPolicy.time_window(fail_window=3 * DAY, warn_window=30 * timedelta(hours=1))
# republished every weekday morning (DECP): a long weekend is not an outage
WEEKDAYS = FreshnessPolicy.time_window(fail_window=5 * DAY, warn_window=4 * DAY)
# the SIRET -> IDCC file is updated "ponctuellement", months late (open_data.md §7.1)
IRREGULAR = FreshnessPolicy.time_window(fail_window=120 * DAY, warn_window=95 * DAY)
# the label lists are republished daily, loaded about weekly: two missed weeks is an outage
WEEKLY = FreshnessPolicy.time_window(fail_window=15 * DAY, warn_window=8 * DAY)

# asset key (as in the UI) -> (layer, registry, freshness)
POLICIES: dict[str, tuple[str, str, FreshnessPolicy | None]] = {
    "raw/sirene/stock_unites_legales": ("raw", "sirene", MONTHLY),
    "raw/sirene/stock_etablissements": ("raw", "sirene", MONTHLY),
    "sirene/unites_legales": ("registry", "sirene", MONTHLY),
    "sirene/etablissements": ("registry", "sirene", MONTHLY),
    "sirene/daily_changes": ("registry", "sirene", None),  # only materializes when INSEE changed something
    "core/companies": ("core", "sirene", MONTHLY),
    "raw/inpi/rne": ("raw", "inpi", MONTHLY),
    "raw/inpi/ratios_inpi_bce": ("raw", "inpi", MONTHLY),
    "inpi/officers": ("registry", "inpi", MONTHLY),
    "inpi/companies": ("registry", "inpi", MONTHLY),
    "inpi/daily_changes": ("registry", "inpi", None),
    "inpi/financials": ("registry", "inpi", MONTHLY),
    "core/latest_financials": ("core", "inpi", MONTHLY),
    "bodacc/notices": ("registry", "bodacc", NIGHTLY),
    "raw/geo/geolocalisation": ("raw", "geoloc", MONTHLY),
    "geo/geolocalisation": ("registry", "geoloc", MONTHLY),
    "core/establishment_locations": ("core", "geoloc", MONTHLY),
    "core/commune_points": ("core", "geoloc", MONTHLY),
    "raw/idcc/siret_idcc": ("raw", "idcc", IRREGULAR),
    "raw/idcc/dares": ("raw", "idcc", None),  # the agreements' names change rarely
    "raw/idcc/kali": ("raw", "idcc", None),
    "idcc/siret_idcc": ("registry", "idcc", IRREGULAR),
    "core/company_idcc": ("core", "idcc", IRREGULAR),
    "core/company_idcc_codes": ("core", "idcc", IRREGULAR),
    "ref/idcc": ("registry", "idcc", None),  # the agreements' titles (DARES, KALI): a registry of its own
    "raw/decp/decp": ("raw", "decp", WEEKDAYS),
    "decp/marches": ("registry", "decp", WEEKDAYS),
    "core/public_contracts": ("core", "decp", WEEKDAYS),
    "raw/labels/files": ("raw", "labels", WEEKLY),
    "labels/rge": ("registry", "labels", None),  # skipped when not configured
    "labels/qualiopi": ("registry", "labels", None),  # skipped when not configured
    "labels/ess_france": ("registry", "labels", None),  # skipped when not configured
    "labels/egapro": ("registry", "labels", None),  # skipped when not configured
    "labels/agence_bio": ("registry", "labels", None),  # skipped when not configured
    "labels/siae": ("registry", "labels", None),  # skipped when not configured
    "labels/patrimoine_vivant": ("registry", "labels", None),  # skipped when not configured
    "labels/achats_responsables": ("registry", "labels", None),  # skipped when not configured
    "labels/spectacle": ("registry", "labels", None),  # skipped when not configured
    "core/labels": ("core", "labels", WEEKLY),
    "raw/jobs/offres": ("raw", "jobs", WEEKLY),  # skipped (no file) without France Travail credentials
    "jobs/offres": ("registry", "jobs", WEEKLY),
    "jobs/labonneboite": ("registry", "jobs", None),  # skipped without the La Bonne Boîte habilitation
    "core/hiring_potential": ("core", "jobs", None),
    "core/job_offers": ("core", "jobs", WEEKLY),
    "core/signals": ("core", "all", NIGHTLY),
    "core/prospects": ("core", "all", NIGHTLY),
    "icp_leads": ("leads", "all", None),  # per ICP, rebuilt when its inputs change
    "enriched_leads": ("leads", "providers", None),
    "job_change_rechecks": ("leads", "providers", None),  # per ICP, on the monthly re-check schedule
    "crm_contact_rechecks": ("delivery", "providers", None),
    "crm_exports": ("delivery", "all", None),
    "crm_accounts": ("delivery", "crm", None),  # read back from the CRM on demand; skipped without a credential
    "alerts": ("delivery", "all", None),  # after the lead lists; sends only what changed
    "analytics/snapshot": ("analytics", "all", NIGHTLY),
}
PERSONAL_DATA = {
    "inpi/officers",
    "inpi/daily_changes",
    "icp_leads",
    "enriched_leads",
    "job_change_rechecks",
    "crm_contact_rechecks",
    "crm_exports",
    "crm_accounts",
    "alerts",
    "analytics/snapshot",
}  # names of people (officers) or their contacts: GDPR scope


def _apply(spec: AssetSpec) -> AssetSpec:
    key = spec.key.to_user_string()
    if key not in POLICIES:
        raise KeyError(f"asset {key} has no entry in assets/policies.py: give it a layer and a freshness window")
    layer, registry, freshness = POLICIES[key]
    tags = {"layer": layer, "registry": registry, **({"personal_data": "yes"} if key in PERSONAL_DATA else {})}
    spec = spec.merge_attributes(tags=tags)
    return spec.replace_attributes(freshness_policy=freshness) if freshness else spec


def with_policies(assets: Sequence) -> list:
    """Every asset definition with its tags and freshness window (an unknown asset is an error)."""
    return list(map_asset_specs(_apply, assets))


def policy_keys() -> set[AssetKey]:
    return {AssetKey(k.split("/")) for k in POLICIES}
