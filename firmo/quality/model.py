"""What a data-quality check is and what it gives: the declarations the rule modules beside each
table write (`QualityCheck`, `Rule`), the bounds they read (`Thresholds`), and the results the
engine, the row-count guard and the gate pass around (`QualityResult`, `Outcome`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from firmo.metadata import markdown_table
from firmo.settings import Settings
from firmo.sqlfiles import load_sql, quote_ident


@dataclass(frozen=True)
class Thresholds:
    """The configurable bounds, each with its environment variable (see README "Data quality");
    firmo.settings reads and checks them, `from_settings` turns them into this."""

    min_row_ratio: float = 0.98  # FIRMO_QUALITY_MIN_ROW_RATIO: rows / previous accepted load
    max_hot_share: float = 0.5  # FIRMO_QUALITY_MAX_HOT_SHARE: share of a lead list tiered hot
    min_tiers: int = 2  # FIRMO_QUALITY_MIN_TIERS: distinct tiers in a lead list
    tier_min_leads: int = 20  # FIRMO_QUALITY_TIER_MIN_LEADS: smaller lists skip the two above
    naf_known_share: float = 0.95  # FIRMO_QUALITY_NAF_KNOWN_SHARE: NAF rév. 2 codes found in ref.naf_codes
    examples: int = 5  # FIRMO_QUALITY_EXAMPLES: failing examples kept per expectation

    @classmethod
    def from_settings(cls, settings: Settings) -> Thresholds:
        """The bounds of `settings` (validated there: a bad FIRMO_QUALITY_* is one SettingsError line)."""
        return cls(**settings.quality_bounds())


@dataclass(frozen=True)
class Rule:
    """One expectation of a table's suite, tagged with the check (`QualityCheck.name`) it belongs to.

    `computed` maps a column the expectation tests to the SQL expression computing it;
    `example` is the column whose values are reported for failing rows (the SIREN for a checksum
    flag), `key` the row identifier shown beside them, `mask` hides personal data. A rule
    without an expectation is a note shown with the results (a rule left out, and why)."""

    check: str
    label: str
    expectation: Any = None  # a great_expectations.expectations.Expectation
    computed: Mapping[str, str] = field(default_factory=dict)
    example: str | None = None
    key: str | None = None
    mask: Callable[[str], str] | None = None

    @property
    def column(self) -> str | None:
        return getattr(self.expectation, "column", None)

    @property
    def shown(self) -> str | None:
        return self.example or self.column


# A suite: (connection, bounds, table) -> the rules of every check on that table.
Suite = Callable[[duckdb.DuckDBPyConnection, Thresholds, str], list[Rule]]


@dataclass(frozen=True)
class QualityCheck:
    """One Dagster asset check. `suite=None` is the row-count guard. `table` may hold `{icp}`
    (per-ICP assets, checked on the partition being materialised); `where` filters the table
    (bound parameter `$icp`); `optional`: a missing table passes (nothing exported yet)."""

    name: str
    asset: str
    table: str
    blocking: bool
    severity: str
    description: str
    suite: Suite | None = None
    where: str | None = None
    optional: bool = False

    @property
    def per_icp(self) -> bool:
        return "{icp}" in self.table or "$icp" in (self.where or "")

    def table_for(self, icp: str | None) -> str:
        if self.per_icp and not icp:
            raise ValueError(f"check {self.name} runs per ICP: give the ICP")
        table = self.table.format(icp=icp) if "{icp}" in self.table else self.table
        quote_ident(table)  # an ICP name is a plain identifier, or nothing is queried
        return table


@dataclass(frozen=True)
class Outcome:
    """One expectation's result. `examples` are failing values (masked when personal)."""

    label: str
    expectation: str
    column: str | None
    success: bool
    observed: str
    unexpected: int | None = None
    examples: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "expectation": self.expectation,
            "column": self.column,
            "success": self.success,
            "observed": self.observed,
            "unexpected": self.unexpected,
            "examples": list(self.examples),
        }


@dataclass(frozen=True)
class QualityResult:
    name: str
    table: str
    rows: int
    outcomes: tuple[Outcome, ...]
    notes: tuple[str, ...] = ()

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def summary(self) -> str:
        n = len(self.outcomes)
        if self.success:
            return f"{self.name}: {n} expectation{'s' * (n != 1)} on {self.rows:,} rows of {self.table}: all passed"
        faults = "; ".join(
            f"{o.label}: {o.observed}" + (f" (e.g. {', '.join(o.examples)})" if o.examples else "") for o in self.failed
        )
        return f"{self.name}: {len(self.failed)} of {n} expectations failed on {self.table}: {faults}"

    def markdown(self) -> str:
        """The expectations as a table: result, observed value, failing examples."""
        rows = [
            (
                o.label,
                f"`{o.expectation}`",
                o.column or "",
                "✅ passed" if o.success else "❌ failed",
                o.observed,
                ", ".join(o.examples),
            )
            for o in self.outcomes
        ]
        headers = ["expectation", "Great Expectations", "column", "result", "observed", "failing examples"]
        table = markdown_table(headers, rows)
        return "\n\n".join([table, *(f"_{note}_" for note in self.notes)])

    def examples_markdown(self) -> str:
        lines = [f"- **{o.label}**: " + (", ".join(f"`{e}`" for e in o.examples) or o.observed) for o in self.failed]
        return "\n".join(lines) or "none: every expectation passed"


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """quality.check_results and quality.row_counts (idempotent)."""
    con.execute(load_sql("quality/create_tables"))


def utc(now: datetime | None) -> datetime:
    """`now` (default: the current time) as naive UTC, like every timestamp the warehouse stores."""
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None) -> Any:
    # every row fetched: DuckDB 2 refuses `con.sql` while an execute() result is left unfinished
    [(value,)] = con.execute(sql, dict(params or {})).fetchall()
    return value
