"""The BODACC part of the near-real-time poll: the Opendatasoft export since the cursor.

The cursor (`ops.poll_cursors`, source 'bodacc') is the (publication day, notice id) of the last
notice applied (before the first poll: the last one the nightly loads brought); the export is asked, server-side, for the notices after it only
(`ods_export.poll_url`), so a notice is fetched once. The answer is kept as a file under the raw
directory and loaded by `load_bodacc`, the nightly path (parsing, corrections, quarantine), with
the cursor and the touched SIRENs in its publish transaction. Assumption (the export does not
document its order): a notice of an already-polled day comes with an id above those seen that day;
one that did not would wait for the nightly reload of its day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import httpx

from firmo import db, polls
from sources.bodacc.load import load_bodacc
from sources.bodacc.ods_export import BASE, poll_url
from sources.report import LoadReport

SOURCE = "bodacc"


@dataclass
class BodaccPoll:
    fetched: int
    sirens: list[str] = field(default_factory=list)
    report: LoadReport | None = None
    file: str | None = None


def _start(con: duckdb.DuckDBPyConnection, today: date) -> dict[str, str]:
    """The first poll starts after the last notice the nightly loads brought (else today)."""
    if not db.table_exists(con, "bodacc.notices"):
        return {"day": today.isoformat(), "id": ""}
    rows = con.execute(
        "SELECT publication_date, max(id) FROM bodacc.notices "
        "WHERE publication_date = (SELECT max(publication_date) FROM bodacc.notices) GROUP BY 1"
    ).fetchall()
    return {"day": rows[0][0].isoformat(), "id": rows[0][1]} if rows else {"day": today.isoformat(), "id": ""}


def poll_bodacc(
    con: duckdb.DuckDBPyConnection,
    http: httpx.Client,
    *,
    poll_id: str,
    workdir: Path,
    today: date,
    base: str = BASE,
) -> BodaccPoll:
    """Fetch the notices after the cursor, load them, move the cursor in the same transaction."""
    cursor = polls.read_cursor(con, SOURCE) or _start(con, today)
    response = http.get(poll_url(date.fromisoformat(cursor["day"]), cursor["id"], base=base))
    response.raise_for_status()
    records = response.json() or []
    if not records:
        return BodaccPoll(0)
    last = max(records, key=lambda r: (str(r.get("dateparution") or ""), str(r.get("id") or "")))
    moved = {"day": str(last["dateparution"])[:10], "id": str(last["id"])}
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"bodacc_poll_{poll_id}.json"
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    part.replace(path)
    also = [
        *polls.cursor_statements(poll_id, SOURCE, moved, len(records)),
        (
            "INSERT INTO ops.poll_touched (poll_id, siren, source) SELECT DISTINCT ?, s, ? "
            "FROM (SELECT unnest(sirens) AS s FROM bodacc.notices__staging WHERE source_file = ?) WHERE s IS NOT NULL",
            [poll_id, SOURCE, str(path)],
        ),
    ]
    report = load_bodacc(con, [path], workers=1, also=also)
    sirens = [
        r[0]
        for r in con.execute(
            "SELECT siren FROM ops.poll_touched WHERE poll_id = ? AND source = ? ORDER BY siren", [poll_id, SOURCE]
        ).fetchall()
    ]
    return BodaccPoll(len(records), sirens, report, str(path))
