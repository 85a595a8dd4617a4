"""Jobs: named selections an operator launches from the UI (and the nightly schedule later)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

sirene_job = define_asset_job(
    "sirene_reload",
    selection=AssetSelection.groups("sirene") | AssetSelection.keys(["core", "companies"]),
    description="Fetch the SIRENE monthly stock files and reload sirene.* and core.companies.",
)


inpi_job = define_asset_job(
    "inpi_reload",
    selection=AssetSelection.groups("inpi") | AssetSelection.keys(["core", "latest_financials"]),
    description="Reload the RNE officers and the ratios_inpi_bce accounts.",
)

# Everything that is not partitioned, in dependency order: what `make run` and the monthly
# full reload execute. Partitioned assets (daily BODACC, per-ICP lists) run per partition.
full_refresh_job = define_asset_job(
    "full_refresh",
    selection=AssetSelection.all(),
    description="Every registry load and derived table, in dependency order.",
)


def all_jobs() -> list:
    return [sirene_job, inpi_job, full_refresh_job]
