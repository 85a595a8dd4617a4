"""Build an ICP's lead list: the `leads.<icp>` table (built then swapped) and a CSV copy.

The table follows the leads contract the CRM export and the enrichment read (column names are
fixed, see sql/icp/leads.sql). The CSV goes to `<data dir>/leads/<icp>.csv`, written under a
temporary name and renamed, so a reader never sees half a file; list columns are joined with
" | " because a spreadsheet cannot hold a list.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from firmo import db, settings
from firmo.icp.score import counts, leads_statement, prepare
from firmo.icp.validate import ResolvedIcp
from firmo.sqlfiles import quote_ident


@dataclass
class BuildResult:
    icp: str
    table: str
    rows: int
    csv_path: Path
    tiers: dict[str, int]           # hot / warm / cold among the rows written
    counts: dict[str, list[tuple[str, int]]]  # whole selection, before the list-size cap
    seconds: float


def leads_table(icp_name: str) -> str:
    """`leads.<icp>`, refusing anything that is not a plain identifier."""
    table = f"leads.{icp_name}"
    quote_ident(table)
    return table


def write_csv_atomic(frame: pl.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    flat = frame.with_columns(
        [pl.col(c).list.join(" | ") for c, t in frame.schema.items() if isinstance(t, pl.List)]
    )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        flat.write_csv(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def build_leads(con: duckdb.DuckDBPyConnection, icp: ResolvedIcp, *, as_of: date | None = None,
                csv_dir: Path | None = None) -> BuildResult:
    """Write leads.<icp> and <data dir>/leads/<icp>.csv for one ICP; idempotent for a given as_of."""
    started = time.perf_counter()
    as_of = as_of or date.today()
    table = leads_table(icp.name)
    prepare(con)
    sql, params = leads_statement(con, icp, as_of, updated_at=datetime.now().replace(microsecond=0))
    db.drop_staging(con, table)
    con.execute(f"CREATE TABLE {quote_ident(db.staging_name(table))} AS {sql}", params)
    db.publish(con, [table])
    frame = pl.from_arrow(con.sql(f"SELECT * FROM {quote_ident(table)} ORDER BY rank").to_arrow_table())
    path = write_csv_atomic(frame, (csv_dir or settings.data_dir() / "leads") / f"{icp.name}.csv")
    tiers = {t: int(frame.filter(pl.col("tier") == t).height) for t in ("hot", "warm", "cold")}
    grouped = counts(con, icp, as_of)
    return BuildResult(icp=icp.name, table=table, rows=frame.height, csv_path=path, tiers=tiers, counts=grouped,
                       seconds=time.perf_counter() - started)
