"""The engine: runs a table's rules with Great Expectations and records the result.

- a suite (declared beside its table) lists its rules: a GE expectation, the SQL expressions of
  any computed column it tests, and which column to show as a failing example;
- `validate` fetches from DuckDB only the columns those rules read (memory grows with the columns
  checked, not the table width), runs them as GE `ExpectationSuite`s (one per tested column) on
  pandas batches of an ephemeral GE context, and returns a `QualityResult` (per expectation:
  success, observed value, failing examples);
- `run_check` does that, or the row-count guard (firmo.quality.guard), for one `QualityCheck` and
  appends the result to `quality.check_results`, which the export gate (firmo.quality.gate) reads.

Contact values (emails, phones) are personal data: their failing examples are masked and shown
with the company's SIREN, so neither the Dagster event log nor quality.check_results keeps them.
Great Expectations is imported on first use only (it takes seconds), never at definition time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import duckdb

from firmo import db, identifiers
from firmo.quality.guard import row_count_guard
from firmo.quality.model import (
    Outcome,
    QualityCheck,
    QualityResult,
    Rule,
    Thresholds,
    ensure_tables,
    scalar,
    utc,
)
from firmo.settings import Settings
from firmo.sqlfiles import load_sql, quote_ident


def _plain(value: Any) -> Any:
    """numpy / pandas scalars -> Python; NaN, NA and NaT -> None."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def _show(value: Any, mask: Callable[[str], str] | None) -> str:
    value = _plain(value)
    if value is None:
        return "NULL"
    text = str(value)
    return mask(text) if mask else text


def _outcome(rule: Rule, result: Any, frame: Any, limit: int) -> Outcome:
    config = result.expectation_config
    info = result.exception_info or {}
    errors = [v.get("exception_message") for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
    if info.get("raised_exception"):
        errors.append(info.get("exception_message"))
    if errors:
        return Outcome(rule.label, config.type, rule.column, False, f"error: {errors[0]}")
    res = result.result or {}
    if "unexpected_count" in res:
        total, bad = res.get("element_count") or 0, res["unexpected_count"] or 0
        observed = f"{bad:,} of {total:,} rows" + (f" ({bad / total:.1%})" if total else "")
        examples: list[str] = []
        for index in res.get("partial_unexpected_index_list") or []:  # labels of the first failing rows
            text = _show(frame.at[index, rule.shown], rule.mask)
            if rule.key and rule.key != rule.shown:
                text = f"{text} ({rule.key} {_show(frame.at[index, rule.key], None)})"
            if text not in examples:
                examples.append(text)
        return Outcome(
            rule.label, config.type, rule.column, bool(result.success), observed, bad, tuple(sorted(examples)[:limit])
        )
    observed_value = _plain(res.get("observed_value"))
    if isinstance(observed_value, float):
        observed_value = round(observed_value, 4)
    return Outcome(rule.label, config.type, rule.column, bool(result.success), f"observed {observed_value}")


def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )
    from great_expectations.execution_engine import pandas_execution_engine

    # GE fingerprints every pandas batch under 1 GB by hashing each row (strings turned into
    # Python objects: ~300 bytes a row and seconds per million rows); the fingerprint is only a
    # batch marker, which nothing here reads. 0 turns it off.
    pandas_execution_engine.HASH_THRESHOLD = 0

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def validate(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rules: Sequence[Rule],
    *,
    name: str | None = None,
    where: str | None = None,
    params: Mapping[str, Any] | None = None,
    examples: int = 5,
) -> QualityResult:
    """Run `rules` on `table` with Great Expectations and report every expectation, in order.

    Only the columns the rules read (plain or computed) are fetched; `where` (bound `params`)
    narrows the rows."""
    import great_expectations as gx
    import pandas as pd

    name = name or table
    notes = tuple(r.label for r in rules if r.expectation is None)
    rules = [r for r in rules if r.expectation is not None]
    if not rules:
        rows = scalar(
            con, f"SELECT count(*) FROM {quote_ident(table)} AS t" + (f" WHERE {where}" if where else ""), params
        )
        return QualityResult(name, table, rows, (), notes)
    columns: dict[str, str] = {}
    for rule in rules:
        columns.update(rule.computed)
    for rule in rules:
        for col in (rule.column, rule.example, rule.key):
            if col and col not in columns:
                columns[col] = quote_ident(col)
    select = ", ".join(f"{expr} AS {quote_ident(col)}" for col, expr in columns.items())
    sql = f"SELECT {select} FROM {quote_ident(table)} AS t" + (f" WHERE {where}" if where else "")
    if "firmo_" in select:
        identifiers.ensure_macros(con)
    # through Arrow: strings stay Arrow strings (no Python object per value)
    frame = con.sql(sql, params=dict(params or {})).to_arrow_table().to_pandas(types_mapper=pd.ArrowDtype)

    # One suite per tested column, on a batch of that column only: GE filters and copies whole
    # batches, so the columns kept for examples (the SIRET beside a checksum flag...) stay out.
    # SUMMARY gives counts and the index of the first failing rows; their shown / key values are
    # read from the frame (GE's `unexpected_index_column_names` walks every failing row in Python:
    # minutes on a table where most rows fail).
    context = _context()  # first: a suite binds to the current context
    source = context.data_sources.add_pandas("firmo")
    by_column: dict[str | None, list[int]] = {}
    for i, rule in enumerate(rules):
        by_column.setdefault(rule.column, []).append(i)
    by_rule: dict[int, Any] = {}
    for column, indices in by_column.items():
        # each expectation carries its rule's index: GE returns results in its own order
        suite = gx.ExpectationSuite(
            name=f"{name}.{column}",
            expectations=[
                rules[i].expectation.copy(update={"meta": {**(rules[i].expectation.meta or {}), "rule": i}})
                for i in indices
            ],
        )
        batch = (
            source.add_dataframe_asset(f"{name}.{column}")
            .add_batch_definition_whole_dataframe("all")
            .get_batch(batch_parameters={"dataframe": frame[[column]] if column else frame})
        )
        run = batch.validate(
            suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": max(examples * 4, 20)}
        )
        by_rule.update({r.expectation_config.meta["rule"]: r for r in run.results})
    outcomes = tuple(_outcome(rule, by_rule[i], frame, examples) for i, rule in enumerate(rules))
    return QualityResult(name, table, len(frame), outcomes, notes)


