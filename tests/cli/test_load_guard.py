"""`firmo load` refuses, before the swap, a load that would shrink a registry table below
FIRMO_QUALITY_MIN_ROW_RATIO of its baseline: the previous tables stay, the refusal says why."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest
from typer.testing import CliRunner

from assets import checks
from firmo import db
from firmo.quality.guard import RowCountRefused, guarded_loads
from pipelines.cli import app
from sources.inpi.quality import GUARDED
from sources.inpi.ratios import load_ratios

runner = CliRunner()


@pytest.fixture()
def files(samples_dir, tmp_path):
    """The real extracts, and truncated copies of them (what a cut download gives)."""
    ratios = samples_dir / "inpi" / "ratios_inpi_bce_sample.csv"
    short_ratios = tmp_path / "ratios_truncated.csv"
    short_ratios.write_text("".join(ratios.read_text(encoding="utf-8").splitlines(keepends=True)[:6]), encoding="utf-8")
    ul = samples_dir / "sirene" / "StockUniteLegale_sample_2026_35cols.csv"
    short_ul = tmp_path / "StockUniteLegale_truncated.csv"
    short_ul.write_text("".join(ul.read_text(encoding="utf-8").splitlines(keepends=True)[:3]), encoding="utf-8")
    return {"ratios": ratios, "short_ratios": short_ratios, "ul": ul, "short_ul": short_ul,
            "et": samples_dir / "sirene" / "StockEtablissement_utf8_sample_2024-04.zip",
            "taz": samples_dir / "bodacc" / "RCS-A_BXA20200072.taz",
            "ods": samples_dir / "bodacc" / "ods_v1_records_sample.json"}


def load(*args: str, db_file) -> tuple[int, str]:
    result = runner.invoke(app, ["load", *args, "--db", str(db_file)])
    if result.exit_code == 1:  # a refusal: one line, no traceback
        assert result.output.startswith("firmo: load refused by the row-count guard") and "Traceback" not in result.output
        assert result.output.count("\n") == 1
    return result.exit_code, result.output


def counts(db_file, *tables: str) -> list[int]:
    with duckdb.connect(str(db_file), read_only=True) as con:
        return [db.row_count(con, t) for t in tables]


def recorded(db_file) -> list[tuple]:
    with duckdb.connect(str(db_file), read_only=True) as con:
        return con.execute("SELECT table_name, rows, accepted FROM quality.row_counts ORDER BY checked_at, table_name"
                           ).fetchall()


def test_truncated_ratios_file_is_refused_and_the_previous_tables_stay(data_env, files, tmp_path, monkeypatch):
    db_file = tmp_path / "w.duckdb"
    code, out = load("inpi", "--ratios", str(files["ratios"]), db_file=db_file)
    assert code == 0, out
    assert "row-count guard: inpi.financials: 14 rows, first load" in out
    assert "row-count guard: core.latest_financials: 2 rows, first load" in out

    code, out = load("inpi", "--ratios", str(files["short_ratios"]), db_file=db_file)
    assert code == 1
    assert ("load refused by the row-count guard, nothing published (the previous tables are unchanged): "
            "inpi.financials would have 5 rows, below 14 (98% of 14 in the previous accepted load, run firmo-load-"
            in " ".join(out.split()))
    assert "FIRMO_QUALITY_MIN_ROW_RATIO=0" in out
    assert counts(db_file, "inpi.financials", "core.latest_financials") == [14, 2]
    assert recorded(db_file) == [("core.latest_financials", 2, True), ("inpi.financials", 14, True),
                                 ("core.latest_financials", 1, False), ("inpi.financials", 5, False)]

    code, out = load("inpi", "--ratios", str(files["short_ratios"]), db_file=db_file)  # same file: refused again
    assert code == 1 and counts(db_file, "inpi.financials") == [14]

    monkeypatch.setenv("FIRMO_QUALITY_MIN_ROW_RATIO", "0")  # the override: a genuine drop
    code, out = load("inpi", "--ratios", str(files["short_ratios"]), db_file=db_file)
    assert code == 0, out
    assert "row-count guard: inpi.financials: 5 rows, ok (minimum 0, 14 in the previous accepted load" in out
    assert counts(db_file, "inpi.financials", "core.latest_financials") == [5, 1]
    monkeypatch.delenv("FIRMO_QUALITY_MIN_ROW_RATIO")
    code, out = load("inpi", "--ratios", str(files["ratios"]), db_file=db_file)  # 5 is the new baseline
    assert code == 0, out
    assert "row-count guard: inpi.financials: 14 rows, ok (minimum 5, 5 in the previous accepted load" in out


def test_a_200_row_sirene_file_does_not_replace_the_units(data_env, files, tmp_path):
    db_file = tmp_path / "w.duckdb"
    code, out = load("sirene", "--unites-legales", str(files["ul"]), "--etablissements", str(files["et"]),
                     db_file=db_file)
    assert code == 0, out
    code, out = load("sirene", "--unites-legales", str(files["short_ul"]), db_file=db_file)
    assert code == 1
    flat = " ".join(out.split())
    assert "sirene.unites_legales would have 2 rows, below 9 (98% of 9 in the previous accepted load" in flat
    assert "core.companies would have 2 rows, below 9" in flat
    assert counts(db_file, "sirene.unites_legales", "sirene.etablissements", "core.companies") == [9, 299, 9]
    with duckdb.connect(str(db_file), read_only=True) as con:  # no staging left behind
        assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '%staging%'"
                           ).fetchall() == [(0,)]


def test_bodacc_window_replaced_by_a_near_empty_file_is_refused(data_env, files, tmp_path):
    db_file = tmp_path / "w.duckdb"
    code, out = load("bodacc", str(files["taz"]), str(files["ods"]), db_file=db_file)
    assert code == 0, out
    with duckdb.connect(str(db_file), read_only=True) as con:
        day = con.execute("SELECT min(publication_date) FROM bodacc.notices WHERE source_file LIKE '%.taz%'"
                          ).fetchall()[0][0]
    code, out = load("bodacc", str(files["ods"]), "--from", day.isoformat(), "--to",
                     (day + timedelta(days=1)).isoformat(), db_file=db_file)
    assert code == 1
    assert "bodacc.notices would have 3 rows, below 293 (98% of 298" in " ".join(out.split())
    assert counts(db_file, "bodacc.notices") == [298]


def test_baselines_a_check_result_or_the_live_table(files, tmp_path):
    """An asset check's accepted count is the hand load's baseline; with no count recorded, the
    live table is (a warehouse loaded before the guard)."""
    with db.connection(tmp_path / "w.duckdb") as con:
        load_ratios(con, files["ratios"])  # unguarded, as the assets load
        with pytest.raises(RowCountRefused) as exc, guarded_loads(con, GUARDED):
            load_ratios(con, files["short_ratios"])
        assert "5 rows, below 14 (98% of 14 in the live table, no accepted load recorded yet)" in str(exc.value)
        assert [v.line() for v in exc.value.verdicts] == [
            "inpi.financials: 5 rows, REFUSED (minimum 14, 14 in the live table, no accepted load recorded yet)",
            "core.latest_financials: 1 rows, REFUSED (minimum 2, 2 in the live table, no accepted load recorded yet)"]
        con.execute("DELETE FROM quality.row_counts")
        assert checks.run_check(con, "latest_financials_row_count", run_id="dagster-run-1").success
        with guarded_loads(con, GUARDED, min_ratio=0.3) as guard:
            load_ratios(con, files["short_ratios"])
        lines = [v.line() for v in guard.verdicts]
        assert lines[0] == "inpi.financials: 5 rows, ok (minimum 5, 14 in the live table, no accepted load recorded yet)"
        assert lines[1].startswith("core.latest_financials: 1 rows, ok (minimum 1, 2 in the previous accepted load, "
                                   "run dagster-run-1 of ")
        assert db.row_count(con, "inpi.financials") == 5
