from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from firmo import db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def con():
    connection = duckdb.connect()
    db.ensure_schemas(connection)
    yield connection
    connection.close()
