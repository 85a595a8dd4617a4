"""Job-change re-checks (waterfall/recheck.py), scheduled: `job_change_rechecks` per ICP (the people
of its enriched list), `crm_contact_rechecks` for the contacts read back from the CRMs
(exports.crm_contacts). Both ask the vendors that return a person's current employer about people
enriched more than FIRMO_RECHECK_DAYS ago, within FIRMO_RECHECK_MONTHLY_CREDITS a month (one budget
for both: they share the ledger, waterfall.rechecks), and write waterfall.job_changes, which the
signals read, and exports.retired_contacts, which the export's last gate reads."""

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from assets.common import WAREHOUSE_POOL
from assets.partitions import icp_partitions
from assets.resources import ProvidersResource, WarehouseResource
from firmo import db
from waterfall.config import load_config
from waterfall.enrich import enriched_table
from waterfall.recheck import RecheckReport, Subject, run_recheck, subjects_from_crm, subjects_from_leads


def _recheck(
    con: duckdb.DuckDBPyConnection, subjects: Sequence[Subject], providers: ProvidersResource
) -> RecheckReport:
    """Both assets ask the same vendors with the same settings and budget; only the people differ."""
    return run_recheck(
        con,
        subjects,
        config=load_config(Path(providers.config_path) if providers.config_path else None),
        env=providers.key_env(),
        base_urls=providers.base_urls,
        recheck_days=providers.recheck_days,
        monthly_budget=providers.recheck_monthly_credits,
        now=datetime.now(),
    )


def _result(report: RecheckReport) -> MaterializeResult:
    meta = report.metadata()
    return MaterializeResult(
        metadata={
            **meta,
            "credits by provider": MetadataValue.md(
                "\n".join(f"- {p}: {c:g}" for p, c in sorted(report.credits_by_provider.items())) or "none"
            ),
            "providers dropped": MetadataValue.md(
                "\n".join(f"- {p}: {why}" for p, why in report.skipped_providers.items()) or "none"
            ),
        }
    )


@asset(
    partitions_def=icp_partitions,
    group_name="leads",
    kinds={"duckdb", "python"},
    owners=["team:sales-ops"],
    deps=[AssetKey("enriched_leads")],
    pool=WAREHOUSE_POOL,
)
def job_change_rechecks(
    context: AssetExecutionContext, warehouse: WarehouseResource, providers: ProvidersResource
) -> MaterializeResult:
    """Who of this ICP's enriched people left, joined another company or was promoted, asked of the
    employer vendors cheapest first within the month's re-check budget; outcomes dated with the
    vendor's evidence (signals job_change_left / job_change_joined / promotion / may_have_left)."""
    with warehouse.get_connection() as con:
        subjects = subjects_from_leads(con, enriched_table(context.partition_key), f"icp:{context.partition_key}")
        report = _recheck(con, subjects, providers)
    context.log.info(f"re-check {context.partition_key}: {report.metadata()}")
    return _result(report)


@asset(
    group_name="exports",
    kinds={"duckdb", "python"},
    owners=["team:sales-ops"],
    deps=[AssetKey("crm_accounts")],
    pool=WAREHOUSE_POOL,
)
def crm_contact_rechecks(
    context: AssetExecutionContext, warehouse: WarehouseResource, providers: ProvidersResource
) -> MaterializeResult:
    """The same re-check for the contacts the CRMs hold (read back into exports.crm_contacts): a
    past customer contact who moved is the warmest lead at the company they joined."""
    with warehouse.get_connection() as con:
        known = [
            s
            for table in db.tables_in_schema(con, "leads")
            if table.endswith("_enriched")
            for s in subjects_from_leads(con, table, "icp")
        ]
        report = _recheck(con, subjects_from_crm(con, known), providers)
    context.log.info(f"re-check of CRM contacts: {report.metadata()}")
    return _result(report)
