"""`firmo waterfall stats` (waterfall/stats.py): per provider and field over waterfall.provenance, by
segment, and the suggested order as a YAML diff, on hand-built provenance rows whose figures are
worked out by hand below."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest
from typer.testing import CliRunner

from firmo import db
from firmo.sqlfiles import load_sql
from pipelines.cli import app
from waterfall import stats

T = datetime(2026, 11, 2, 10, 0)
CURRENT = ["pattern", "findymail", "icypeas", "enrow", "prospeo", "hunter", "lusha", "apollo", "dropcontact",
           "fullenrich"]  # fmt: skip


def rows(provider, field, n, valid, risky, credits, failed=0, siren="111111111", latency=None):
    """n questions: `valid` valid, `risky` risky, `failed` failed, the rest misses; credits spread on the hits."""
    out = []
    for i in range(n):
        status, value = ("valid", f"x{i}@a.fr") if i < valid else ("risky", f"x{i}@a.fr") if i < valid + risky else (
            (None, None) if i >= n - failed else ("unknown", None))  # fmt: skip
        out.append(("r1", "demo", siren, field, provider, value, value, status, None, None,
                    credits / (valid + risky) if i < valid + risky else 0.0, False, None, T,
                    None if latency is None else latency + 10 * i))  # fmt: skip
    return out


@pytest.fixture()
def warehouse(tmp_path):
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    db.ensure_schemas(con)
    con.execute(load_sql("waterfall/create_tables"))
    data = (rows("findymail", "email", 10, 3, 0, 3.0) + rows("hunter", "email", 10, 5, 1, 6.0, latency=100.0)
            + rows("apollo", "email", 10, 4, 4, 8.0) + rows("icypeas", "email", 10, 0, 0, 0.0, failed=1)
            + rows("lusha", "phone", 4, 1, 0, 5.0, siren="222222222"))  # fmt: skip
    data[-1] = data[-1][:11] + (True,) + data[-1][12:]  # one cached answer: not a live question
    icy = [i for i, r in enumerate(data) if r[4] == "icypeas"][0]
    data[icy] = data[icy][:10] + (1.0,) + data[icy][11:]  # icypeas billed 1 credit for one miss
    con.executemany(f"INSERT INTO waterfall.provenance VALUES ({', '.join('?' * 15)})", data)
    con.execute("CREATE TABLE core.companies (siren VARCHAR, naf_section VARCHAR, headcount_band VARCHAR)")
    con.execute("INSERT INTO core.companies VALUES ('111111111', 'J', '11'), ('222222222', 'F', '03')")
    con.execute("CREATE TABLE leads.demo AS SELECT '111111111' AS siren")
    con.close()
    return path


def test_rates_costs_and_segments(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        got = {(r.provider, r.field): r for r in stats.collect(con)}
        by_naf = [(r.provider, r.segment, r.questions) for r in stats.collect(con, by="naf_section")]
    hunter = got[("hunter", "email")]
    assert (hunter.questions, hunter.found, hunter.valid, hunter.credits) == (10, 6, 5, 6.0)
    assert (hunter.hit_rate, round(hunter.valid_rate, 4), hunter.cost_per_found) == (0.6, 0.8333, 1.0)
    icy = got[("icypeas", "email")]
    assert (icy.questions, icy.failed, icy.found, icy.credits, icy.cost_per_found) == (10, 1, 0, 1.0, None)
    assert got[("lusha", "phone")].questions == 3  # the cached answer is not a question asked
    assert by_naf == [("apollo", "J", 10), ("findymail", "J", 10), ("hunter", "J", 10), ("icypeas", "J", 10),
                      ("lusha", "F", 3)]  # fmt: skip
    text = stats.render(stats.collect(duckdb.connect(str(warehouse), read_only=True)))
    assert text.splitlines()[0].split() == ["field", "provider", "questions", "failed", "hit", "rate", "valid", "rate",
                                            "credits", "cost/found", "latency", "ms"]  # fmt: skip
    assert text.splitlines()[4].split() == ["email", "hunter", "10", "0", "60.0%", "83.3%", "6", "1.00", "145"]


def test_order_by_credits_per_valid_answer_and_its_expected_cost():
    est = {
        "findymail": stats.Estimate("findymail", 0.3, 0.3, 10),  # 1.0 credit per valid
        "icypeas": stats.Estimate("icypeas", 0.1, 0.0, 10),  # never valid: last of the measured
        "hunter": stats.Estimate("hunter", 0.6, 0.5, 10),  # 1.2
        "apollo": stats.Estimate("apollo", 0.8, 0.4, 10),  # 2.0
    }
    order = stats.best_order(CURRENT, est)
    assert order == ["findymail", "hunter", "apollo", "icypeas", "pattern", "enrow", "prospeo", "lusha",
                     "dropcontact", "fullenrich"]  # fmt: skip
    # current: 0.3 + 0.1*0.7 + 0.6*0.7 + 0.8*0.35 = 1.07 for 1 - 0.7*0.5*0.6 = 0.79 found
    cost, found = stats.credits_per_found(CURRENT, est)
    assert (round(cost, 5), round(found, 5)) == (round(1.07 / 0.79, 5), 0.79)
    # suggested: 0.3 + 0.6*0.7 + 0.8*0.35 + 0.1*0.21 = 1.021
    cost, found = stats.credits_per_found(order, est)
    assert (round(cost, 5), round(found, 5)) == (round(1.021 / 0.79, 5), 0.79)


def test_segment_weights_use_the_lists_mix_and_thin_segments_fall_back():
    rows_ = [stats.Row("hunter", "email", "J", 40, 0, 20, 20, 20.0, None),
             stats.Row("hunter", "email", "F", 40, 0, 4, 4, 4.0, None),
             stats.Row("hunter", "email", "Q", 5, 0, 5, 5, 5.0, None)]  # fmt: skip
    est = stats.estimates(rows_, "email", {"J": 3, "F": 1, "Q": 1})
    # J: 0.5 valid / 0.5 credit; F: 0.1 / 0.1; Q thin (5 < 20): overall 29/85 for both
    overall = 29 / 85
    assert round(est["hunter"].p_valid, 6) == round(0.6 * 0.5 + 0.2 * 0.1 + 0.2 * overall, 6)
    assert round(est["hunter"].cost, 6) == round(0.6 * 0.5 + 0.2 * 0.1 + 0.2 * overall, 6)


YAML = """# comment kept
order:
  domain: [hunter]
  # the email chain
  email: [pattern, findymail, icypeas, enrow, prospeo,
          hunter, lusha, apollo]
  phone: [lusha]
