"""ICP lead lists: `core/prospects` (the table every ICP scans) and `icp_leads`, one dynamic
partition per ICP file in the icps folder (`FIRMO_ICP_DIR`, default `<repo>/icps`).

`icp_files_sensor` keeps the partitions in step with the folder: a new file adds its partition
(and runs it), a changed file re-runs it, a deleted file removes the partition. The table
leads.<icp> of a removed ICP is left in place: the sensor never writes to the warehouse.
"""

import hashlib
import json
from datetime import date
from pathlib import Path

from dagster import (
    AddDynamicPartitionsRequest,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    AutomationCondition,
    Config,
    DefaultSensorStatus,
    DeleteDynamicPartitionsRequest,
    MetadataValue,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    asset,
    sensor,
)

from assets.common import WAREHOUSE_POOL
from assets.partitions import ICP_PARTITIONS, icp_partitions
from assets.resources import PathsResource, WarehouseResource
from firmo.icp import build_leads, build_prospects, load_icp
from firmo.icp.config import NAME_RE, IcpError
from firmo.metadata import bar_chart, markdown_table

PROSPECTS = AssetKey(["core", "prospects"])


def icp_files(folder: str | Path) -> dict[str, Path]:
    """ICP name -> file in `folder` (the paths resource's ICP folder, FIRMO_ICP_DIR), for every
    `<name>.yaml|.yml` whose name can be a table name."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    files: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix in (".yaml", ".yml") and path.is_file() and NAME_RE.match(path.stem):
            files.setdefault(path.stem, path)
    return files


@asset(
    automation_condition=AutomationCondition.eager(),
    key=PROSPECTS,
    group_name="core",
    kinds={"duckdb"},
    owners=["team:data-engineering"],
    # inpi/companies: its RNE opposition flag is joined at build time, so an RNE load that sets or
    # lifts an opposition rebuilds the table (firmo/compliance/prospecting.py); core/company_idcc:
    # an IDCC load refreshes core.companies.idcc_codes, which core.prospects copies
    deps=[
        AssetKey(["core", "companies"]),
        AssetKey(["core", "signals"]),
        AssetKey(["inpi", "officers"]),
        AssetKey(["inpi", "companies"]),
        AssetKey(["core", "latest_financials"]),
        AssetKey(["core", "company_idcc"]),
    ],
    pool=WAREHOUSE_POOL,
)
def prospects(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Active, diffusible companies not opposed to commercial use at the RNE, with their
    officers' roles, latest revenue and signals: the one table ICP previews and builds scan."""
    with warehouse.get_connection() as con:
        n = build_prospects(con)
        by_region = con.execute(
            "SELECT coalesce(region_name, '(abroad / unknown)'), count(*) FROM core.prospects GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
    context.add_output_metadata(
        {
            "dagster/row_count": n,
            "prospects per région": MetadataValue.md(bar_chart(by_region)),
        }
    )


class IcpLeadsConfig(Config):
    """`as_of`: the day scores are computed for (ISO date, default today)."""

    as_of: str | None = None


OPEN_DATA_CRITERIA_TABLES = [
    AssetKey(["core", "establishment_locations"]),
    AssetKey(["core", "commune_points"]),
    AssetKey(["core", "labels"]),
    AssetKey(["ref", "idcc"]),
    AssetKey(["core", "public_contracts"]),
    AssetKey(["core", "job_offers"]),
]


@asset(
    automation_condition=AutomationCondition.eager(),
    partitions_def=icp_partitions,
    group_name="leads",
    kinds={"duckdb", "csv"},
    owners=["team:sales-ops"],
    # the open-data criteria (near, labels, idcc, public_contracts, hiring) read these tables at
    # scoring time, beside core.prospects: a list is rebuilt when one of them changes
    deps=[PROSPECTS, *OPEN_DATA_CRITERIA_TABLES],
    pool=WAREHOUSE_POOL,
)
def icp_leads(
    context: AssetExecutionContext, config: IcpLeadsConfig, warehouse: WarehouseResource, paths: PathsResource
):
    """The ranked lead list of one ICP file: leads.<icp> (build then swap) and
    <data dir>/leads/<icp>.csv, scored on fit and intent, tiered hot / warm / cold."""
    name = context.partition_key
    path = icp_files(paths.icp_dir).get(name)
    if path is None:
        raise FileNotFoundError(f"no ICP file {name}.yaml in {paths.icp_dir} (set FIRMO_ICP_DIR)")
    digest = _digest(path)  # before reading it: an edit during the build then counts as a change
    icp = load_icp(path)
    for warning in icp.warnings:
        context.log.warning(warning)
    for notice in icp.notices:
        context.log.info(notice)
    with warehouse.get_connection() as con:
        result = build_leads(
            con, icp, as_of=date.fromisoformat(config.as_of) if config.as_of else None, csv_dir=paths.leads_dir
        )
    context.add_output_metadata(
        {
            "dagster/row_count": result.rows,
            "table": result.table,
            "csv": MetadataValue.path(str(result.csv_path)),
            "icp_file": MetadataValue.path(str(path)),
            BUILT_DIGEST: digest,  # the sensor's starting point after `firmo run` (_built_digests)
            "hot": result.tiers["hot"],
            "warm": result.tiers["warm"],
            "cold": result.tiers["cold"],
            "selected (before max_leads)": sum(n for _, n in result.counts["tier"]),
            "leads per tier": MetadataValue.md(bar_chart(list(result.tiers.items()), title="leads per tier")),
            "selected per région": MetadataValue.md(markdown_table(["région", "companies"], result.counts["region"])),
            "selected per NAF division": MetadataValue.md(
                markdown_table(["NAF division", "companies"], result.counts["naf_division"][:30])
            ),
            "warnings": "; ".join(icp.warnings) or "none",
            "seconds": round(result.seconds, 2),
        }
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


BUILT_DIGEST = "icp_file_digest"


def _built_digests(instance, names: list[str]) -> dict[str, str]:
    """ICP name -> digest of the file its latest lead list was built from, for `names`.

    `firmo run` (make run) builds every list in the same Dagster instance ($DAGSTER_HOME) the UI
    and daemon use, outside this sensor. Without this, the first tick after it (make ui) would
    find an empty cursor and run every list again; with it, the sensor starts from the state
    the build left and runs only the files changed since. Asked only for names the cursor does
    not know, so once per file."""
    from dagster import AssetRecordsFilter

    built = {}
    for name in names:
        records = instance.fetch_materializations(
            AssetRecordsFilter(asset_key=icp_leads.key, asset_partitions=[name]), limit=1
        ).records
        entry = records[0].asset_materialization.metadata.get(BUILT_DIGEST) if records else None
        if entry is not None and isinstance(entry.value, str):
            built[name] = entry.value
    return built


@sensor(
    asset_selection=AssetSelection.assets(icp_leads),
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING,
)
def icp_files_sensor(context: SensorEvaluationContext, paths: PathsResource) -> SensorResult:
    """Adds a partition per new ICP file, removes those whose file is gone, and runs the ICPs
    whose file is new or changed (cursor: content hash per ICP). A file the cursor does not know
    yet is compared with the hash its latest lead list was built from (`_built_digests`), so
    the lists `firmo run` just built are not run again.

    Each file is checked first (`load_icp`: the safe loader, size limit, reference lists), so a
    bad file costs milliseconds here instead of a failed run: it is skipped with its reason (in
    the tick's log, its skip message when nothing runs, the `firmo/skipped_icp_files` tag of the
    runs it requests) and the other files go on. A skipped file keeps its previous cursor entry:
    it is checked again every tick and runs once fixed."""
    folder = Path(paths.icp_dir)
    files = icp_files(folder)
    unusable = sorted(p.name for p in folder.glob("*.y*ml") if p.stem not in files) if folder.is_dir() else []
    if unusable:
        context.log.warning(f"ignored ICP files (name must be lower-case letters, digits, '_'): {unusable}")
    known = set(context.instance.get_dynamic_partitions(ICP_PARTITIONS))
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    seen = {**_built_digests(context.instance, [n for n in files if n not in seen]), **seen}
    digests: dict[str, str] = {}
    skipped: dict[str, str] = {}  # file name -> why
    for name, path in files.items():
        try:
            load_icp(path)
        except IcpError as exc:
            skipped[path.name] = "; ".join(exc.errors)
            context.log.warning(f"ICP file {path.name} skipped: {skipped[path.name]}")
            if name in seen:
                digests[name] = seen[name]
            continue
        digests[name] = _digest(path)
    good = {name for name, path in files.items() if path.name not in skipped}
    added, removed = sorted(good - known), sorted(known - set(files))
    requests: list[AddDynamicPartitionsRequest | DeleteDynamicPartitionsRequest] = []
    if added:
        requests.append(icp_partitions.build_add_request(added))
    if removed:
        requests.append(icp_partitions.build_delete_request(removed))
    tags = {"firmo/skipped_icp_files": ", ".join(sorted(skipped))} if skipped else {}
    runs = [
        RunRequest(partition_key=name, run_key=f"{name}:{digest}", tags=tags)
        for name, digest in sorted(digests.items())
        if name in good and seen.get(name) != digest
    ]
    if added or removed:
        context.log.info(f"ICP partitions: added {added or 'none'}, removed {removed or 'none'}")
    skip = (
        "skipped ICP files: " + "; ".join(f"{f}: {why}" for f, why in sorted(skipped.items()))
        if skipped and not runs
        else None
    )
    return SensorResult(
        run_requests=runs,
        dynamic_partitions_requests=requests,
        skip_reason=skip,
        cursor=json.dumps(digests, sort_keys=True),
    )
