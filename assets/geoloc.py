"""Geolocation assets: INSEE's monthly file of establishment points (open_data.md §8.1), loaded into
geo.geolocalisation, core.establishment_locations (one row per SIRET, grid cell, EPCI) and
core.commune_points (the reference point of each commune for the `near` criterion)."""

from pathlib import Path

from dagster import AssetExecutionContext, AssetIn, AssetKey, MaterializeResult, MetadataValue

from assets.common import fetched_file, preview, raw_file_asset, report_metadata, require, table_assets, table_spec
from assets.resources import PathsResource, RegistrySourcesResource, WarehouseResource
from firmo.metadata import markdown_table
from sources.geoloc.download import geoloc_filename
from sources.geoloc.load import COMMUNE_POINTS, LOCATIONS, RAW, load_geoloc

GEOLOC_FILE = AssetKey(["raw", "geo", "geolocalisation"])


@raw_file_asset(GEOLOC_FILE)
def geoloc_file(context: AssetExecutionContext, registry_sources: RegistrySourcesResource, paths: PathsResource) -> str:
    """GeolocalisationEtablissement_Sirene_pour_etudes_statistiques (INSEE, monthly): the CSV zip or
    the parquet, downloaded only when it changed."""
    source = require(registry_sources.geoloc, "FIRMO_GEOLOC_SOURCE", "the SIRENE establishment geolocation file")
    return fetched_file(context, source, paths.raw("geo"), filename=geoloc_filename(source))


@table_assets(
    specs=[
        table_spec(
            ["geo", "geolocalisation"],
            deps=[GEOLOC_FILE],
            description="INSEE's geolocation rows as published (VARCHAR, publisher's columns), SIRET cleaned.",
        ),
        table_spec(
            ["core", "establishment_locations"],
            # active and the fallback commune come from the SIRENE establishments when loaded
            deps=[AssetKey(["geo", "geolocalisation"]), AssetKey(["sirene", "etablissements"])],
            description="One row per geolocated SIRET: WGS84 point, precise flag, commune, EPCI, active, "
            "0.1-degree grid cell (stored by cell for radius searches).",
        ),
        table_spec(
            ["core", "commune_points"],
            deps=[AssetKey(["core", "establishment_locations"])],
            description="Median point of each commune's geolocated establishments (the COG has no coordinates).",
        ),
    ],
    ins={"geoloc_file": AssetIn(GEOLOC_FILE)},
)
def geoloc_tables(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    registry_sources: RegistrySourcesResource,
    paths: PathsResource,
    geoloc_file: str,
):
    with warehouse.get_connection() as con:
        report = load_geoloc(
            con,
            Path(geoloc_file),
            workdir=paths.raw("geo"),
            max_removal_pct=registry_sources.geoloc_max_removal_pct,
        )
        quality = con.execute(
            f"SELECT coalesce(geocode_quality, '(masked [ND])'), count(*), count(*) FILTER (WHERE precise) "
            f"FROM {LOCATIONS} GROUP BY ALL ORDER BY 2 DESC"
        ).fetchall()
        with_epci, active = con.execute(
            f"SELECT count(epci_siren), count(*) FILTER (WHERE active) FROM {LOCATIONS}"
        ).fetchall()[0]
        yield MaterializeResult(
            asset_key=["geo", "geolocalisation"],
            metadata={**report_metadata(report, RAW), "seconds": round(report.seconds, 1)},
        )
        yield MaterializeResult(
            asset_key=["core", "establishment_locations"],
            metadata={
                "dagster/row_count": report.loaded.get(LOCATIONS, 0),
                "by qualite_xy (rows, precise)": MetadataValue.md(
                    markdown_table(["qualite_xy", "rows", "precise"], quality)
                ),
                "with an EPCI": int(with_epci),
                "active (SIRENE)": int(active),
                "preview": preview(
                    con, LOCATIONS, ["siret", "latitude", "longitude", "geocode_quality", "commune_code", "grid_cell"]
                ),
            },
        )
        yield MaterializeResult(
            asset_key=["core", "commune_points"],
            metadata={"dagster/row_count": report.loaded.get(COMMUNE_POINTS, 0)},
        )
