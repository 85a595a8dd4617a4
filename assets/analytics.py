"""`analytics/snapshot`: the views analysts use, published as a read-only copy of the warehouse
at the end of every run (see firmo/analytics.py for why a copy)."""

from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from assets.automation import eager_on_registry_updates
from assets.common import WAREHOUSE_POOL
from assets.resources import PathsResource, WarehouseResource
from firmo.analytics import publish_snapshot

UPSTREAM = [
    AssetKey(["core", "companies"]),
    AssetKey(["inpi", "officers"]),
    AssetKey(["core", "latest_financials"]),
    AssetKey(["bodacc", "notices"]),
    AssetKey(["core", "signals"]),
    AssetKey(["core", "prospects"]),
    # the lead lists too: analysts read analytics.leads / enriched_contacts / exports from the snapshot
    AssetKey("icp_leads"),
    AssetKey("enriched_leads"),
    AssetKey("crm_exports"),
]


@asset(
    automation_condition=eager_on_registry_updates(),
    key=["analytics", "snapshot"],
    group_name="analytics",
    kinds={"duckdb"},
    owners=["team:data-engineering"],
    deps=UPSTREAM,
    description="Refresh the analytics.* views, then publish a read-only snapshot of the warehouse "
    "(data/firmo_read.duckdb) that analysts can keep open while the next run writes.",
    pool=WAREHOUSE_POOL,
)
def analytics_snapshot(
    context: AssetExecutionContext, warehouse: WarehouseResource, paths: PathsResource
) -> MaterializeResult:
    snap = publish_snapshot(Path(warehouse.database), dest=paths.snapshots_dir)
    return MaterializeResult(
        metadata={
            "snapshot": MetadataValue.path(str(snap.path)),
            "read_link": MetadataValue.path(str(snap.link)),
            "size_mb": round(snap.size_bytes / 1e6, 1),
            "views": MetadataValue.md("\n".join(f"- `analytics.{v}`" for v in snap.views)),
        }
    )
