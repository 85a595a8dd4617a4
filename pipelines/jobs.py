"""Jobs: named selections an operator launches from the UI (and the schedules run)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, job

from assets.decp import decp_delta

SIRENE = AssetSelection.groups("sirene") | AssetSelection.assets(["core", "companies"])
INPI = AssetSelection.groups("inpi") | AssetSelection.assets(["core", "latest_financials"])
BODACC = AssetSelection.assets(["bodacc", "notices"])
DERIVED = AssetSelection.assets(["core", "signals"], ["core", "prospects"])
LEAD_DELIVERY = AssetSelection.assets("icp_leads", "enriched_leads", "crm_accounts", "crm_exports")
PUBLISH = AssetSelection.assets(["analytics", "snapshot"])
DAILY_CHANGES = AssetSelection.assets(["sirene", "daily_changes"], ["inpi", "daily_changes"])
# the open-data loaders and the core tables they derive (in the `core` group beside the others);
# a loader publishing several tables in one transaction is one multi-asset, selected whole
OPEN_DATA = (
    AssetSelection.groups("open_data")
    | AssetSelection.assets(
        ["core", "public_contracts"],
        ["core", "labels"],
        ["core", "company_idcc"],
        ["core", "company_idcc_codes"],
        ["core", "establishment_locations"],
        ["core", "commune_points"],
        ["core", "job_offers"],
        ["core", "hiring_potential"],
    )
).required_multi_asset_neighbors()

sirene_job = define_asset_job(
    "sirene_reload",
    selection=SIRENE,
    description="Fetch the SIRENE monthly stock files and reload sirene.* and core.companies.",
)
inpi_job = define_asset_job(
    "inpi_reload",
    selection=INPI,
    description="Reload the RNE officers and the ratios_inpi_bce accounts.",
)
bodacc_job = define_asset_job(
    "bodacc_daily",
    selection=BODACC,
    description="Load the BODACC notices of one day (or a backfill range, in one run).",
)
registry_loads_job = define_asset_job(
    "registry_loads",
    selection=SIRENE | INPI,
    description="Every unpartitioned registry load (SIRENE, INPI), in dependency order.",
)
open_data_job = define_asset_job(
    "open_data_loads",
    selection=OPEN_DATA,
    description="Refresh the open-data sources keyed by SIREN/SIRET (public contracts, labels, collective "
    "agreements, establishment locations, job offers) after the registries, skipping unchanged files.",
)


@job(
    name="decp_daily_delta",
    description="The awards notified since the last DECP cursor, through data.gouv's tabular API, upserted into "
    "decp.marches and core.public_contracts: the days between two weekly stock loads.",
    tags={"kind": "open_data"},
)
def decp_delta_job():
    decp_delta()


derived_job = define_asset_job(
    "derived_tables",
    selection=DERIVED,
    description="Re-derive signals and core.prospects (what every ICP scans) from the loaded registries.",
)
lead_delivery_job = define_asset_job(
    "lead_delivery",
    selection=LEAD_DELIVERY,
    description="For one ICP: its lead list, the contact enrichment waterfall, the CRM read-back (skipped "
    "without a CRM credential), then the CRM import files.",
)
nightly_job = define_asset_job(
    "nightly",
    selection=BODACC | DAILY_CHANGES,  # partitioned like bodacc/notices (FIRMO_BODACC_START's days)
    description="Every night: yesterday's BODACC notices, the API Sirene delta and the RNE /diff window. "
    "Signals, lists, enrichment, exports and the snapshot follow by automation, only if something changed.",
)

# job-change re-checks (waterfall/recheck.py): per ICP, and the CRM contacts (unpartitioned), each
# within the month's re-check budget (FIRMO_RECHECK_MONTHLY_CREDITS, shared: one ledger)
recheck_icp_job = define_asset_job(
    "recheck_icp_contacts",
    selection=AssetSelection.assets("job_change_rechecks"),
    description="For one ICP: re-check its enriched people for a job change (left, joined, promoted) with the "
    "vendors that return a current employer, cheapest first, within the monthly re-check budget.",
)
recheck_crm_job = define_asset_job(
    "recheck_crm_contacts",
    selection=AssetSelection.assets("crm_contact_rechecks"),
    description="Re-check the contacts read back from the CRMs for a job change, within the monthly budget.",
)

alert_delivery_job = define_asset_job(
    "alert_delivery",  # not "alerts": a job may not share the name of the asset it runs
    selection=AssetSelection.assets("alerts"),
    description="Evaluate every ICP's alert rules on its lead list and the signals, then deliver the outbox "
    "(Slack, email, webhook); failed deliveries are retried, kept as undelivered after FIRMO_ALERT_MAX_ATTEMPTS.",
)

publish_job = define_asset_job(
    "publish_snapshot",
    selection=PUBLISH,
    description="Refresh the analytics views and publish the read-only snapshot analysts query.",
)


def all_jobs() -> list:
    return [
        sirene_job,
        inpi_job,
        bodacc_job,
        nightly_job,
        registry_loads_job,
        open_data_job,
        decp_delta_job,
        derived_job,
        lead_delivery_job,
        recheck_icp_job,
        recheck_crm_job,
        publish_job,
        alert_delivery_job,
    ]
