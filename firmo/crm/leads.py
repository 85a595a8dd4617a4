"""Which lead table an export reads: `leads.<icp>_enriched` once the waterfall has run for that
ICP, else `leads.<icp>` itself (contacts then have no email or phone, and the export says so)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import duckdb
import polars as pl

from firmo import db
from firmo.db import tables_in_schema
from firmo.icp.leads import CONTACT_COLUMNS

ENRICHED_SUFFIX = "_enriched"


def icp_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """ICPs that have a lead list (`leads.<icp>`), enriched or not."""
    names = {t.split(".", 1)[1] for t in tables_in_schema(con, "leads")}
    return sorted(n for n in names if not n.endswith(ENRICHED_SUFFIX))


def source_table(con: duckdb.DuckDBPyConnection, icp: str) -> str:
    enriched = f"leads.{icp}{ENRICHED_SUFFIX}"
    if db.table_exists(con, enriched):
        return enriched
    plain = f"leads.{icp}"
    if not db.table_exists(con, plain):
        raise LookupError(f"no lead list for ICP {icp!r}: build it first (firmo icp build icps/{icp}.yaml)")
    return plain


def with_contact_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with every contact column present (NULL where the lead list was not enriched)."""
    missing = [pl.lit(None, dtype=pl.String).alias(c) for c in CONTACT_COLUMNS if c not in frame.columns]
    return frame.with_columns(missing) if missing else frame


def lead_frame(con: duckdb.DuckDBPyConnection, icps: Sequence[str]) -> pl.DataFrame:
    """The leads of `icps`, one frame, with every contact column present (NULL when not enriched)."""
    frames = []
    for icp in icps:
        arrow = con.sql(f"SELECT * FROM {source_table(con, icp)} ORDER BY rank").to_arrow_table()
        frames.append(with_contact_columns(cast(pl.DataFrame, pl.from_arrow(arrow))))  # a table: never a Series
    if not frames:
        return pl.DataFrame()
    return pl.concat(frames, how="diagonal_relaxed")
