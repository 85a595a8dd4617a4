"""Jobs: named selections an operator launches from the UI (and the nightly schedule later)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

sirene_job = define_asset_job(
    "sirene_reload",
    selection=AssetSelection.groups("sirene", "core"),
    description="Fetch the SIRENE monthly stock files and reload sirene.* and core.companies.",
)


def all_jobs() -> list:
    return [sirene_job]