def run_check(
    con: duckdb.DuckDBPyConnection,
    check: QualityCheck,
    *,
    run_id: str,
    icp: str | None = None,
    limits: Thresholds | None = None,
    now: datetime | None = None,
) -> QualityResult:
    """Run one check (on the ICP's table for per-ICP checks) and record its result."""
    limits = limits or Thresholds.from_settings(Settings.from_env())  # callers pass theirs: the checks' resource
    table = check.table_for(icp)
    if check.suite is None:
        result = row_count_guard(con, table, run_id=run_id, min_ratio=limits.min_row_ratio, name=check.name, now=now)
    elif check.optional and not db.table_exists(con, table):
        result = QualityResult(check.name, table, 0, (), notes=(f"{table} does not exist yet: nothing to check",))
    else:
        rules = [r for r in check.suite(con, limits, table) if r.check == check.name]
        result = validate(
            con,
            table,
            rules,
            name=check.name,
            where=check.where,
            params={"icp": icp} if check.where else None,
            examples=limits.examples,
        )
    record(con, check, result, run_id=run_id, icp=icp, now=now)
    return result


def record(
    con: duckdb.DuckDBPyConnection,
    check: QualityCheck,
    result: QualityResult,
    *,
    run_id: str,
    icp: str | None = None,
    now: datetime | None = None,
) -> None:
    ensure_tables(con)
    con.execute(
        load_sql("quality/record_check_result"),
        {
            "check_name": check.name,
            "asset": check.asset,
            "partition_key": icp if check.per_icp else None,
            "run_id": run_id,
            "passed": result.success,
            "blocking": check.blocking,
            "severity": check.severity,
            "summary": result.summary,
            "details": json.dumps([o.as_dict() for o in result.outcomes], ensure_ascii=False),
            "checked_at": utc(now),
        },
    )
