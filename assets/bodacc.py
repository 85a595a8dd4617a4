"""BODACC assets: legal notices, one daily partition per publication date.

A backfill over a range from the UI runs as a single run (BackfillPolicy.single_run) that
loads the whole window at once; each day stays idempotent (`load_bodacc(window=...)`).
Demo and hand-configured sources are local files (`FIRMO_BODACC_SOURCE`); live, each window
is fetched from the Opendatasoft export filtered on the publication date.
"""

from datetime import timedelta
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetObservation,
    AssetsDefinition,
    BackfillPolicy,
    DailyPartitionsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from assets.common import NETWORK_RETRY, WAREHOUSE_POOL, fetch_source, preview, rejects_table
from assets.partitions import bodacc_daily
from assets.resources import PathsResource, RegistrySourcesResource, WarehouseResource
from firmo.metadata import bar_chart
from sources.bodacc.load import load_bodacc, window_fingerprint
from sources.bodacc.ods_export import export_filename, export_url

BODACC_KEY = AssetKey(["bodacc", "notices"])


def build_bodacc_notices(partitions: DailyPartitionsDefinition) -> AssetsDefinition:
    """The `bodacc/notices` asset over `partitions`."""

    @asset(
        key=BODACC_KEY,
        group_name="bodacc",
        kinds={"duckdb"},
        owners=["team:data-engineering"],
        partitions_def=partitions,
        backfill_policy=BackfillPolicy.single_run(),
        retry_policy=NETWORK_RETRY,
        output_required=False,
        pool=WAREHOUSE_POOL,
    )
    def bodacc_notices(
        context: AssetExecutionContext,
        warehouse: WarehouseResource,
        registry_sources: RegistrySourcesResource,
        paths: PathsResource,
    ):
        """Legal notices (creations, ventes, modifications, radiations, collective proceedings,
        dépôts des comptes) published in the partition's days; rectificatifs and annulations
        resolved, annulled notices kept but marked.

        Reloading one day that gives exactly the notices already loaded is recorded as an
        observation, not a materialization, so the derived assets are not woken for nothing."""
        yield from _load_notices(context, warehouse, registry_sources, paths)

    return bodacc_notices


# over the default start's partitions (assets.partitions.bodacc_daily): what tests and the jobs'
# selections import (the code location rebuilds both from its settings)
bodacc_notices = build_bodacc_notices(bodacc_daily)


def _load_notices(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    registry_sources: RegistrySourcesResource,
    paths: PathsResource,
):
    window = context.partition_time_window
    start, end = window.start.date(), window.end.date()
    if registry_sources.bodacc:
        files = [fetch_source(s, paths.raw("bodacc"))[0] for s in registry_sources.bodacc]
    else:
        files = [fetch_source(export_url(start, end), paths.raw("bodacc"), export_filename(start, end))[0]]
    one_day = start + timedelta(days=1) == end
    with warehouse.get_connection() as con:
        before = window_fingerprint(con, start, end) if one_day else None
        report = load_bodacc(con, [Path(p) for p in files], window=(start, end), workers=registry_sources.parse_workers)
        if before is not None and window_fingerprint(con, start, end) == before:
            why = (
                f"unchanged: the {before[0]:,} notice(s) of {start} were already loaded"
                if before[0]
                else f"unchanged: no notice published on {start}"
            )
            context.log.info(why)
            context.log_event(
                AssetObservation(asset_key=context.asset_key, partition=context.partition_key, metadata={"result": why})
            )
            return
        families = con.execute(
            "SELECT family || ' (' || status || ')', count(*) FROM bodacc.notices "
            "WHERE publication_date >= ? AND publication_date < ? GROUP BY ALL ORDER BY 2 DESC",
            [start, end],
        ).fetchall()
        total = con.execute("SELECT count(*) FROM bodacc.notices").fetchall()[0][0]
        yield MaterializeResult(
            metadata={
                "window": f"{start} to {end - timedelta(days=1)}",
                "notices in window": report.loaded.get("bodacc.notices", 0),
                "rows_rejected": report.rejected.get("bodacc.notices", 0),
                "rejects_by_reason": rejects_table(report.rejects_by_reason),
                "dagster/row_count": total,
                "notices by family and status": MetadataValue.md(bar_chart(families)),
                "preview": preview(
                    con, "bodacc.notices", ["id", "publication_date", "family", "sirens", "company_name", "status"]
                ),
            }
        )
