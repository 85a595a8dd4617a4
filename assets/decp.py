"""DECP assets: the consolidated public-contracts file, decp.marches and core.public_contracts.

The stock (decp.parquet, republished every weekday morning as a full snapshot) is fetched into
`<data dir>/raw/decp/` (skipped when unchanged) and loaded by `sources.decp.load.load_decp`; the
daily delta through the tabular API is the `decp_delta` asset (and `firmo load decp --delta`),
which upserts the recent awards into the same tables.
"""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetMaterialization,
    MaterializeResult,
    MetadataValue,
    OpExecutionContext,
    op,
)

from assets.common import (
    NETWORK_RETRY,
    WAREHOUSE_POOL,
    fetched_file,
    preview,
    raw_file_asset,
    report_metadata,
    require,
    table_assets,
    table_spec,
)
from assets.resources import DecpResource, PathsResource, WarehouseResource
from firmo.metadata import bar_chart, markdown_table
from sources.decp.columns import RESOURCE_CSV, RESOURCE_PARQUET
from sources.decp.delta import run_delta
from sources.decp.load import CONTRACTS, MARCHES, DecpLoadReport, load_decp

DECP_FILE = AssetKey(["raw", "decp", "decp"])
MARCHES_KEY = AssetKey(["decp", "marches"])
CONTRACTS_KEY = AssetKey(["core", "public_contracts"])


def stock_filename(source: str) -> str | None:
    """The data.gouv resource links (`/datasets/r/<id>`) have no file name of their own."""
    if source.rstrip("/").endswith(RESOURCE_PARQUET):
        return "decp.parquet"
    if source.rstrip("/").endswith(RESOURCE_CSV):
        return "decp.csv"
    return None


@raw_file_asset(DECP_FILE)
def decp_file(context: AssetExecutionContext, decp: DecpResource, paths: PathsResource) -> str:
    """The consolidated DECP (Colin Maudry's decp-processing, data.gouv dataset 608c055b35eb4e6ee20eb325):
    one row per contract x titulaire x modification state."""
    source = require(decp.source, "FIRMO_DECP_SOURCE", "the consolidated DECP (decp.parquet or decp.csv)")
    return fetched_file(context, source, paths.raw("decp"), stock_filename(source))


def _metadata(report: DecpLoadReport) -> dict:
    repairs = sorted(report.repairs.items(), key=lambda kv: -kv[1])
    return {
        **report_metadata(report, MARCHES),
        "older modification states (not kept)": report.historical,
        "duplicates removed on the key": report.duplicates,
        "titulaires not joinable (kept, not in core.public_contracts)": MetadataValue.md(
            markdown_table(["identifier", "rows"], sorted(report.non_siret.items())) if report.non_siret else "none"
        ),
        "repairs": MetadataValue.md(markdown_table(["repair", "rows"], repairs) if repairs else "none"),
        "delta cursor": str(report.cursor) if report.cursor else "none",
    }


def _results(con, report: DecpLoadReport):
    categories = con.execute(
        f"SELECT coalesce(buyer_category, '(unknown)'), count(DISTINCT uid) FROM {CONTRACTS} GROUP BY 1 ORDER BY 2 DESC LIMIT 10"
    ).fetchall()
    winners = con.execute(f"SELECT count(DISTINCT siren) FROM {CONTRACTS}").fetchall()[0][0]
    yield MaterializeResult(
        asset_key=MARCHES_KEY,
        metadata=_metadata(report),
    )
    yield MaterializeResult(
        asset_key=CONTRACTS_KEY,
        metadata={
            "dagster/row_count": report.loaded.get(CONTRACTS, 0),
            "companies with a contract": winners,
            "contracts by buyer category": MetadataValue.md(bar_chart(categories)),
            "preview": preview(
                con, CONTRACTS, ["uid", "siren", "notification_date", "amount", "cpv_code", "buyer_name"]
            ),
        },
    )


@table_assets(
    specs=[
        table_spec(
            MARCHES_KEY,
            deps=[DECP_FILE],
            description="DECP rows in their current state (donneesActuelles), duplicates across platforms removed, "
            "identifiers, amounts, CPV and dates cleaned; the publisher's column names.",
        ),
        table_spec(
            CONTRACTS_KEY,
            deps=[MARCHES_KEY],
            description="One row per contract uid x titulaire SIREN (SIRET titulaires only): the contracts won.",
        ),
    ],
    ins={"decp_file": AssetIn(DECP_FILE)},
)
def decp_tables(context: AssetExecutionContext, warehouse: WarehouseResource, decp: DecpResource, decp_file: str):
    with warehouse.get_connection() as con:
        report = load_decp(con, Path(decp_file), max_reject_share=decp.max_reject_share)
        yield from _results(con, report)


@op(pool=WAREHOUSE_POOL, retry_policy=NETWORK_RETRY, tags={"kind": "open_data"})
def decp_delta(context: OpExecutionContext, warehouse: WarehouseResource, decp: DecpResource) -> None:
    """The daily DECP delta: awards notified since the cursor, fetched from the tabular API and
    upserted into decp.marches (core.public_contracts rebuilt); recorded as materializations of
    both assets, so what depends on them sees the new contracts. An op, not a second asset: the
    stock load owns the two asset keys, and a schedule runs this between two stock loads
    (pipelines/jobs.py wraps it in a job)."""
    with warehouse.get_connection() as con:
        report = run_delta(con, api_url=decp.api_url, max_reject_share=decp.max_reject_share)
        context.log.info(
            f"DECP delta {report.sources[0]}: {report.loaded.get('incoming', 0)} current rows upserted, "
            f"cursor now {report.cursor}"
        )
        for result in _results(con, report):
            context.log_event(AssetMaterialization(asset_key=result.asset_key, metadata=result.metadata))
