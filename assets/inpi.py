"""INPI assets: RNE officers (the decision makers) and the ratios_inpi_bce accounts (revenue)."""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from assets.common import NETWORK_RETRY, WAREHOUSE_POOL, fetch_source, fetched_file, preview, rejects_table, require
from assets.resources import PathsResource, RegistrySourcesResource, WarehouseResource
from firmo.metadata import bar_chart
from sources.inpi.ratios import load_ratios
from sources.inpi.rne_daily import dumps
from sources.inpi.rne_load import load_rne

GROUP = "inpi"
RNE_FILES = AssetKey(["raw", "inpi", "rne"])
RATIOS_FILE = AssetKey(["raw", "inpi", "ratios_inpi_bce"])
OWNERS = ["team:data-engineering"]


@asset(key=RNE_FILES, group_name=GROUP, kinds={"file"}, owners=OWNERS, retry_policy=NETWORK_RETRY)
def inpi_rne_files(
    context: AssetExecutionContext, registry_sources: RegistrySourcesResource, paths: PathsResource
) -> list[str]:
    """RNE company payloads: the bulk stock (zip of JSON arrays), any /diff dumps configured after
    it, and the nightly /diff windows kept under `<raw>/inpi/diff/`."""
    sources = require(
        registry_sources.inpi_rne,
        "FIRMO_INPI_RNE_SOURCE",
        "the RNE stock zip (INPI FTP, account needed) and optional /diff dumps",
    )
    files = []
    for source in sources:
        path, _ = fetch_source(source, paths.raw("inpi"))
        files.append(str(path))
    # the nightly /diff windows since the stock, so a full reload keeps what they taught us
    files += [str(p) for p in dumps(paths.raw("inpi") / "diff")]
    context.add_output_metadata({"files": MetadataValue.md("\n".join(f"- `{p}`" for p in files))})
    return files


@asset(key=RATIOS_FILE, group_name=GROUP, kinds={"file"}, owners=OWNERS, retry_policy=NETWORK_RETRY)
def inpi_ratios_file(
    context: AssetExecutionContext, registry_sources: RegistrySourcesResource, paths: PathsResource
) -> str:
    """ratios_inpi_bce (MEFSIN from INPI accounts): one row per SIREN, fiscal year and balance type."""
    source = require(registry_sources.inpi_ratios, "FIRMO_INPI_RATIOS_SOURCE", "the ratios_inpi_bce export")
    return fetched_file(context, source, paths.raw("inpi"))


@multi_asset(
    specs=[
        AssetSpec(
            ["inpi", "officers"],
            group_name=GROUP,
            kinds={"duckdb"},
            deps=[RNE_FILES],
            owners=OWNERS,
            description="Decision makers from the latest RNE payload per SIREN (no birth data, no nationality).",
        ),
        AssetSpec(
            ["inpi", "companies"],
            group_name=GROUP,
            kinds={"duckdb"},
            deps=[RNE_FILES],
            owners=OWNERS,
            description="One row per SIREN known to the RNE: latest payload date, diffusion commerciale.",
        ),
    ],
    ins={"inpi_rne_files": AssetIn(RNE_FILES)},
    pool=WAREHOUSE_POOL,
)
def rne_tables(context: AssetExecutionContext, warehouse: WarehouseResource, inpi_rne_files: list[str]):
    with warehouse.get_connection() as con:
        report = load_rne(con, [Path(p) for p in inpi_rne_files])
        roles = con.execute(
            "SELECT coalesce(role_label, role_code), count(*) FROM inpi.officers WHERE active GROUP BY ALL ORDER BY 2 DESC LIMIT 12"
        ).fetchall()
        yield MaterializeResult(
            asset_key=["inpi", "officers"],
            metadata={
                "dagster/row_count": report.loaded.get("inpi.officers", 0),
                "rows_rejected": sum(report.rejected.values()),
                "rejects_by_reason": rejects_table(report.rejects_by_reason),
                "superseded payloads (older updatedAt)": report.superseded,
                "active officers by role": MetadataValue.md(bar_chart(roles)),
                "preview": preview(
                    con,
                    "inpi.officers",
                    ["siren", "officer_kind", "family_name", "given_names", "role_label", "start_date"],
                ),
            },
        )
        yield MaterializeResult(
            asset_key=["inpi", "companies"],
            metadata={
                "dagster/row_count": report.loaded.get("inpi.companies", 0),
            },
        )


@multi_asset(
    specs=[
        AssetSpec(
            ["inpi", "financials"],
            group_name=GROUP,
            kinds={"duckdb"},
            deps=[RATIOS_FILE],
            owners=OWNERS,
            description="Filed accounts per SIREN and fiscal year; traps (confidential zeros, K scale, INT32 sentinel) blanked.",
        ),
        AssetSpec(
            ["core", "latest_financials"],
            group_name="core",
            kinds={"duckdb"},
            deps=[AssetKey(["inpi", "financials"])],
            owners=OWNERS,
            description="Per SIREN the latest fiscal year, C over S over K on the same date.",
        ),
    ],
    ins={"inpi_ratios_file": AssetIn(RATIOS_FILE)},
    pool=WAREHOUSE_POOL,
)
def financials_tables(context: AssetExecutionContext, warehouse: WarehouseResource, inpi_ratios_file: str):
    with warehouse.get_connection() as con:
        report = load_ratios(con, Path(inpi_ratios_file))
        with_revenue = con.execute(
            "SELECT count(*) FILTER (WHERE revenue IS NOT NULL), count(*) FROM core.latest_financials"
        ).fetchall()[0]
        yield MaterializeResult(
            asset_key=["inpi", "financials"],
            metadata={
                "dagster/row_count": report.loaded.get("inpi.financials", 0),
                "rows_rejected": sum(report.rejected.values()),
                "rejects_by_reason": rejects_table(report.rejects_by_reason),
            },
        )
        yield MaterializeResult(
            asset_key=["core", "latest_financials"],
            metadata={
                "dagster/row_count": with_revenue[1],
                "with known revenue": with_revenue[0],
                "preview": preview(
                    con, "core.latest_financials", ["siren", "fiscal_year_end", "type_bilan", "revenue", "net_income"]
                ),
            },
        )
