"""Data-quality asset checks, assembled from the rules declared beside each table.

The catalogue: `CHECKS` gathers the `CHECKS` of sources/sirene/quality.py, sources/inpi/quality.py,
sources/bodacc/quality.py, firmo/icp/quality.py (lead lists), waterfall/quality.py (enriched
contacts) and firmo/crm/quality.py (exports), in the order the data flows; one Dagster check per
entry. A new rule goes beside its table; a new table's checks are added to CHECKS here.

Each check runs its Great Expectations suite (or the row-count guard) on the table its asset
wrote, records the result in quality.check_results and shows, in the asset's Checks tab, a table
of the expectations with their observed values and the failing examples. Checks of the per-ICP
assets (icp_leads, enriched_leads, crm_exports) check the partition being materialized.

Blocking checks (`blocking=True`, severity ERROR) stop the downstream assets of the same run;
crm_exports also refuses to start while the latest result of one of them failed in an earlier run
(`assert_exports_allowed`: the gate of firmo.quality.gate over EXPORT_GATES).
"""

import warnings
from datetime import datetime

import duckdb
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
from assets.partitions import icp_partitions
from assets.resources import QualityResource, WarehouseResource
from firmo.crm import quality as crm_quality
from firmo.icp import quality as icp_quality
from firmo.quality import engine, gate
from firmo.quality.model import QualityCheck, QualityResult, Thresholds
from sources.bodacc import quality as bodacc_quality
from sources.decp import quality as decp_quality
from sources.geoloc import quality as geoloc_quality
from sources.idcc import quality as idcc_quality
from sources.inpi import quality as inpi_quality
from sources.jobs import quality as jobs_quality
from sources.labels import quality as labels_quality
from sources.sirene import quality as sirene_quality
from waterfall import quality as waterfall_quality

CHECKS: tuple[QualityCheck, ...] = (
    *sirene_quality.CHECKS,
    *inpi_quality.CHECKS,
    *bodacc_quality.CHECKS,
    *decp_quality.CHECKS,
    *geoloc_quality.CHECKS,
    *idcc_quality.CHECKS,
    *labels_quality.CHECKS,
    *jobs_quality.CHECKS,
    *icp_quality.CHECKS,
    *waterfall_quality.CHECKS,
    *crm_quality.CHECKS,
)
# What gates an ICP's export: every blocking check on a table upstream of crm_exports.
EXPORT_GATES: tuple[str, ...] = tuple(c.name for c in CHECKS if c.blocking and c.asset != crm_quality.ASSET)


def check_named(name: str) -> QualityCheck:
    for check in CHECKS:
        if check.name == name:
            return check
    raise KeyError(f"no data-quality check named {name!r}")


def run_check(
    con: duckdb.DuckDBPyConnection,
    check: QualityCheck | str,
    *,
    run_id: str,
    icp: str | None = None,
    limits: Thresholds | None = None,
    now: datetime | None = None,
) -> QualityResult:
    """Run one check of the catalogue, by name or spec (firmo.quality.engine.run_check), and record it."""
    spec = check_named(check) if isinstance(check, str) else check
    return engine.run_check(con, spec, run_id=run_id, icp=icp, limits=limits, now=now)


def blocking_failures(con: duckdb.DuckDBPyConnection, icp: str) -> list[tuple]:
    """The failing checks of EXPORT_GATES for `icp`'s export (firmo.quality.gate)."""
    return gate.blocking_failures(con, icp, EXPORT_GATES)


def assert_exports_allowed(con: duckdb.DuckDBPyConnection, icp: str) -> None:
    """Refuse `icp`'s export while a check of EXPORT_GATES last failed (firmo.quality.gate.QualityGateError)."""
    gate.assert_exports_allowed(con, icp, EXPORT_GATES)


def quality_check(spec: QualityCheck) -> AssetChecksDefinition:
    with warnings.catch_warnings():
        # partitions_def on a check is "preview" in Dagster 1.13; it is what lets a per-ICP check
        # see the partition being materialized (tests/quality pins the behaviour we rely on)
        warnings.simplefilter("ignore", PreviewWarning)
        return _quality_check(spec)


def _quality_check(spec: QualityCheck) -> AssetChecksDefinition:
    @asset_check(
        name=spec.name,
        asset=AssetKey(spec.asset.split("/")),
        description=spec.description,
        blocking=spec.blocking,
        partitions_def=icp_partitions if spec.per_icp else None,
        metadata={"severity": spec.severity, "table": spec.table},
        pool=WAREHOUSE_POOL,
    )
    def _check(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource, quality: QualityResource
    ) -> AssetCheckResult:
        icp = context.partition_key if spec.per_icp else None
        with warehouse.get_connection() as con:
            result = engine.run_check(con, spec, run_id=context.run.run_id, icp=icp, limits=quality.thresholds())
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


quality_checks = [quality_check(spec) for spec in CHECKS]
