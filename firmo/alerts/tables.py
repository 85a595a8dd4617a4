"""The `alerts` schema (firmo/sql/alerts/create_tables.sql): watchlist, lead state, events, outbox."""

from __future__ import annotations

import duckdb

from firmo.sqlfiles import load_sql


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(load_sql("alerts/create_tables"))
