"""`crm_exports`: per ICP, the HubSpot, Salesforce and Pipedrive import files of the new or
changed leads (incremental through exports.ledger), after the last gate: suppression, customers, and
`P`, RNE opposition and closed units read from the registries at export time (firmo/compliance/prospecting.py).
Files land in `<data dir>/exports/<icp>/<crm>/` (FIRMO_EXPORTS_DIR). With `push_hubspot: true` in
the run config the same leads are also upserted through HubSpot's batch API (ledger `hubspot_api`).

`crm_accounts`: the read-back, what HubSpot, Salesforce and Pipedrive already hold (accounts by SIREN,
domain or name + postal code, contacts by email, deals), pulled incrementally (firmo/crm/readback*.py); the next
`crm_exports` leaves out its customers and what it disqualified, and keeps its owners."""

from pathlib import Path
from typing import Literal

from dagster import (
    AssetExecutionContext,
    AssetKey,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
)

from assets.automation import eager_after_read_back
from assets.checks import assert_exports_allowed
from assets.common import WAREHOUSE_POOL
from assets.partitions import icp_partitions
from assets.resources import HubSpotResource, PathsResource, PipedriveResource, SalesforceResource, WarehouseResource
from firmo.crm import export_leads, push_hubspot
from firmo.crm.layouts import CRMS
from firmo.crm.leads import lead_frame
from firmo.crm.push_pipedrive import push_pipedrive
from firmo.crm.push_salesforce import push_salesforce
from firmo.crm.readback import pull_hubspot
from firmo.crm.readback_pipedrive import pull_pipedrive
from firmo.crm.readback_salesforce import pull_salesforce
from firmo.metadata import markdown_table


class CrmExportsConfig(Config):
    """`push_hubspot`: also upsert the new or changed leads into HubSpot through its batch API
    (companies by SIREN, contacts by email; token HUBSPOT_ACCESS_TOKEN, endpoint FIRMO_HUBSPOT_BASE_URL)."""

    push_hubspot: bool = False
    # also push them to Pipedrive (organisations by the SIREN field, persons by email, leads and a
    # note; token FIRMO_PIPEDRIVE_API_TOKEN, endpoint FIRMO_PIPEDRIVE_API_URL)
    push_pipedrive: bool = False
    # also upsert them into Salesforce (Accounts by SIREN__c, Leads or Contacts by Email_Key__c;
    # credentials FIRMO_SALESFORCE_*, see firmo/crm/push_salesforce.py)
    push_salesforce: bool = False


@asset(
    automation_condition=eager_after_read_back(),
    partitions_def=icp_partitions,
    group_name="exports",
    kinds={"csv", "hubspot", "salesforce"},
    owners=["team:sales-ops"],
    # crm_accounts first: the read-back's holds and customers are what the last gate reads
    deps=[AssetKey("icp_leads"), AssetKey("enriched_leads"), AssetKey("crm_accounts")],
    pool=WAREHOUSE_POOL,
)
def crm_exports(
    context: AssetExecutionContext,
    config: CrmExportsConfig,
    warehouse: WarehouseResource,
    paths: PathsResource,
    hubspot: HubSpotResource,
    pipedrive: PipedriveResource,
    salesforce: SalesforceResource,
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
        pipedrive_client = pipedrive.client() if config.push_pipedrive else None  # idem
        salesforce_client = salesforce.client() if config.push_salesforce else None  # idem
        days = hubspot.disqualified_days
        report = export_leads(leads, con=con, root=root, crms=CRMS, disqualified_days=days)
        pushed = None
        piped = None
        forced = None
        if salesforce_client is not None:
            with salesforce_client:
                lead_object: Literal["Lead", "Contact"] = "Contact" if salesforce.lead_object == "Contact" else "Lead"
                forced = push_salesforce(
                    leads, con=con, client=salesforce_client, lead_object=lead_object, disqualified_days=days
                )
        if pipedrive_client is not None:
            with pipedrive_client:
                piped = push_pipedrive(leads, con=con, client=pipedrive_client, disqualified_days=days)
        if client is not None:
            with client:
                pushed = push_hubspot(leads, con=con, client=client, disqualified_days=days)
    files = [p for crm in CRMS for p in report.files[crm]]
    per_crm = [(crm, report.exported[crm], report.skipped_unchanged[crm], len(report.files[crm])) for crm in CRMS]
    screened_out = [
        ("non-diffusible (P)", report.skipped_p),
        ("opposed to commercial use (RNE)", report.opposed),
        ("closed or not in core.companies", report.inactive),
        ("suppressed", report.suppressed),
        ("existing customers", report.customers),
        ("disqualified in a CRM (FIRMO_CRM_DISQUALIFIED_DAYS)", report.crm_disqualified),
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
                    "pipedrive API push": MetadataValue.md(
                        markdown_table(
                            ["pushed", "count"],
                            [
                                ("leads pushed", piped.pushed),
                                (
                                    "organisations created / updated",
                                    f"{piped.organizations_created} / {piped.organizations_updated}",
                                ),
                                ("persons created / updated", f"{piped.persons_created} / {piped.persons_updated}"),
                                ("leads created / updated", f"{piped.leads_created} / {piped.leads_updated}"),
                                ("notes", piped.notes),
                                ("unchanged", piped.skipped_unchanged),
                                ("refused by Pipedrive (retried next run)", piped.failed),
                                ("left for the next run", piped.not_reached),
                                ("API tokens spent", piped.tokens_spent),
                            ],
                        )
                    )
                }
                if piped is not None
                else {}
            ),
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
            **(
                {
                    "salesforce API push": MetadataValue.md(
                        markdown_table(
                            ["pushed", "count"],
                            [
                                ("accounts upserted (new)", f"{forced.accounts} ({forced.created_accounts})"),
                                ("persons upserted (new)", f"{forced.persons} ({forced.created_persons})"),
                                ("linked to an existing account", forced.linked_duplicates),
                                ("persons found by email (given the key)", forced.adopted_persons),
                                ("unchanged", forced.skipped_unchanged),
                                ("without email (account only)", forced.no_email),
                                ("failed (retried next run)", forced.failed),
                                ("bulk jobs", forced.bulk_jobs),
                                ("API calls", forced.api_calls),
                                ("stopped", forced.stopped or ""),
                            ],
                        )
                    )
                }
                if forced is not None
                else {}
            ),
        }
    )


