"""Where things live. Every path can be moved with an environment variable so that the same
code runs the offline demo, the tests (tmp dirs) and production (a data volume)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = Path(__file__).resolve().parent / "sql"  # package data: found in a wheel too
REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


def data_dir() -> Path:
    """Root of everything the pipeline writes (DuckDB file, downloads, exports)."""
    return Path(os.environ.get("FIRMO_DATA_DIR", REPO_ROOT / "data")).resolve()


def db_path() -> Path:
    """The DuckDB warehouse file (`FIRMO_DB`, default `<data dir>/firmo.duckdb`)."""
    explicit = os.environ.get("FIRMO_DB")
    return Path(explicit).resolve() if explicit else data_dir() / "firmo.duckdb"


def raw_dir() -> Path:
    """Downloaded or generated registry files, one sub-folder per registry."""
    return data_dir() / "raw"


def exports_dir() -> Path:
    """CRM import files, `<exports dir>/<icp>/<crm>/...` (`FIRMO_EXPORTS_DIR`)."""
    return Path(os.environ.get("FIRMO_EXPORTS_DIR", data_dir() / "exports")).resolve()


def demo_dir() -> Path:
    """The generated demo dataset (`make run` creates it when absent)."""
    return Path(os.environ.get("FIRMO_DEMO_DIR", data_dir() / "demo")).resolve()


def duckdb_memory_limit() -> str:
    """DuckDB spills to disk past this; keeps a laptop usable during a full load."""
    return os.environ.get("FIRMO_DUCKDB_MEMORY", "4GB")


def duckdb_threads() -> int | None:
    value = os.environ.get("FIRMO_DUCKDB_THREADS")
    return int(value) if value else None
