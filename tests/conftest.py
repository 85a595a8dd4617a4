"""Shared fixtures. The real registry extracts the tests read are shipped in tests/fixtures
(origin of each in tests/fixtures/SOURCES.md), so a fresh clone with nothing beside it runs the
whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = REPO_ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """tests/fixtures: real extracts by registry (sirene/, inpi/, bodacc/)."""
    return SAMPLES_DIR


@pytest.fixture()
def data_env(tmp_path, monkeypatch) -> Path:
    """Point every firmo path (data dir, DuckDB file) at a fresh temporary folder."""
    monkeypatch.setenv("FIRMO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("FIRMO_DB", raising=False)
    monkeypatch.delenv("FIRMO_DEMO_DIR", raising=False)
    return tmp_path / "data"
