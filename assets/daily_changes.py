"""The nightly registry changes: API Sirene delta and RNE /diff, between two monthly reloads.

Each asset materializes only when something changed (`output_required=False`): a quiet night
leaves an observation in the UI ("nothing new since …") and does not wake the derived assets,
so the nightly run on unchanged inputs does almost nothing. Without API credentials the asset
logs which variable to set and does nothing; the monthly stock reload still brings the changes.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetObservation,
    MaterializeResult,
    MetadataValue,
    asset,
)

from assets.common import NETWORK_RETRY, WAREHOUSE_POOL
from assets.resources import PathsResource, RneApiResource, SireneApiResource, WarehouseResource
from firmo.metadata import markdown_table
from sources.inpi.rne_daily import refresh_rne
from sources.sirene.delta import refresh_from_api

PARIS = ZoneInfo("Europe/Paris")
SIRENE_KEY = AssetKey(["sirene", "daily_changes"])
RNE_KEY = AssetKey(["inpi", "daily_changes"])


def _nothing(context: AssetExecutionContext, key: AssetKey, why: str) -> None:
    context.log.info(f"{'/'.join(key.path)}: {why}")
    context.log_event(AssetObservation(asset_key=key, metadata={"result": why}))


@asset(
    key=SIRENE_KEY,
    group_name="sirene",
    kinds={"duckdb", "api"},
    owners=["team:data-engineering"],
    deps=[AssetKey(["core", "companies"])],
    output_required=False,
    retry_policy=NETWORK_RETRY,
    pool=WAREHOUSE_POOL,
)
def sirene_daily_changes(
    context: AssetExecutionContext, warehouse: WarehouseResource, sirene_api: SireneApiResource, paths: PathsResource
):
    """Units and establishments INSEE processed since the last load (API Sirene, by
    `dateDernierTraitement…`), overlaid on `sirene.*` and `core.companies` with the stock's checks."""
    if not sirene_api.configured:
        _nothing(context, SIRENE_KEY, "skipped: INSEE_API_KEY is not set (the monthly stock still loads)")
        return
    with sirene_api.client() as client, warehouse.get_connection() as con:
        report = refresh_from_api(con, client, workdir=paths.raw("sirene") / "delta")
    since = ", ".join(f"{k} {v:%Y-%m-%d %H:%M}" for k, v in report.since.items() if isinstance(v, datetime))
    if not report.changed:
        _nothing(context, SIRENE_KEY, f"nothing new since {since}")
        return
    yield MaterializeResult(
        metadata={
            "since": since,
            "rows (loaded, rejected)": MetadataValue.md(
                markdown_table(["table", "loaded", "rejected"], report.summary_rows())
            ),
            "core.companies rows": report.companies,
            "files": MetadataValue.md("\n".join(f"- `{p}`" for p in report.files.values())),
            "seconds": round(report.seconds, 1),
        }
    )


@asset(
    key=RNE_KEY,
    group_name="inpi",
    kinds={"duckdb", "api"},
    owners=["team:data-engineering"],
    deps=[AssetKey(["inpi", "officers"])],
    output_required=False,
    retry_policy=NETWORK_RETRY,
    pool=WAREHOUSE_POOL,
)
def rne_daily_changes(
    context: AssetExecutionContext, warehouse: WarehouseResource, rne_api: RneApiResource, paths: PathsResource
):
    """Companies whose RNE record changed since the last window (`/api/companies/diff`): their
    officers are replaced; the window is kept as an NDJSON dump that the monthly reload reads too."""
    if not rne_api.configured:
        _nothing(context, RNE_KEY, "skipped: INPI_USERNAME / INPI_PASSWORD are not set")
        return
    today = datetime.now(PARIS).date()
    with rne_api.client() as client, warehouse.get_connection() as con:
        daily = refresh_rne(con, client, dump_dir=paths.raw("inpi") / "diff", today=today)
    if daily.window is None or not daily.changed:
        window = f"{daily.window[0]}..{daily.window[1]}" if daily.window else f"up to {today}"
        _nothing(context, RNE_KEY, f"no officer change ({window})")
        return
    report = daily.report
    assert report is not None  # a window that changed officers was loaded
    yield MaterializeResult(
        metadata={
            "window": f"{daily.window[0]} (excl.) to {daily.window[1]}",
            "diff items": daily.items,
            "companies updated": report.loaded.get("inpi.companies", 0),
            "officers written": report.loaded.get("inpi.officers", 0),
            "superseded (older than loaded)": report.superseded,
            "rows_rejected": sum(report.rejected.values()),
            "dump": MetadataValue.path(daily.dump or ""),
        }
    )
