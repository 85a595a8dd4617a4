"""The API Sirene part of the near-real-time poll: units and establishments processed since the cursor.

The cursor (`ops.poll_cursors`, source 'sirene') keeps, per kind, the latest
`dateDernierTraitement…` applied and the keys (SIREN / SIRET) applied at that very second: the
API is asked `[ts TO *]` (inclusive, sirene.md §API), and what it sends again for that second is
dropped before loading, so nothing applied is applied twice. The first poll starts from the
warehouse's own watermark (the stock or the last nightly delta, `delta.watermark`). The records
go through `apply_sirene_delta`, the nightly path (stock-layout CSV, typed scan, checks,
quarantine), with the cursor and the touched SIRENs in its publish transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from firmo import polls
from sources.sirene.delta import SireneDelta, apply_sirene_delta, watermark
from sources.sirene.ingest import KEYS, PROCESSED_AT, TABLES

SOURCE = "sirene"


@dataclass
class SirenePoll:
    fetched: dict[str, int] = field(default_factory=dict)
    applied: dict[str, int] = field(default_factory=dict)
    sirens: list[str] = field(default_factory=list)
    report: SireneDelta | None = None


def _second(record: Mapping[str, str | None], kind: str) -> str:
    """`dateDernierTraitement…` to the second (the API adds `.000`, the stock does not)."""
    return str(record.get(PROCESSED_AT[kind]) or "")[:19]


def _start(con: duckdb.DuckDBPyConnection) -> dict:
    cursor = polls.read_cursor(con, SOURCE)
    if cursor:
        return cursor
    start = {}
    for kind in TABLES:
        mark = watermark(con, kind)
        if mark is None:
            raise RuntimeError("load the monthly SIRENE stock before polling API Sirene")
        start[kind] = {"ts": mark.strftime("%Y-%m-%dT%H:%M:%S"), "keys": []}
    return start


def poll_sirene(con: duckdb.DuckDBPyConnection, client, *, poll_id: str, workdir: Path) -> SirenePoll:
    cursor = _start(con)
    out = SirenePoll()
    records: dict[str, list] = {}
    moved: dict[str, dict] = {}
    for kind, fetch in (
        ("unites_legales", client.iter_unites_legales_since),
        ("etablissements", client.iter_etablissements_since),
    ):
        ts, keys = cursor[kind]["ts"], set(cursor[kind]["keys"])
        key = KEYS[kind][0]
        fetched = list(fetch(datetime.fromisoformat(ts)))
        new = [r for r in fetched if _second(r, kind) > ts or (_second(r, kind) == ts and str(r.get(key)) not in keys)]
        latest = max([ts, *(_second(r, kind) for r in new)])
        at_latest = {str(r.get(key)) for r in new if _second(r, kind) == latest}
        moved[kind] = {"ts": latest, "keys": sorted(at_latest | (keys if latest == ts else set()))}
        out.fetched[kind], out.applied[kind] = len(fetched), len(new)
        records[kind] = new
    out.sirens = sorted({str(r.get("siren")) for rs in records.values() for r in rs if r.get("siren")})
    also = polls.cursor_statements(poll_id, SOURCE, moved, sum(out.applied.values()), out.sirens)
    if not any(records.values()):
        return out
    out.report = apply_sirene_delta(
        con,
        unites_legales=records["unites_legales"],
        etablissements=records["etablissements"],
        workdir=workdir,
        label=f"API Sirene poll {poll_id}",
        also=also,
    )
    return out
