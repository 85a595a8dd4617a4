"""The row-count guard: below 98 % of the previous accepted load of another run fails."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from assets import checks
from firmo.quality.guard import reset_row_counts
from firmo.quality.model import Outcome, Thresholds

from .tables import warehouse

T0 = datetime(2026, 11, 1, 3, 0)


@pytest.fixture()
def con():
    connection = warehouse()
    yield connection
    connection.close()


def load(con, rows: int, run_id: str, minutes: int, **limits) -> Outcome:
    con.execute("CREATE OR REPLACE TABLE core.companies AS SELECT lpad(range::VARCHAR, 9, '0') AS siren FROM range(?)",
                [rows])
    result = checks.run_check(con, "companies_row_count", run_id=run_id, limits=Thresholds(**limits),
                               now=T0 + timedelta(minutes=minutes))
    (outcome,) = result.outcomes
    assert (result.rows, outcome.expectation) == (rows, "row_count_guard")
    return outcome


def test_first_load_passes(con):
    outcome = load(con, 100, "run-a", 0)
    assert (outcome.success, outcome.observed) == (True, "100 rows; first recorded load")
    assert outcome.label == "rows ≥ 98% of the previous accepted load"


def test_98_of_100_passes(con):
    load(con, 100, "run-a", 0)
    outcome = load(con, 98, "run-b", 1)
    assert (outcome.success, outcome.observed) == (
        True, "98 rows; previous accepted load 100 (run run-a); minimum 98")


def test_97_of_100_fails(con):
    load(con, 100, "run-a", 0)
    outcome = load(con, 97, "run-b", 1)
    assert (outcome.success, outcome.observed) == (
        False, "97 rows; previous accepted load 100 (run run-a); minimum 98")


def test_a_failed_load_never_becomes_the_baseline_until_accepted(con):
    load(con, 100, "run-a", 0)
    assert not load(con, 97, "run-b", 1).success
    again = load(con, 97, "run-c", 2)  # the same short file reloaded: still compared with 100
    assert (again.success, again.observed) == (False, "97 rows; previous accepted load 100 (run run-a); minimum 98")
    accepted = load(con, 97, "run-d", 3, min_row_ratio=0.9)  # an operator accepts the drop for one run
    assert (accepted.success, accepted.observed) == (True, "97 rows; previous accepted load 100 (run run-a); minimum 90")
    after = load(con, 96, "run-e", 4)
    assert (after.success, after.observed) == (True, "96 rows; previous accepted load 97 (run run-d); minimum 96")
    assert con.execute("SELECT run_id, rows, accepted FROM quality.row_counts ORDER BY checked_at").fetchall() == [
        ("run-a", 100, True), ("run-b", 97, False), ("run-c", 97, False), ("run-d", 97, True), ("run-e", 96, True)]


def test_a_check_re_executed_in_the_same_run_does_not_compare_with_itself(con):
    load(con, 100, "run-a", 0)
    outcome = load(con, 50, "run-a", 1)
    assert (outcome.success, outcome.observed) == (True, "50 rows; first recorded load")
    assert con.execute("SELECT run_id, rows FROM quality.row_counts").fetchall() == [("run-a", 50)]


def test_tables_are_guarded_separately_and_every_result_is_recorded(con):
    load(con, 100, "run-a", 0)
    con.execute("CREATE TABLE core.latest_financials AS SELECT range::VARCHAR AS siren FROM range(10)")
    result = checks.run_check(con, "latest_financials_row_count", run_id="run-b", limits=Thresholds(),
                               now=T0 + timedelta(minutes=1))
    assert result.success and result.outcomes[0].observed == "10 rows; first recorded load"
    assert not load(con, 50, "run-c", 2).success
    assert con.execute("""SELECT check_name, asset, partition_key, run_id, passed, blocking, severity, summary
                          FROM quality.check_results ORDER BY checked_at""").fetchall() == [
        ("companies_row_count", "core/companies", None, "run-a", True, True, "ERROR",
         "companies_row_count: 1 expectation on 100 rows of core.companies: all passed"),
        ("latest_financials_row_count", "core/latest_financials", None, "run-b", True, True, "ERROR",
         "latest_financials_row_count: 1 expectation on 10 rows of core.latest_financials: all passed"),
        ("companies_row_count", "core/companies", None, "run-c", False, True, "ERROR",
         "companies_row_count: 1 of 1 expectations failed on core.companies: rows ≥ 98% of the previous accepted "
         "load: 50 rows; previous accepted load 100 (run run-a); minimum 98"),
    ]


def test_a_regenerated_demo_starts_the_guard_over(con, tmp_path, monkeypatch):
    """DEMO_COMPANIES=2000 make run after a 20,000-company run is another population, not a loss."""
    import json

    from pipelines import run as runner

    (tmp_path / "demo.json").write_text(json.dumps({"companies": 20_000, "seed": 42, "files": {}}))
    assert runner.demo_changes(tmp_path, companies=20_000, seed=42) is None
    assert runner.demo_changes(tmp_path / "absent", companies=2_000, seed=42) is None
    assert runner.demo_changes(tmp_path, companies=2_000, seed=42) == (
        "demo regenerated: 20,000 companies (seed 42) -> 2,000 (seed 42)")

    load(con, 100, "run-a", 0)
    assert not load(con, 20, "run-b", 1).success
    assert reset_row_counts(con) == 2
    outcome = load(con, 20, "run-c", 2)
    assert (outcome.success, outcome.observed) == (True, "20 rows; first recorded load")
