"""Automation conditions shared by the derived assets.

Why not plain `AutomationCondition.eager()`: eager waits while any upstream partition is
missing, and `bodacc/notices` always has one (today's day, published tomorrow), while the
nightly delta assets stay unmaterialized on an install without API keys, and a new ICP file's
lead list is missing until its first build. Any of these would hold the derived tables back. These upstreams are therefore left out of the "missing" test:
derivation runs on what is loaded, as soon as anything upstream has been updated.
"""

from __future__ import annotations

from dagster import AssetKey, AssetSelection, AutomationCondition

OPTIONAL_UPSTREAM = [
    AssetKey(["bodacc", "notices"]),
    AssetKey(["sirene", "daily_changes"]),
    AssetKey(["inpi", "daily_changes"]),
    # a new ICP file's partitions are missing until its first build
    AssetKey("icp_leads"),
    AssetKey("enriched_leads"),
    AssetKey("crm_exports"),
]


def eager_on_registry_updates() -> AutomationCondition:
    """`eager()`, except that missing BODACC days and never-run deltas do not hold it back."""
    return AutomationCondition.eager().replace(
        "any_deps_missing", AutomationCondition.any_deps_missing().ignore(AssetSelection.assets(*OPTIONAL_UPSTREAM))
    )


def eager_after_read_back() -> AutomationCondition:
    """`eager()` for `crm_exports`: `crm_accounts` (the CRM read-back) is an upstream so a run
    selecting both pulls first and the export's last gate sees fresh holds and customers; but a
    read-back that never ran (no CRM credential) holds nothing back, and a read-back alone does
    not start the per-ICP exports (what it adds only ever removes leads from them)."""
    read_back = AssetSelection.assets("crm_accounts")
    return (
        AutomationCondition.eager()
        .replace("any_deps_missing", AutomationCondition.any_deps_missing().ignore(read_back))
        .replace("any_deps_updated", AutomationCondition.any_deps_updated().ignore(read_back))
    )
