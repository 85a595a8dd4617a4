"""Cursors and touched SIRENs of the near-real-time registry poll (`ops.poll_cursors`, `ops.poll_touched`).

Why a table and not the sensor's cursor: the cursor must move in the very transaction that
applies the rows it covers (each loader's `also=` statements), or a crash between the two would
either apply a record twice or skip it. Each source keeps its own JSON shape
(sources/inpi/poll.py, sources/bodacc/poll.py, sources/sirene/poll.py); this module only stores it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import duckdb

from firmo.sqlfiles import load_sql

Statement = tuple[str, list[Any]]


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    for statement in load_sql("ops/poll_tables").split(";"):
        if statement.strip() and not all(line.strip().startswith("--") for line in statement.strip().splitlines()):
            con.execute(statement)


def read_cursor(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, Any] | None:
    """The source's cursor as the last committed poll left it; None before the first poll."""
    ensure_tables(con)
    rows = con.execute("SELECT cursor FROM ops.poll_cursors WHERE source = ?", [source]).fetchall()
    return json.loads(rows[0][0]) if rows else None


def cursor_statements(
    poll_id: str, source: str, cursor: dict[str, Any], records: int, sirens: Iterable[str] = ()
) -> list[Statement]:
    """Statements moving the cursor and recording the touched SIRENs, for a loader's `also=`."""
    touched = sorted({s for s in sirens if s})
    statements: list[Statement] = [
        (
            "INSERT OR REPLACE INTO ops.poll_cursors (source, cursor, poll_id, records, updated_at) "
            "VALUES (?, ?, ?, ?, current_timestamp)",
            [source, json.dumps(cursor, sort_keys=True), poll_id, records],
        )
    ]
    if touched:
        statements.append(
            (
                "INSERT INTO ops.poll_touched (poll_id, siren, source) SELECT ?, unnest(?::VARCHAR[]), ?",
                [poll_id, touched, source],
            )
        )
    return statements


def touched(con: duckdb.DuckDBPyConnection, poll_id: str) -> list[str]:
    """The SIRENs a poll changed, whatever the source, in order."""
    ensure_tables(con)
    rows = con.execute(
        "SELECT DISTINCT siren FROM ops.poll_touched WHERE poll_id = ? ORDER BY siren", [poll_id]
    ).fetchall()
    return [r[0] for r in rows]
