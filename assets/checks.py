"""Data-quality asset checks: one Dagster check per entry of `firmo.quality.CHECKS`.

Each check runs its Great Expectations suite (or the row-count guard) on the table its asset
wrote, records the result in quality.check_results and shows, in the asset's Checks tab, a table
of the expectations with their observed values and the failing examples. Checks of the per-ICP
assets (icp_leads, enriched_leads, crm_exports) check the partition being materialized.

Blocking checks (`blocking=True`, severity ERROR) stop the downstream assets of the same run;
crm_exports also refuses to start while the latest result of one of them failed in an earlier run
(`firmo.quality.assert_exports_allowed`).
"""

import warnings

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    PreviewWarning,
    asset_check,
)

from assets.common import WAREHOUSE_POOL
from assets.icp import icp_partitions
from assets.resources import WarehouseResource
from firmo import quality


def quality_check(spec: quality.QualityCheck) -> AssetChecksDefinition:
    with warnings.catch_warnings():
        # partitions_def on a check is "preview" in Dagster 1.13; it is what lets a per-ICP check
        # see the partition being materialized (tests/quality pins the behaviour we rely on)
        warnings.simplefilter("ignore", PreviewWarning)
        return _quality_check(spec)


def _quality_check(spec: quality.QualityCheck) -> AssetChecksDefinition:
    @asset_check(
        name=spec.name,
        asset=AssetKey(spec.asset.split("/")),
        description=spec.description,
        blocking=spec.blocking,
        partitions_def=icp_partitions if spec.per_icp else None,
        metadata={"severity": spec.severity, "table": spec.table},
        pool=WAREHOUSE_POOL,
    )
    def _check(context: AssetCheckExecutionContext, warehouse: WarehouseResource) -> AssetCheckResult:
        icp = context.partition_key if spec.per_icp else None
        with warehouse.get_connection() as con:
            result = quality.run_check(con, spec, run_id=context.run.run_id, icp=icp)
        return AssetCheckResult(
            passed=result.success,
            severity=AssetCheckSeverity(spec.severity),
            description=result.summary,
            metadata={
                "expectations": MetadataValue.md(result.markdown()),
                "failing examples": MetadataValue.md(result.examples_markdown()),
                "table": result.table,
                "rows checked": result.rows,
                "failed expectations": len(result.failed),
            },
        )

    return _check


quality_checks = [quality_check(spec) for spec in quality.CHECKS]