stop:
  email: [valid]
"""


def test_the_yaml_diff_changes_only_that_chain_one_line_or_several():
    diff = stats.yaml_diff(YAML, "email", ["findymail", "hunter", "pattern"])
    assert diff.splitlines() == [
        "--- a/waterfall/default.yaml",
        "+++ b/waterfall/default.yaml",
        "@@ -2,8 +2,7 @@",
        " order:",
        "   domain: [hunter]",
        "   # the email chain",
        "-  email: [pattern, findymail, icypeas, enrow, prospeo,",
        "-          hunter, lusha, apollo]",
        "+  email: [findymail, hunter, pattern]",
        "   phone: [lusha]",
        " stop:",
        "   email: [valid]",
    ]  # the stop list of the same name is left alone
    assert stats.yaml_diff(YAML, "phone", ["lusha"]) == ""
    long = stats.yaml_diff(YAML, "phone", [f"provider{i}" for i in range(12)])
    assert [line for line in long.splitlines() if line.startswith("+ ")] == [
        "+  phone: [provider0, provider1, provider2, provider3, provider4, provider5, provider6, provider7, provider8,",
        "+          provider9, provider10, provider11]",
    ]


def test_cli_prints_the_table_and_writes_the_suggestion_without_applying_it(warehouse, tmp_path, data_env, monkeypatch):
    config = tmp_path / "waterfall.yaml"
    config.write_text(f"order:\n  email: [{', '.join(CURRENT)}]\n", encoding="utf-8")
    monkeypatch.setenv("FIRMO_WATERFALL_CONFIG", str(config))
    before = config.read_text(encoding="utf-8")
    runner = CliRunner()
    shown = runner.invoke(app, ["waterfall", "stats", "--by", "naf_section", "--db", str(warehouse)])
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines()[0].split()[:3] == ["field", "provider", "naf_section"]
    out = tmp_path / "order.diff"
    done = runner.invoke(app, ["waterfall", "stats", "--suggest", "--icp", "demo", "--out", str(out),
                               "--db", str(warehouse)])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "suggestion for demo (1 companies):" in done.output
    # the list's one lead has answers, so they are replayed (waterfall/replay.py, tests/.../test_replay.py):
    # Findymail, asked second after the unmeasured pattern, answers valid for 1 credit, which no order beats
    assert (
        "  now      : 1.00 credits per email found (1.0 credits, 1.0 found, 100.0% of asking every vendor's 1.0)"
        in done.output.splitlines()
    )
    assert (
        done.output.splitlines()[-1] == "the current order is already the cheapest on this evidence: nothing to change"
    )
    assert not out.exists()
    assert config.read_text(encoding="utf-8") == before  # never applied
    refused = runner.invoke(app, ["waterfall", "stats", "--suggest", "--db", str(warehouse)])
    assert (refused.exit_code, refused.output.strip()) == (1, "firmo: --suggest needs --icp <name>: the order is "
                                                               "worked out for one lead list")  # fmt: skip
    bad = runner.invoke(app, ["waterfall", "stats", "--by", "region", "--db", str(warehouse)])
    assert (bad.exit_code, bad.output.strip()) == (
        1,
        "firmo: --by 'region': expected one of naf_section, headcount_band",
    )


def test_pattern_pays_for_the_verifications_of_its_candidates(tmp_path):
    con = duckdb.connect()
    db.ensure_schemas(con)
    con.execute(load_sql("waterfall/create_tables"))
    row = lambda run, siren, field, provider, credits, status="unknown": (  # noqa: E731
        run,
        "demo",
        siren,
        field,
        provider,
        None,
        None,
        status,
        None,
        None,
        credits,
        False,
        None,
        T,
        None,
    )
    con.executemany(f"INSERT INTO waterfall.provenance VALUES ({', '.join('?' * 15)})", [
        row("r1", "A", "email", "pattern", 0.0), row("r1", "B", "email", "pattern", 0.0),
        row("r1", "A", "verify", "hunter", 0.5), row("r1", "A", "verify", "hunter", 0.5),
        row("r1", "C", "verify", "hunter", 0.5),  # a lead pattern was not asked about
        row("r2", "B", "verify", "hunter", 0.5),  # another run
    ])  # fmt: skip
    got = {(r.provider, r.field): r.credits for r in stats.collect(con)}
    assert got == {("pattern", "email"): 1.0, ("hunter", "verify"): 2.0}