@asset(
    group_name="exports",
    kinds={"hubspot", "salesforce", "duckdb"},
    owners=["team:sales-ops"],
    pool=WAREHOUSE_POOL,
)
def crm_accounts(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    hubspot: HubSpotResource,
    salesforce: SalesforceResource,
    pipedrive: PipedriveResource,
) -> MaterializeResult:
    """What every configured CRM already holds (HubSpot, Salesforce, Pipedrive), each read
    incrementally on its own last-modified cursor: exports.crm_accounts (matched to a SIREN with a
    confidence), exports.crm_contacts, exports.crm_deals; won accounts become exports.customers,
    what a CRM disqualified is left out of the next exports. A CRM without credentials is not read;
    none configured: nothing is read. The metadata gives the counts of each CRM read, and their sums."""
    readers = [
        ("hubspot", hubspot.configured, lambda con: _pull(hubspot.client(), lambda c: pull_hubspot(con, c))),
        (
            "salesforce",
            salesforce.configured,
            lambda con: _pull(
                salesforce.client(),
                lambda c: pull_salesforce(con, c, disqualified_statuses=salesforce.disqualified_statuses),
            ),
        ),
        (
            "pipedrive",
            pipedrive.configured,
            lambda con: _pull(pipedrive.client(), lambda c: pull_pipedrive(con, c, rules=pipedrive.disqualified)),
        ),
    ]
    configured = [(name, read) for name, ok, read in readers if ok]
    if not configured:
        context.log.info("no CRM credentials (HubSpot, Salesforce, Pipedrive): nothing read back")
        return MaterializeResult(metadata={"crms": "", "configured": False})
    reports = []
    with warehouse.get_connection() as con:
        for name, read in configured:
            reports.append(read(con))
            context.log.info(f"{name}: {reports[-1].accounts} accounts, {reports[-1].contacts} contacts read back")
    columns = ["crm", "accounts", "contacts", "deals", "customers (won)", "disqualified (left out)", "validated"]
    per_crm = [(r.crm, r.accounts, r.contacts, r.deals, r.customers, r.disqualified, r.validated) for r in reports]
    matched = [(r.crm, method, n) for r in reports for method, n in sorted(r.matched.items())] + [
        (r.crm, "unmatched", r.unmatched) for r in reports
    ]
    return MaterializeResult(
        metadata={
            "crms": ", ".join(r.crm for r in reports),
            "configured": True,
            "per crm": MetadataValue.md(markdown_table(columns, per_crm)),
            "accounts read": sum(r.accounts for r in reports),
            "contacts read": sum(r.contacts for r in reports),
            "deals read": sum(r.deals for r in reports),
            "accounts matched": MetadataValue.md(markdown_table(["crm", "match", "accounts"], matched)),
            "customers (won)": sum(r.customers for r in reports),
            "disqualified (left out)": sum(r.disqualified for r in reports),
            "validated by sales": sum(r.validated for r in reports),
            "deleted in the CRM (marked)": sum(r.deleted for r in reports),
        }
    )


def _pull(client, pull):
    """Run one CRM's read-back with its client, closed after."""
    with client as opened:
        return pull(opened)
