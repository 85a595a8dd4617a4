"""The RNE part of the near-real-time poll: `/api/companies/diff` changes not yet applied.

Why a cursor on top of the diff window: `/diff` is day-grained (`from` excluded, `to` included),
so a poll every few minutes asks again for the whole of today, in SIREN order (not by time). The
cursor (`ops.poll_cursors`, source 'rne') keeps the day asked from and, per SIREN of the window,
the latest `updatedAt` applied; an item at or before it is dropped before parsing, so a record
already applied is never applied again. The window
starts the day before the cursor's day, so a record filed late on the cursor's day is still seen
once the date has changed. The cursor moves in the transaction that applies the items
(`apply_rne_updates(also=...)`): the same parsing, checks and quarantine as the nightly diff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import duckdb

from firmo import polls
from sources.inpi.rne_load import apply_rne_updates
from sources.report import LoadReport

SOURCE = "rne"


@dataclass
class RnePoll:
    fetched: int  # diff items received
    applied: int  # items newer than the cursor, handed to the loader
    sirens: list[str] = field(default_factory=list)
    report: LoadReport | None = None


def _stamp(item: dict) -> str:
    """`updatedAt` as a UTC ISO string, so stamps of both French offsets compare as text."""
    raw = _company(item).get("updatedAt")
    if not raw:
        return ""
    try:
        return datetime.fromisoformat(str(raw)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return str(raw)


def _siren(item: dict) -> str:
    return str(_company(item).get("siren") or "")


def _company(item: dict) -> dict:
    company = item.get("company", item)
    return company if isinstance(company, dict) else {}


def poll_rne(con: duckdb.DuckDBPyConnection, client, *, poll_id: str, today: date) -> RnePoll:
    """Fetch the diff since the cursor, apply the new items, move the cursor with them."""
    cursor = polls.read_cursor(con, SOURCE) or {"day": (today - timedelta(days=1)).isoformat(), "applied": {}}
    start = date.fromisoformat(cursor["day"]) - timedelta(days=1)
    items = list(client.iter_diff(start, today))
    applied: dict[str, str] = cursor["applied"]
    new = [i for i in items if _stamp(i) > applied.get(_siren(i), "")]
    sirens = sorted({_siren(i) for i in new if _siren(i)})
    # only the SIRENs of this window are kept: an older one cannot come back in the next window
    window: dict[str, str] = {}
    for item in items:
        siren = _siren(item)
        window[siren] = max(window.get(siren, ""), applied.get(siren, ""), _stamp(item))
    moved = {"day": today.isoformat(), "applied": window}
    also = polls.cursor_statements(poll_id, SOURCE, moved, len(new), sirens)
    if not new:
        con.execute("BEGIN TRANSACTION")
        for statement in also:
            con.execute(*statement)
        con.execute("COMMIT")
        return RnePoll(len(items), 0)
    report = apply_rne_updates(con, new, source=f"rne-poll {poll_id}", today=today, also=also)
    return RnePoll(len(items), len(new), sirens, report)
