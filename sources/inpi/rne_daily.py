"""The nightly RNE refresh: `/api/companies/diff` since the last window, applied to the officers.

Why the dump: every diff window is written as NDJSON under `<raw>/inpi/diff/` before it is
applied, and the monthly full reload (`load_rne`) reads those dumps after the stock zip, so the
changes of the month survive the reload (the latest `updatedAt` per SIREN wins either way).
The windows applied are logged in `inpi.diff_windows`; the next night starts where the last
one ended, so a missed night is caught up and a re-run of the same night asks for nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from sources.inpi.rne_load import apply_rne_updates
from sources.report import LoadReport

log = logging.getLogger(__name__)

WINDOWS_DDL = """
CREATE TABLE IF NOT EXISTS inpi.diff_windows (
    window_from DATE NOT NULL,      -- exclusive, as the API's `from`
    window_to   DATE NOT NULL,      -- inclusive, as the API's `to`
    companies   BIGINT NOT NULL,    -- diff items received
    applied     BIGINT NOT NULL,    -- SIRENs whose officers were replaced
    dump_file   VARCHAR,
    applied_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
)
"""


@dataclass
class RneDaily:
    window: tuple[date, date] | None  # None: nothing to ask (already up to date)
    items: int = 0
    dump: str | None = None
    report: LoadReport | None = None

    @property
    def changed(self) -> bool:
        return bool(self.report and self.report.loaded.get("inpi.companies"))


def next_window(con: duckdb.DuckDBPyConnection, today: date) -> tuple[date, date] | None:
    """(from, to) for tonight: from the end of the last applied window (else yesterday) to today."""
    con.execute(WINDOWS_DDL)
    last = con.execute("SELECT max(window_to) FROM inpi.diff_windows").fetchall()[0][0]
    start = last or today - timedelta(days=1)
    return (start, today) if start < today else None


def write_dump(items: Iterable[dict], path: Path) -> int:
    """NDJSON, one diff item a line, written as `.part` and renamed when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    n = 0
    with part.open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n")
            n += 1
    part.replace(path)
    return n


def dumps(dump_dir: Path) -> list[Path]:
    """The diff dumps kept so far, oldest window first (file names sort by window)."""
    return sorted(dump_dir.glob("rne_diff_*.ndjson")) if dump_dir.is_dir() else []


def refresh_rne(con: duckdb.DuckDBPyConnection, client, *, dump_dir: Path, today: date) -> RneDaily:
    """Fetch the diff window, keep it as a dump, replace the officers of every SIREN it names."""
    window = next_window(con, today)
    if window is None:
        log.info("RNE diff: already applied up to %s", today)
        return RneDaily(None)
    start, end = window
    path = dump_dir / f"rne_diff_{start:%Y%m%d}_{end:%Y%m%d}.ndjson"
    n = write_dump(client.iter_diff(start, end), path)
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    report = apply_rne_updates(con, items, source=f"rne-diff {start}..{end}", today=today)
    con.execute(
        "INSERT INTO inpi.diff_windows (window_from, window_to, companies, applied, dump_file) VALUES (?, ?, ?, ?, ?)",
        [start, end, n, report.loaded.get("inpi.companies", 0), str(path)],
    )
    log.info("RNE diff %s..%s: %d items, %s", start, end, n, report.loaded)
    return RneDaily(window, n, str(path), report)
