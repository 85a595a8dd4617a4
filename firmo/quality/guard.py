"""The row-count guard, one rule for the asset checks and for the loads run by hand.

The rule (the annuaire-entreprises guard): a table with fewer rows than FIRMO_QUALITY_MIN_ROW_RATIO
(98 %) of its latest accepted load of another run means something went wrong upstream (a truncated
file, a failed download). The first load passes. Every count is recorded in quality.row_counts,
with whether it passed: a failing load never becomes the baseline (lower the ratio for one run to
accept a genuine drop).

- In Dagster, the `*_row_count` asset checks (`row_count_check`, declared beside each table) run
  `row_count_guard` after a load and stop everything downstream.
- `firmo load` runs the same rule *inside* the loader's build-then-swap (`guarded_loads`, through
  `firmo.db.publish_guard`): once every staging table is complete and before the swap, each table of
  the load's GUARDED list (declared beside each registry, sources/*/quality.py) is counted in staging
  and compared with its baseline; below the ratio the transaction rolls back, the previous tables
  stay exactly as they were, and the error says which tables, how many rows, against what. (Before:
  a truncated ratios file replaced 17,872 rows of inpi.financials with 1,879 and exited 0.)

Both share the baseline, `quality.row_counts`: the latest *accepted* count of the table, recorded
by a check or by an earlier hand load. For a hand load, a table that has no recorded count yet (a
warehouse loaded before the guard existed, or after the demo's row counts were forgotten) is
compared with its live row count; a table that does not exist yet is a first load, which passes.
Every guarded load is recorded (accepted or not) under a run id `firmo-load-<hex>`, so an accepted
hand load is the next baseline of both the checks and the next hand load, and a refused one never
is. To accept a genuine drop, run the load once with a lower ratio
(`FIRMO_QUALITY_MIN_ROW_RATIO=0 firmo load ...`), exactly as for `make run`.
"""

from __future__ import annotations

import contextlib
import math
import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import duckdb

from firmo import db
from firmo.quality.model import Outcome, QualityCheck, QualityResult, ensure_tables, scalar, utc
from firmo.settings import Settings
from firmo.sqlfiles import load_sql, quote_ident

OVERRIDE = "FIRMO_QUALITY_MIN_ROW_RATIO"


def minimum_rows(previous: int, min_ratio: float) -> int:
    """Fewest rows a load may have after a load of `previous` rows (exact decimal: 0.98 x 1,000 = 980)."""
    return math.ceil(Decimal(str(min_ratio)) * previous)


def row_count_check(name: str, asset: str, table: str) -> QualityCheck:
    """The blocking asset check running `row_count_guard` on `table` after `asset` is materialised."""
    return QualityCheck(
        name,
        asset,
        table,
        blocking=True,
        severity="ERROR",
        description=f"{table} holds at least FIRMO_QUALITY_MIN_ROW_RATIO (98 %) of the rows of "
        "the previous accepted load (a truncated file or a failed download).",
    )


def row_count_guard(
    con: duckdb.DuckDBPyConnection,
    table: str,
    *,
    run_id: str,
    min_ratio: float = 0.98,
    name: str | None = None,
    now: datetime | None = None,
) -> QualityResult:
    """Fail when `table` has fewer rows than `min_ratio` of the latest accepted load of another run."""
    ensure_tables(con)
    rows = scalar(con, f"SELECT count(*) FROM {quote_ident(table)}")
    previous = next(
        iter(con.execute(load_sql("quality/previous_row_count"), {"table_name": table, "run_id": run_id}).fetchall()),
        None,
    )
    label = f"rows ≥ {min_ratio:.0%} of the previous accepted load"
    if previous is None:
        passed, observed = True, f"{rows:,} rows; first recorded load"
    else:
        before, before_run, _ = previous
        minimum = minimum_rows(before, min_ratio)
        passed = rows >= minimum
        observed = f"{rows:,} rows; previous accepted load {before:,} (run {before_run[:8]}); minimum {minimum:,}"
    con.execute(
        load_sql("quality/record_row_count"),
        {"table_name": table, "run_id": run_id, "rows": rows, "accepted": passed, "checked_at": utc(now)},
    )
    outcome = Outcome(label, "row_count_guard", None, passed, observed)
    return QualityResult(name or table, table, rows, (outcome,))


def reset_row_counts(con: duckdb.DuckDBPyConnection) -> int:
    """Forget every load's row count: the next load of each table is a first load. For a source
    that is knowingly a different population (the demo regenerated at another size); returns
    the number of counts forgotten."""
    ensure_tables(con)
    return int(con.execute("DELETE FROM quality.row_counts").fetchall()[0][0])


# --------------------------------------------------------------------------- hand loads


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
    """`db.PublishGuard` applying the row-count rule to the `guarded` tables of every publish
    (other tables, such as the reference tables reloaded on the way, are not guarded)."""

    min_ratio: float
    guarded: frozenset[str]
    run_id: str = field(default_factory=lambda: f"firmo-load-{uuid.uuid4().hex[:12]}")
    verdicts: list[Verdict] = field(default_factory=list)

    def __call__(self, con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
        verdicts = []
        for table in tables:
            staging = db.staging_name(table)
            if table not in self.guarded or not db.table_exists(con, staging):
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
        now = utc(None)
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


@contextlib.contextmanager
def guarded_loads(
    con: duckdb.DuckDBPyConnection, guarded: Collection[str], *, min_ratio: float | None = None
) -> Iterator[RowCountGuard]:
    """Every publish of a `guarded` table in the block goes through the row-count guard; a refused
    load is recorded (not accepted) once its transaction has rolled back, then re-raised.
    `min_ratio`: the caller's FIRMO_QUALITY_MIN_ROW_RATIO (settings), default the environment's."""
    if min_ratio is None:
        min_ratio = Settings.from_env().quality_min_row_ratio
    guard = RowCountGuard(min_ratio, frozenset(guarded))
    ensure_tables(con)  # quality.row_counts, before any transaction
    with db.publish_guard(guard):
        try:
            yield guard
        except RowCountRefused as exc:
            guard.record(con, exc.verdicts, accepted=False)
            raise
