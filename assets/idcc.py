"""Collective-agreement assets (open_data.md §7): the SIRET -> IDCC file and the tables loaded from
it, and `ref.idcc` (the agreements' names) from the DARES and KALI workbooks.

The three SIRET tables are one multi-asset because they are published in one transaction
(`sources.idcc.siret_load.load_siret_idcc`); the same transaction refreshes
`core.companies.idcc_codes` when core.companies exists (the SIRENE load joins
core.company_idcc_codes when it rebuilds core.companies, so whichever runs last the column is
current). core.prospects depends on core/company_idcc, so a new IDCC load rebuilds it.
"""

from pathlib import Path

from dagster import AssetExecutionContext, AssetIn, AssetKey, MaterializeResult, MetadataValue

from assets.common import (
    preview,
    raw_file_asset,
    recorded_file,
    report_metadata,
    require,
    table_asset,
    table_assets,
    table_spec,
)
from assets.resources import PathsResource, RegistrySourcesResource, WarehouseResource
from firmo.metadata import bar_chart
from sources.idcc.download import fetch_dares, fetch_kali, fetch_siret_idcc
from sources.idcc.labels import load_idcc_labels
from sources.idcc.siret_load import COMPANY_CODES, COMPANY_IDCC, RAW, load_siret_idcc

SIRET_FILE = AssetKey(["raw", "idcc", "siret_idcc"])
DARES_FILE = AssetKey(["raw", "idcc", "dares"])
KALI_FILE = AssetKey(["raw", "idcc", "kali"])
SIRET_IDCC = AssetKey(["idcc", "siret_idcc"])
COMPANY_IDCC_KEY = AssetKey(["core", "company_idcc"])
COMPANY_CODES_KEY = AssetKey(["core", "company_idcc_codes"])
REF_IDCC = AssetKey(["ref", "idcc"])


@raw_file_asset(SIRET_FILE)
def idcc_siret_file(
    context: AssetExecutionContext, registry_sources: RegistrySourcesResource, paths: PathsResource
) -> str:
    """Liste des conventions collectives par entreprise (SIRET), Ministère du Travail from the DSN
    (monthly, months late): one row per (SIRET, IDCC), 9999 = no agreement."""
    source = require(registry_sources.idcc_siret, "FIRMO_IDCC_SIRET_SOURCE", "the SIRET -> IDCC file")
    return recorded_file(context, fetch_siret_idcc(source, paths.raw("idcc")))


@raw_file_asset(DARES_FILE)
def idcc_dares_file(
    context: AssetExecutionContext, registry_sources: RegistrySourcesResource, paths: PathsResource
) -> str:
    """DARES list of branch agreements (xlsx, its link scraped from the DARES page; an HTML answer
    in place of the workbook is refused)."""
    source = require(registry_sources.idcc_dares, "FIRMO_IDCC_DARES_SOURCE", "the DARES agreements workbook")
    return recorded_file(context, fetch_dares(source, paths.raw("idcc")))


@raw_file_asset(KALI_FILE)
def idcc_kali_file(
    context: AssetExecutionContext, registry_sources: RegistrySourcesResource, paths: PathsResource
) -> str:
    """DILA's KALI list of agreements and their IDCC (xlsx)."""
    source = require(registry_sources.idcc_kali, "FIRMO_IDCC_KALI_SOURCE", "the KALI agreements list")
    return recorded_file(context, fetch_kali(source, paths.raw("idcc")))


@table_assets(
    specs=[
        table_spec(
            SIRET_IDCC,
            deps=[SIRET_FILE],
            description="The SIRET -> IDCC file as loaded (MOIS, SIRET, IDCC, DATE_MAJ), 9999 kept; bad rows in idcc.rejects.",
        ),
        table_spec(
            COMPANY_IDCC_KEY,
            deps=[SIRET_IDCC],
            description="One row per (siret, idcc) declared, with siren and the latest month; 9999 left out.",
        ),
        table_spec(
            COMPANY_CODES_KEY,
            deps=[COMPANY_IDCC_KEY],
            description="Per SIREN the distinct agreements of its establishments (core.companies.idcc_codes).",
        ),
    ],
    ins={"idcc_siret_file": AssetIn(SIRET_FILE)},
)
def idcc_tables(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    registry_sources: RegistrySourcesResource,
    idcc_siret_file: str,
):
    with warehouse.get_connection() as con:
        report = load_siret_idcc(con, Path(idcc_siret_file), max_removal_pct=registry_sources.idcc_max_removal_pct)
        top = con.execute(
            f"SELECT idcc, count(DISTINCT siren) FROM {COMPANY_IDCC} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 12"
        ).fetchall()
        no_agreement = con.execute(f"SELECT count(*) FROM {RAW} WHERE IDCC = '9999'").fetchall()[0][0]
        yield MaterializeResult(
            asset_key=SIRET_IDCC,
            metadata={
                **report_metadata(report, RAW),
                "rows 9999 (no agreement)": int(no_agreement),
                "repeated rows dropped": report.superseded,
                "seconds": round(report.seconds, 2),
                "preview": preview(con, RAW, ["MOIS", "SIRET", "IDCC", "DATE_MAJ"]),
            },
        )
        yield MaterializeResult(
            asset_key=COMPANY_IDCC_KEY,
            metadata={
                "dagster/row_count": report.loaded.get(COMPANY_IDCC, 0),
                "companies by agreement (top 12)": MetadataValue.md(bar_chart(top)),
            },
        )
        yield MaterializeResult(
            asset_key=COMPANY_CODES_KEY, metadata={"dagster/row_count": report.loaded.get(COMPANY_CODES, 0)}
        )


@table_asset(REF_IDCC, ins={"dares": AssetIn(DARES_FILE), "kali": AssetIn(KALI_FILE)})
def ref_idcc(warehouse: WarehouseResource, dares: str, kali: str) -> MaterializeResult:
    """The agreements' names: one row per IDCC of the DARES or KALI list (DARES's Libellé first,
    KALI's id, nature, state and Légifrance URL of the latest version)."""
    with warehouse.get_connection() as con:
        report = load_idcc_labels(con, Path(dares), Path(kali))
        return MaterializeResult(
            metadata={
                **report_metadata(report, "ref.idcc"),
                "older versions and repeats dropped": report.superseded,
                "preview": preview(con, "ref.idcc", ["idcc", "title", "kali_id", "etat"]),
            }
        )
