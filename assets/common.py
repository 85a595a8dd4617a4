"""Helpers shared by the thin asset modules (fetching a source, metadata tables).

The raw-file assets all fetch a configured source and show the same file facts, and the table
assets all show a `LoadReport`'s counts and rejects the same way: written once here, so the UI
reads alike across sources and an asset keeps only what is its own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Backoff,
    Jitter,
    MetadataValue,
    RetryPolicy,
    asset,
    multi_asset,
)

from firmo.metadata import markdown_table
from firmo.sqlfiles import quote_ident
from sources.report import LoadReport

# Network steps (downloads, registry APIs) are retried by Dagster on top of the HTTP-level
# retries: a step that failed after those (an outage of minutes) is tried again later.
NETWORK_RETRY = RetryPolicy(max_retries=3, delay=120, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS)

# The Dagster concurrency pool of every step that opens the warehouse (assets and checks): DuckDB
# takes one writer per file, and a second process waits for the lock only ~100 s (dagster-duckdb's
# connect backoff) before failing. dagster.yaml limits this pool to 1 slot, so sibling writers of
# a multiprocess run (the SIRENE, RNE and ratios loads of `registry_loads`) and writers of
# concurrent runs queue in Dagster instead; steps that only fetch files still run in parallel.
# tests/pipelines/test_pool.py fails on a warehouse user without it.
WAREHOUSE_POOL = "duckdb_write"

# The group of the open-data sources (DECP, labels, IDCC, geolocation, jobs) and who answers for
# every registry and open-data asset.
OPEN_DATA = "open_data"
OWNERS = ["team:data-engineering"]

CoercibleKey = AssetKey | str | Sequence[str]


def raw_file_asset(key: CoercibleKey, *, group: str = OPEN_DATA, **kwargs: Any) -> Any:
    """The decorator of a raw-file asset: a file, owned by the data team, retried as a network step
    (its body ends with `fetched_file` or `recorded_file`)."""
    return asset(key=key, group_name=group, kinds={"file"}, owners=OWNERS, retry_policy=NETWORK_RETRY, **kwargs)


def table_asset(key: CoercibleKey, *, group: str = OPEN_DATA, **kwargs: Any) -> Any:
    """The decorator of a one-table asset: a warehouse table, owned by the data team, written in the
    warehouse pool."""
    return asset(key=key, group_name=group, kinds={"duckdb"}, owners=OWNERS, pool=WAREHOUSE_POOL, **kwargs)


def table_assets(*, specs: Sequence[AssetSpec], **kwargs: Any) -> Any:
    """The decorator of a load that publishes several tables in one transaction (a multi-asset of
    `table_spec`s), written in the warehouse pool."""
    return multi_asset(specs=list(specs), pool=WAREHOUSE_POOL, **kwargs)


def table_spec(
    key: CoercibleKey, *, deps: Sequence[CoercibleKey], description: str, group: str = OPEN_DATA, **kwargs: Any
) -> AssetSpec:
    """One warehouse table of a load's multi-asset (the load publishes its tables together)."""
    return AssetSpec(
        key, group_name=group, kinds={"duckdb"}, deps=deps, owners=OWNERS, description=description, **kwargs
    )


def fetch_source(source: str, dest_dir: Path, filename: str | None = None) -> tuple[Path, dict]:
    """Resolve a configured source to a local file (download a URL, read a path in place)."""
    from sources.download import fetch

    result = fetch(source, dest_dir, filename=filename)
    meta = {
        **file_metadata(result.path),
        "changed": result.changed,
        "source": getattr(result, "source", source),
    }
    for attr in ("etag", "last_modified", "bytes_downloaded", "resumed"):
        value = getattr(result, attr, None)
        if value is not None:
            meta[attr] = value
    return result.path, meta


def fetched_file(context: AssetExecutionContext, source: str, dest_dir: Path, filename: str | None = None) -> str:
    """The body of a raw-file asset: fetch the source, record its file metadata, return the path."""
    path, meta = fetch_source(source, dest_dir, filename=filename)
    context.add_output_metadata(meta)
    return str(path)


def recorded_file(context: AssetExecutionContext, path: Path) -> str:
    """The end of a raw-file asset whose source has a fetcher of its own: record the file's facts,
    return its path."""
    context.add_output_metadata(file_metadata(path))
    return str(path)


def file_metadata(path: Path) -> dict[str, Any]:
    """Where a fetched file is and how big (size None when the source left no file)."""
    size = path.stat().st_size if path.exists() else None
    return {"path": MetadataValue.path(str(path)), "size_mb": round(size / 1e6, 2) if size is not None else None}


def rejects_table(rejects_by_reason: Mapping[str, int]) -> MetadataValue:
    """The quarantined rows by reason, most frequent first, as a markdown table."""
    rows = sorted(rejects_by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
    return MetadataValue.md(markdown_table(["reason", "rows"], rows) if rows else "no rejects")


def report_counts(report: LoadReport, table: str) -> dict[str, Any]:
    """A `sources.report.LoadReport`'s rows loaded and rejected for one table of the load."""
    return {"dagster/row_count": report.loaded.get(table, 0), "rows_rejected": report.rejected.get(table, 0)}


def report_metadata(report: LoadReport, table: str) -> dict[str, Any]:
    """A `sources.report.LoadReport`'s figures for the table an asset materializes: rows loaded,
    rows rejected, and the load's rejects by reason."""
    return {**report_counts(report, table), "rejects_by_reason": rejects_table(report.rejects_by_reason)}


def require(value, variable: str, what: str):
    """A configured source, or a clear error naming the variable to set."""
    if not value:
        raise ValueError(
            f"no source configured for {what}: set {variable} (a path or URL), "
            "or run the demo (FIRMO_SOURCES=demo, `make run`)"
        )
    return value


def preview(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], limit: int = 5) -> MetadataValue:
    """The first rows of a table as a markdown table (for a glance in the UI)."""
    cols = ", ".join(quote_ident(c) for c in columns)
    rows = con.execute(f"SELECT {cols} FROM {quote_ident(table)} LIMIT ?", [limit]).fetchall()
    return MetadataValue.md(markdown_table(columns, rows))
