"""`enriched_leads`: the contact-enrichment waterfall over one ICP's lead list (partitioned by
ICP, after `icp_leads`). Writes leads.<icp>_enriched, waterfall.company_profiles,
waterfall.provenance and waterfall.runs;
credits, hit rates and the coverage funnel go to the asset metadata."""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AutomationCondition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from assets.common import WAREHOUSE_POOL
from assets.icp import icp_files
from assets.partitions import icp_partitions
from assets.resources import DnsResource, PathsResource, ProvidersResource, WarehouseResource
from firmo.icp import load_icp
from firmo.icp.authority import AuthorityPlan
from waterfall.config import load_config
from waterfall.enrich import run_enrichment


@asset(
    automation_condition=AutomationCondition.eager(),
    partitions_def=icp_partitions,
    group_name="leads",
    kinds={"duckdb", "python"},
    owners=["team:sales-ops"],
    deps=[AssetKey("icp_leads")],
    pool=WAREHOUSE_POOL,
)
def enriched_leads(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    providers: ProvidersResource,
    paths: PathsResource,
    dns: DnsResource,
) -> MaterializeResult:
    """Each lead's decision maker: company domain, professional email (with its verification
    status) and direct phone, provider after provider until one answers `valid`, within the
    credit budget, never paying twice (answer cache), with provider and date per value.
    Suppressed people, existing customers and non-diffusible units cost nothing. Before the
    contacts, each company's domain, LinkedIn page, switchboard and headcount (the company-level
    waterfall, waterfall.company_profiles); a domain without MX record (`dns`) gets no email question."""
    icp = context.partition_key
    config = load_config(Path(providers.config_path) if providers.config_path else None)
    configured = providers.configured()
    context.log.info(f"providers with a key: {', '.join(configured) or 'none (only the free pattern guesser)'}")

    # the ICP's personas and scoring for the people step and the re-grading (firmo.icp.authority);
    # read from the file the lead list was built from (its build runs just before this asset)
    path = icp_files(paths.icp_dir).get(icp)
    plan = AuthorityPlan.of(load_icp(path)) if path is not None else None
    if plan is not None and plan.personas:
        context.log.info(f"personas searched: {', '.join(p.label for p in plan.personas)}")

    def progress(done: int, total: int) -> None:
        context.log.info(f"enrichment {icp}: {done:,}/{total:,} leads")

    with warehouse.get_connection() as con:
        report = run_enrichment(
            con,
            icp,
            config,
            env=providers.key_env(),
            base_urls=providers.base_urls,
            progress=progress,
            plan=plan,
            resolver=dns.resolver(),
        )
    meta = report.metadata()
    return MaterializeResult(
        metadata={
            **{k: v for k, v in meta.items() if k not in ("providers", "coverage")},
            "dagster/row_count": meta["leads"],
            "providers (credits, hit rate)": MetadataValue.md(meta["providers"]),
            "coverage funnel": MetadataValue.md(meta["coverage"]),
            "circuit breakers": MetadataValue.md(
                "\n".join(
                    f"- {p}: {why} (calls after it opened: {report.calls_after_open.get(p, 0)})"
                    for p, why in report.breakers.items()
                )
                or "none"
            ),
        }
    )
