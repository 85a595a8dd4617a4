"""Labels and registers assets (open_data group): the files of every label source, then the raw
`labels.<source>` tables and `core.labels`, loaded in one build-then-swap."""

from pathlib import Path

from dagster import AssetExecutionContext, AssetIn, AssetKey, MaterializeResult, MetadataValue

from assets.common import preview, raw_file_asset, rejects_table, report_counts, table_assets, table_spec
from assets.resources import LabelSourcesResource, PathsResource, WarehouseResource
from firmo.metadata import bar_chart, markdown_table
from sources.labels.api import fetch_label_source
from sources.labels.catalog import SOURCES
from sources.labels.load import CORE, load_labels

FILES = AssetKey(["raw", "labels", "files"])


@raw_file_asset(FILES)
def label_files(
    context: AssetExecutionContext, label_sources: LabelSourcesResource, paths: PathsResource
) -> dict[str, list[str]]:
    """Every configured label source as local files: bulk files downloaded (skipped when unchanged),
    the RGE, Agence Bio and SIAE APIs paged into folders of their own JSON pages."""
    files: dict[str, list[str]] = {}
    for name, source in label_sources.sources.items():
        got = fetch_label_source(
            name, source, Path(paths.data_dir) / "raw", token=label_sources.marche_inclusion_token, log=context.log
        )
        files[name] = [str(p) for p in got]
    rows = [(n, SOURCES[n].title, ", ".join(f"`{p}`" for p in files[n])) for n in files]
    rows += [(n, SOURCES[n].title, f"skipped: {why}") for n, why in label_sources.skipped.items()]
    context.add_output_metadata({"sources": MetadataValue.md(markdown_table(["source", "what", "files"], rows))})
    return files


@table_assets(
    specs=[
        *(
            table_spec(
                ["labels", s.name],
                deps=[FILES],
                description=f"{s.title}, as published (identifiers cleaned).",
                skippable=True,
            )
            for s in SOURCES.values()
        ),
        table_spec(
            ["core", "labels"],
            group="core",
            deps=[FILES],
            description="One row per label fact: siren, siret, label, detail, valid_from, valid_to, source.",
        ),
    ],
    ins={"label_files": AssetIn(FILES)},
)
def label_tables(context: AssetExecutionContext, warehouse: WarehouseResource, label_files: dict[str, list[str]]):
    """Load the fetched sources (a source not configured keeps its previous table, and is not
    materialized) and rebuild core.labels from every raw table and the SIRENE flags."""
    with warehouse.get_connection() as con:
        report = load_labels(con, {n: [Path(p) for p in ps] for n, ps in label_files.items()})
        for name in label_files:
            table = SOURCES[name].table
            yield MaterializeResult(asset_key=AssetKey(["labels", name]), metadata=report_counts(report, table))
        by_label = con.execute(f"SELECT label, count(*) FROM {CORE} GROUP BY 1 ORDER BY 2 DESC").fetchall()
        yield MaterializeResult(
            asset_key=AssetKey(["core", "labels"]),
            metadata={
                "dagster/row_count": report.loaded.get(CORE, 0),
                "rows per raw table": MetadataValue.md(
                    markdown_table(
                        ["table", "rows", "rejected"],
                        [(t, n, report.rejected.get(t, 0)) for t, n in report.loaded.items() if t != CORE],
                    )
                ),
                "rejects_by_reason": rejects_table(report.rejects_by_reason),
                "rows by label": MetadataValue.md(bar_chart(by_label)),
                "preview": preview(con, CORE, ["siren", "siret", "label", "detail", "valid_from", "valid_to"]),
            },
        )
