"""The reference tables as the SIRENE load sees them: ref.* in DuckDB with the SIRENE macros, so
the place rules are checked where they run (firmo_departement in firmo/sql/sirene/macros.sql, the
départements join of core.companies)."""

from __future__ import annotations

import duckdb
import pytest

from firmo.reference import load_reference
from firmo.sqlfiles import load_sql


@pytest.fixture(scope="module")
def places_db():
    con = duckdb.connect()
    load_reference(con)
    con.execute(load_sql("sirene/macros"))
    yield con
    con.close()

