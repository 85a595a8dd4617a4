"""Shared fixtures. Real registry extracts live in ../shared/samples beside the checkout (CI
clones the project next to it); they are read in place and never copied into the project."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = REPO_ROOT.parent / "shared" / "samples"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    if not SAMPLES_DIR.is_dir():
        pytest.fail(f"real registry samples not found at {SAMPLES_DIR} (CI puts ../shared beside the checkout)")
    return SAMPLES_DIR


@pytest.fixture()
def data_env(tmp_path, monkeypatch) -> Path:
    """Point every firmo path (data dir, DuckDB file) at a fresh temporary folder."""
    monkeypatch.setenv("FIRMO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("FIRMO_DB", raising=False)
    monkeypatch.delenv("FIRMO_DEMO_DIR", raising=False)
    return tmp_path / "data"
