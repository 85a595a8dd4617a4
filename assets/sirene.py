"""SIRENE assets: the two monthly stock files, and the tables loaded from them.

The three tables are one multi-asset because they are published in one transaction
(`sources.sirene.ingest.load_sirene`): a reader never sees new establishments with old units.
"""

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

from assets.common import NETWORK_RETRY, WAREHOUSE_POOL, fetched_file, preview, rejects_table
from assets.resources import PathsResource, RegistrySourcesResource, WarehouseResource
from firmo.metadata import bar_chart
from sources.sirene.download import stock_filename
from sources.sirene.ingest import TableLoad, load_sirene

GROUP = "sirene"
UL_FILE = AssetKey(["raw", "sirene", "stock_unites_legales"])
ETAB_FILE = AssetKey(["raw", "sirene", "stock_etablissements"])


@asset(key=UL_FILE, group_name=GROUP, kinds={"file"}, owners=["team:data-engineering"], retry_policy=NETWORK_RETRY)
def sirene_stock_unites_legales(
    context: AssetExecutionContext, registry_sources: RegistrySourcesResource, paths: PathsResource
) -> str:
    """StockUniteLegale (INSEE, monthly): every legal unit, active and ceased, current state.

    A local path is read in place; a URL (the stable data.gouv resource link) is downloaded with
    resume and skipped when unchanged, under a fixed name: the month's file replaces the last one
    instead of piling up beside it, and its "unchanged?" state is found again.
    """
    source = registry_sources.sirene_unites_legales
    return fetched_file(context, source, paths.raw("sirene"), filename=stock_filename(source))


@asset(key=ETAB_FILE, group_name=GROUP, kinds={"file"}, owners=["team:data-engineering"], retry_policy=NETWORK_RETRY)
def sirene_stock_etablissements(
    context: AssetExecutionContext, registry_sources: RegistrySourcesResource, paths: PathsResource
) -> str:
    """StockEtablissement (INSEE, monthly): every establishment (SIRET), open and closed."""
    source = registry_sources.sirene_etablissements
    return fetched_file(context, source, paths.raw("sirene"), filename=stock_filename(source))


@multi_asset(
    specs=[
        AssetSpec(
            ["sirene", "unites_legales"],
            group_name=GROUP,
            kinds={"duckdb"},
            deps=[UL_FILE],
            owners=["team:data-engineering"],
            description="StockUniteLegale as loaded, INSEE column names, typed; bad rows in sirene.rejects.",
        ),
        AssetSpec(
            ["sirene", "etablissements"],
            group_name=GROUP,
            kinds={"duckdb"},
            deps=[ETAB_FILE],
            owners=["team:data-engineering"],
            description="StockEtablissement as loaded, INSEE column names, typed; bad rows in sirene.rejects.",
        ),
        AssetSpec(
            ["core", "companies"],
            group_name="core",
            kinds={"duckdb"},
            deps=[AssetKey(["sirene", "unites_legales"]), AssetKey(["sirene", "etablissements"])],
            owners=["team:data-engineering"],
            description="One row per legal unit: head office, NAF, headcount band, legal form, place, diffusion.",
        ),
    ],
    ins={"ul_file": AssetIn(UL_FILE), "etab_file": AssetIn(ETAB_FILE)},
    pool=WAREHOUSE_POOL,
)
def sirene_tables(
    context: AssetExecutionContext, warehouse: WarehouseResource, paths: PathsResource, ul_file: str, etab_file: str
):
    with warehouse.get_connection() as con:
        report = load_sirene(
            con, unites_legales=Path(ul_file), etablissements=Path(etab_file), workdir=paths.raw("sirene")
        )
        for kind, key in (
            ("unites_legales", ["sirene", "unites_legales"]),
            ("etablissements", ["sirene", "etablissements"]),
        ):
            yield MaterializeResult(asset_key=key, metadata=_table_metadata(report.tables[kind]))
        yield MaterializeResult(asset_key=["core", "companies"], metadata=_companies_metadata(con, report.companies))


def _table_metadata(load: TableLoad) -> dict:
    return {
        "dagster/row_count": load.rows_loaded,
        "rows_rejected": load.rows_rejected,
        "source": load.source,
        "format": load.fmt,
        "seconds": round(load.seconds, 2),
        "rejects_by_reason": rejects_table(load.rejects_by_reason),
        "missing_columns (older vintage)": ", ".join(load.missing_columns) or "none",
        "unknown_columns (ignored)": ", ".join(load.unknown_columns) or "none",
    }


def _companies_metadata(con, n: int) -> dict:
    by_region = con.execute(
        "SELECT coalesce(region_name, '(abroad / unknown)'), count(*) FROM core.companies WHERE active "
        "GROUP BY ALL ORDER BY 2 DESC"
    ).fetchall()
    stats = con.execute(
        "SELECT count(*) FILTER (WHERE active), count(*) FILTER (WHERE NOT diffusible), "
        "count(*) FILTER (WHERE employer AND active) FROM core.companies"
    ).fetchall()[0]
    return {
        "dagster/row_count": n,
        "active": stats[0],
        "non_diffusible (P, never prospected)": stats[1],
        "active_employers": stats[2],
        "active companies per région": MetadataValue.md(bar_chart(by_region)),
        "preview": preview(
            con,
            "core.companies",
            ["siren", "name", "naf_code", "headcount_band", "legal_form_code", "region_name", "active"],
        ),
    }
