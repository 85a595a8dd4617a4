"""The row-count guard of `firmo load`: a hand load that would shrink a registry table refuses to publish.

In Dagster, the row-count asset checks (`firmo.quality`, `*_row_count`) run after a load and stop
everything downstream. A load run by hand had no such guard: a truncated ratios file replaced
17,872 rows of inpi.financials with 1,879, a 200-row SIRENE file replaced 20,000 units, and both
exited 0. Here the same rule runs *inside* the loader's build-then-swap (`firmo.db.publish_guard`):
once every staging table is complete and before the swap, each registry table the load publishes
is counted in staging and compared with its baseline; below `FIRMO_QUALITY_MIN_ROW_RATIO` (98 %)
of it, the transaction rolls back, the previous tables stay exactly as they were, and the error
says which tables, how many rows, against what.

The baseline is the one the asset checks use, `quality.row_counts`: the latest *accepted* count
of the table, recorded by a check or by an earlier hand load. A table that has no recorded count
yet (a warehouse loaded before the guard existed, or after the demo's row counts were forgotten)
is compared with its live row count; a table that does not exist yet is a first load, which passes.
Every guarded load is recorded (accepted or not) under a run id `firmo-load-<hex>`, so an
accepted hand load is the next baseline of both the checks and the next hand load, and a
refused one never is. To accept a genuine drop, run the load once with a lower ratio
(`FIRMO_QUALITY_MIN_ROW_RATIO=0 firmo load ...`), exactly as for `make run`.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb

from firmo import db
from firmo.sqlfiles import load_sql

# The registry tables `firmo load` publishes (reference tables reloaded on the way are not guarded).
GUARDED = frozenset(
    {
        "sirene.unites_legales",
        "sirene.etablissements",
        "core.companies",
        "inpi.officers",
        "inpi.companies",
        "inpi.financials",
        "core.latest_financials",
        "bodacc.notices",
    }
)
OVERRIDE = "FIRMO_QUALITY_MIN_ROW_RATIO"


@dataclass(frozen=True)
class Verdict:
    """One table of one load: the rows it would publish against its baseline."""

    table: str
    rows: int
    previous: int | None  # None: first load
    baseline: str  # where `previous` comes from, in words
    minimum: int
    passed: bool

    def line(self) -> str:
        if self.previous is None:
            return f"{self.table}: {self.rows:,} rows, first load"
        verb = "ok" if self.passed else "REFUSED"
        return (
            f"{self.table}: {self.rows:,} rows, {verb} (minimum {self.minimum:,}, {self.previous:,} in {self.baseline})"
        )


class LoadRefused(RuntimeError):
    """A hand load the row-count guard refused (or could not judge); nothing was published."""


class RowCountRefused(LoadRefused):
    def __init__(self, verdicts: list[Verdict], min_ratio: float):
        self.verdicts = verdicts
        refused = "; ".join(
            f"{v.table} would have {v.rows:,} rows, below {v.minimum:,} ({min_ratio:.0%} of {v.previous:,} in "
            f"{v.baseline})"
            for v in verdicts
            if not v.passed
        )
        super().__init__(
            f"load refused by the row-count guard, nothing published (the previous tables are "
            f"unchanged): {refused}. A truncated or partial file? If the drop is genuine, load it "
            f"again with {OVERRIDE}=0 (or the share of rows to accept)."
        )


@dataclass
class RowCountGuard:
    """`db.PublishGuard` applying the row-count rule to the GUARDED tables of every publish."""

    min_ratio: float
    run_id: str = field(default_factory=lambda: f"firmo-load-{uuid.uuid4().hex[:12]}")
    verdicts: list[Verdict] = field(default_factory=list)

    def __call__(self, con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
        from firmo.quality import minimum_rows

        verdicts = []
        for table in tables:
            staging = db.staging_name(table)
            if table not in GUARDED or not db.table_exists(con, staging):
                continue
            rows = db.row_count(con, staging)
            previous, baseline = self._baseline(con, table)
            minimum = 0 if previous is None else minimum_rows(previous, self.min_ratio)
            verdicts.append(Verdict(table, rows, previous, baseline, minimum, rows >= minimum))
        self.verdicts += verdicts
        if not all(v.passed for v in verdicts):
            raise RowCountRefused(verdicts, self.min_ratio)
        self.record(con, verdicts)  # in the swap's transaction: the counts commit with the tables

    def _baseline(self, con: duckdb.DuckDBPyConnection, table: str) -> tuple[int | None, str]:
        row = con.execute(
            load_sql("quality/previous_row_count"), {"table_name": table, "run_id": self.run_id}
        ).fetchall()
        if row:
            rows, run_id, at = row[0]
            return int(rows), f"the previous accepted load, run {run_id[:23]} of {at:%Y-%m-%d %H:%M} UTC"
        if db.table_exists(con, table):
            return db.row_count(con, table), "the live table, no accepted load recorded yet"
        return None, "nothing: first load"

    def record(self, con: duckdb.DuckDBPyConnection, verdicts: list[Verdict], *, accepted: bool = True) -> None:
        now = datetime.now(UTC).replace(tzinfo=None)
        for v in verdicts:
            con.execute(
                load_sql("quality/record_row_count"),
                {
                    "table_name": v.table,
                    "run_id": self.run_id,
                    "rows": v.rows,
                    "accepted": accepted and v.passed,
                    "checked_at": now,
                },
            )


def min_ratio_from_env(env: Mapping[str, str] | None = None) -> float:
    """FIRMO_QUALITY_MIN_ROW_RATIO as the asset checks read it (`quality.Thresholds`), or LoadRefused."""
    from firmo.quality import Thresholds

    try:
        return Thresholds.from_env(env).min_row_ratio
    except ValueError as exc:
        raise LoadRefused(f"{exc}; nothing loaded") from None


@contextlib.contextmanager
def guarded_loads(con: duckdb.DuckDBPyConnection, *, min_ratio: float | None = None) -> Iterator[RowCountGuard]:
    """Every publish of a GUARDED table in the block goes through the row-count guard; a refused
    load is recorded (not accepted) once its transaction has rolled back, then re-raised."""
    from firmo.quality import ensure_tables

    guard = RowCountGuard(min_ratio_from_env() if min_ratio is None else min_ratio)
    ensure_tables(con)  # quality.row_counts, before any transaction
    with db.publish_guard(guard):
        try:
            yield guard
        except RowCountRefused as exc:
            guard.record(con, exc.verdicts, accepted=False)
            raise
