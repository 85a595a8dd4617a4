from __future__ import annotations

import datetime as dt

import pytest

from sources.demo.universe import build_universe

AS_OF = dt.date(2026, 11, 1)


@pytest.fixture(scope="session")
def small_universe():
    return build_universe(3000, seed=11, as_of=AS_OF)


@pytest.fixture(scope="session")
def medium_universe():
    """Large enough for share checks (each signal type present, every région drawn)."""
    return build_universe(20000, seed=5, as_of=AS_OF)
