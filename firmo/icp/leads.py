"""Build an ICP's lead list: the `leads.<icp>` table (built then swapped) and a CSV copy.

The table follows the leads contract the CRM export and the enrichment read (column names are
fixed, see firmo/sql/icp/leads.sql). The CSV goes to `<data dir>/leads/<icp>.csv`; list columns are
joined with " | " because a spreadsheet cannot hold a list.

Table and CSV are published together. The CSV is written from the staging table under a
temporary name (`.<icp>.csv.<build id>.tmp`), the table is swapped in with a row of
`core.lead_list_builds` (build id, rows, the CSV's size and sha256) in one transaction, and the
CSV is renamed into place only after that commit. A process killed between the commit and the
rename leaves a new table and the old CSV: every build starts with `repair_lead_csvs`, which
rewrites from its table each CSV that differs from its ledger row (and drops stale temporary files).
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import cast

import duckdb
import polars as pl

from firmo import db
from firmo.icp.score import TIERS, counts, leads_statement, prepare
from firmo.icp.validate import ResolvedIcp
from firmo.settings import Settings
from firmo.sqlfiles import load_sql, quote_ident

log = logging.getLogger(__name__)
# The contact columns an enriched lead list adds to a lead list (`leads.<icp>_enriched`): written by
# the waterfall, read by the CRM export. Defined here, under both, so the two cannot drift apart.
CONTACT_COLUMNS = (
    "website_domain",
    "domain_source",
    "email",
    "email_status",
    "email_source",
    "email_found_at",
    "phone",
    "phone_type",
    "phone_source",
    "phone_found_at",
)
BUILDS = "core.lead_list_builds"


@dataclass
class BuildResult:
    icp: str
    table: str
    rows: int
    csv_path: Path
    tiers: dict[str, int]  # hot / warm / cold among the rows written
    counts: dict[str, list[tuple[str, int]]]  # whole selection, before the list-size cap
    seconds: float


def leads_table(icp_name: str) -> str:
    """`leads.<icp>`, refusing anything that is not a plain identifier."""
    table = f"leads.{icp_name}"
    quote_ident(table)
    return table


def _write_csv(frame: pl.DataFrame, path: Path) -> tuple[int, str]:
    """Write the CSV copy of a lead frame to `path` (fsynced); returns (bytes, sha256)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    flat = frame.with_columns([pl.col(c).list.join(" | ") for c, t in frame.schema.items() if isinstance(t, pl.List)])
    flat.write_csv(path)
    with path.open("rb") as fh:
        os.fsync(fh.fileno())
    return _fingerprint(path)


def _fingerprint(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return path.stat().st_size, digest.hexdigest()


def _tmp_name(path: Path, build_id: str) -> Path:
    return path.with_name(f".{path.name}.{build_id}.tmp")


def _ensure_builds(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS core")
    con.execute(load_sql("icp/create_builds"))


def _frame(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    # from_arrow of a table is a frame (the Series case is for an array)
    return cast(
        pl.DataFrame, pl.from_arrow(con.sql(f"SELECT * FROM {quote_ident(table)} ORDER BY rank").to_arrow_table())
    )


def repair_lead_csvs(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Make each lead CSV the copy of its table again; returns the ICPs whose CSV was rewritten.

    A CSV disagrees with its table when its size or sha256 is not the one recorded with the
    table's last build (a kill between the table's commit and the CSV's rename, a deleted or
    hand-edited CSV). Temporary files left by killed builds are removed."""
    _ensure_builds(con)
    repaired = []
    for icp, csv_path, size, sha in con.execute(
        f"SELECT icp, csv_path, csv_bytes, csv_sha256 FROM {BUILDS} ORDER BY icp"
    ).fetchall():
        path, table = Path(csv_path), leads_table(icp)
        if path.parent.is_dir():
            for stale in path.parent.glob(f".{path.name}.*.tmp"):
                stale.unlink(missing_ok=True)
        if not db.table_exists(con, table):
            continue
        if path.is_file() and path.stat().st_size == size and _fingerprint(path) == (size, sha):
            continue
        frame = _frame(con, table)
        build_id = uuid.uuid4().hex
        tmp = _tmp_name(path, build_id)
        try:
            csv_bytes, csv_sha = _write_csv(frame, tmp)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        con.execute(load_sql("icp/record_build"), _build_row(icp, build_id, frame.height, path, csv_bytes, csv_sha))
        log.warning(
            "%s did not match %s (interrupted build?): rewritten from the table, %d rows", path, table, frame.height
        )
        repaired.append(icp)
    return repaired


def _build_row(icp: str, build_id: str, rows: int, path: Path, csv_bytes: int, csv_sha: str) -> dict[str, object]:
    return {
        "icp": icp,
        "build_id": build_id,
        "rows": rows,
        "csv_path": str(path),
        "csv_bytes": csv_bytes,
        "csv_sha256": csv_sha,
        "built_at": datetime.now(UTC).replace(tzinfo=None),
    }


def build_leads(
    con: duckdb.DuckDBPyConnection, icp: ResolvedIcp, *, as_of: date | None = None, csv_dir: Path | None = None
) -> BuildResult:
    """Write leads.<icp> and <data dir>/leads/<icp>.csv for one ICP; idempotent for a given as_of."""
    started = time.perf_counter()
    as_of = as_of or date.today()
    table = leads_table(icp.name)
    repair_lead_csvs(con)
    prepare(con)
    sql, params = leads_statement(con, icp, as_of, updated_at=datetime.now().replace(microsecond=0))
    staging = db.staging_name(table)
    db.drop_staging(con, table)
    path = (csv_dir or Settings.from_env().data_dir / "leads").resolve() / f"{icp.name}.csv"
    build_id = uuid.uuid4().hex
    tmp = _tmp_name(path, build_id)
    try:
        con.execute(f"CREATE TABLE {quote_ident(staging)} AS {sql}", params)
        frame = _frame(con, staging)
        csv_bytes, csv_sha = _write_csv(frame, tmp)
        record = (load_sql("icp/record_build"), _build_row(icp.name, build_id, frame.height, path, csv_bytes, csv_sha))
        db.publish(con, [table], also=[record])
        os.replace(tmp, path)  # after the commit: a crash before this line is repaired at the next start
    finally:
        tmp.unlink(missing_ok=True)
        db.drop_staging(con, table)
    tiers = {t: int(frame.filter(pl.col("tier") == t).height) for t in TIERS}
    grouped = counts(con, icp, as_of)
    return BuildResult(
        icp=icp.name,
        table=table,
        rows=frame.height,
        csv_path=path,
        tiers=tiers,
        counts=grouped,
        seconds=time.perf_counter() - started,
    )
