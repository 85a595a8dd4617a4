"""`crm_exports`: per ICP, the HubSpot, Salesforce and Pipedrive import files of the new or
changed leads (incremental through exports.ledger), after the last gate: suppression, customers, and
`P`, RNE opposition and closed units read from the registries at export time (firmo/compliance/prospecting.py).
Files land in `<data dir>/exports/<icp>/<crm>/` (FIRMO_EXPORTS_DIR). With `push_hubspot: true` in
the run config the same leads are also upserted through HubSpot's batch API (ledger `hubspot_api`)."""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AutomationCondition,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
)

from assets.checks import assert_exports_allowed
from assets.common import WAREHOUSE_POOL
from assets.partitions import icp_partitions
from assets.resources import HubSpotResource, PathsResource, WarehouseResource
from firmo.crm import export_leads, push_hubspot
from firmo.crm.layouts import CRMS
from firmo.crm.leads import lead_frame
from firmo.metadata import markdown_table


class CrmExportsConfig(Config):
    """`push_hubspot`: also upsert the new or changed leads into HubSpot through its batch API
    (companies by SIREN, contacts by email; token HUBSPOT_ACCESS_TOKEN, endpoint FIRMO_HUBSPOT_BASE_URL)."""

    push_hubspot: bool = False


@asset(
    automation_condition=AutomationCondition.eager(),
    partitions_def=icp_partitions,
    group_name="exports",
    kinds={"csv", "hubspot", "salesforce"},
    owners=["team:sales-ops"],
    deps=[AssetKey("icp_leads"), AssetKey("enriched_leads")],
    pool=WAREHOUSE_POOL,
)
def crm_exports(
    context: AssetExecutionContext,
    config: CrmExportsConfig,
    warehouse: WarehouseResource,
    paths: PathsResource,
    hubspot: HubSpotResource,
) -> MaterializeResult:
    """CRM import files for one ICP: only new or changed leads, never a suppressed person, an
    existing customer, a non-diffusible, opposed or closed unit (read from the registries at export
    time); every contact field with its source and date."""
    icp = context.partition_key
    root = Path(paths.exports_dir)
    with warehouse.get_connection() as con:
        assert_exports_allowed(con, icp)  # a failed blocking data-quality check upstream: no file
        leads = lead_frame(con, [icp])
        client = hubspot.client() if config.push_hubspot else None  # no token: fails before any file
        report = export_leads(leads, con=con, root=root, crms=CRMS)
        pushed = None
        if client is not None:
            with client:
                pushed = push_hubspot(leads, con=con, client=client)
    files = [p for crm in CRMS for p in report.files[crm]]
    per_crm = [(crm, report.exported[crm], report.skipped_unchanged[crm], len(report.files[crm])) for crm in CRMS]
    screened_out = [
        ("non-diffusible (P)", report.skipped_p),
        ("opposed to commercial use (RNE)", report.opposed),
        ("closed or not in core.companies", report.inactive),
        ("suppressed", report.suppressed),
        ("existing customers", report.customers),
        ("duplicates", report.duplicates),
        ("rejected (see exports.rejects)", len(report.rejected)),
    ]
    return MaterializeResult(
        metadata={
            "exported per CRM": MetadataValue.md(markdown_table(["crm", "exported", "unchanged", "files"], per_crm)),
            "not exported": MetadataValue.md(markdown_table(["reason", "leads"], screened_out)),
            "files": MetadataValue.md(
                "\n".join(f"- `{p.relative_to(root)}`" for p in files) or "nothing new to export"
            ),
            "folder": MetadataValue.path(str(root / icp)),
            "leads exported": sum(report.exported.values()) // len(CRMS),
            **(
                {
                    "hubspot API push": MetadataValue.md(
                        markdown_table(
                            ["pushed", "count"],
                            [
                                ("companies upserted", pushed.companies),
                                ("contacts upserted", pushed.contacts),
                                ("associations", pushed.associations),
                                ("unchanged", pushed.skipped_unchanged),
                                ("without email (company only)", pushed.no_email),
                                ("failed", pushed.failed),
                                ("refused by HubSpot", len(pushed.errors)),
                            ],
                        )
                    )
                }
                if pushed is not None
                else {}
            ),
        }
    )
