"""Helpers shared by the thin asset modules (fetching a source, metadata tables)."""

from __future__ import annotations

from pathlib import Path

import duckdb
from dagster import Backoff, Jitter, MetadataValue, RetryPolicy

from firmo.metadata import markdown_table
from firmo.sqlfiles import quote_ident

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


def fetch_source(source: str, dest_dir: Path, filename: str | None = None) -> tuple[Path, dict]:
    """Resolve a configured source to a local file (download a URL, read a path in place)."""
    from sources.download import fetch

    result = fetch(source, dest_dir, filename=filename)
    size = result.path.stat().st_size if result.path.exists() else None
    meta = {
        "path": MetadataValue.path(str(result.path)),
        "size_mb": round(size / 1e6, 2) if size is not None else None,
        "changed": result.changed,
        "source": getattr(result, "source", source),
    }
    for attr in ("etag", "last_modified", "bytes_downloaded", "resumed"):
        value = getattr(result, attr, None)
        if value is not None:
            meta[attr] = value
    return result.path, meta


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
