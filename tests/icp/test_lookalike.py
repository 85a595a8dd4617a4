"""firmo icp suggest --from-customers: a population with a planted customer profile (NAF 62.01Z,
10 à 19 salariés, Bretagne, Qualiopi, revenue 1.0-2.1 M€) recovered with exact lifts."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from firmo.compliance.suppression import add_customers
from firmo.errors import InputError
from firmo.icp.lookalike import icp_name, render_yaml, suggest, write_suggestion
from firmo.identifiers import is_valid_siren
from tests.icp.warehouse import AS_OF, build_warehouse, company

NOW = datetime(2025, 6, 30, 12, 0)
NAFS = ("62.01Z", "47.11B", "43.21A", "70.22Z", "58.29C")
BANDS = ("01", "11", "12", "21")
COMMUNES = ("75056", "69123", "35238")  # Paris, Lyon, Rennes (Bretagne)


def siren(n: int) -> str:
    return next(s for d in "0123456789" if is_valid_siren(s := f"7{n:07d}{d}"))


def population():
    """240 companies, 4 in each of the 60 (NAF, band, commune) cells, every other one with a
    revenue; 12 more in the planted cell (62.01Z, 10-19, Rennes) with revenues 1.0-2.1 M€; one closed."""
    grid = [(naf, band, commune) for naf in NAFS for band in BANDS for commune in COMMUNES for _ in range(4)]
    companies = [company(siren(i), naf=naf, band=band, commune=commune) for i, (naf, band, commune) in enumerate(grid)]
    revenues = {siren(i): 50_000 * (i + 1) for i in range(0, len(grid), 2)}
    planted = [siren(1000 + k) for k in range(12)]
    companies += [company(s, naf="62.01Z", band="11", commune="35238") for s in planted]
    revenues |= {s: 1_000_000 + 100_000 * k for k, s in enumerate(planted)}
    companies.append(company(siren(2000), naf="62.01Z", band="11", commune="35238", active=False))
    return companies, revenues, planted


@pytest.fixture()
def warehouse():
    con = duckdb.connect()
    companies, revenues, planted = population()
    build_warehouse(con, companies, revenues=revenues)
    con.execute("CREATE TABLE core.labels (siren VARCHAR, siret VARCHAR, label VARCHAR, valid_from DATE, "
                "valid_to DATE)")  # fmt: skip
    holders = planted[:9] + [siren(i) for i in range(0, 200, 20)]  # 9 customers, 10 other companies
    con.executemany("INSERT INTO core.labels VALUES (?, NULL, 'qualiopi', DATE '2024-01-01', NULL)",
                    [[s] for s in holders])  # fmt: skip
    con.execute("INSERT INTO core.labels VALUES (?, NULL, 'rge', DATE '2020-01-01', DATE '2021-01-01')", [planted[0]])
    noise = [siren(4 * 21), siren(4 * 43 + 1), siren(4 * 54 + 2)]  # one customer in 3 other cells
    customers = [("siren", s, None) for s in planted + noise + [siren(2000)]] + [("domain", "unknown.fr", None)]
    add_customers(con, customers, source="test", now=NOW)
    yield con
    con.close()


def test_the_planted_profile_is_recovered_with_its_lifts(warehouse):
    s = suggest(warehouse, as_of=AS_OF)
    assert (s.customers, s.population, s.listed, s.unresolved) == (15, 252, 17, 2)
    got = {d: [(x.value, x.customers, x.population, round(x.lift, 2)) for x in lifts] for d, lifts in s.kept.items()}
    assert got == {
        "naf": [("62.01Z", 12, 60, 3.36)],            # (12/15) / (60/252)
        "headcount_band": [("11", 12, 72, 2.8)],      # (12/15) / (72/252)
        "region": [("Bretagne", 12, 92, 2.19)],       # (12/15) / (92/252)
        "label": [("qualiopi", 9, 19, 7.96)],         # (9/15) / (19/252); rge expired: not held
    }  # fmt: skip
    assert [(x.lo, x.hi) for x in s.kept["headcount_band"]] == [(10, 19)]
    revenue = s.revenue
    assert revenue is not None and s.revenue_kept
    # 14 customers with a revenue (12 planted 1.0-2.1 M€, two noise ones 4.25 and 10.95 M€): 10th
    # percentile 1.1 M€, 90th 4.25 M€ -> 4.3 M€; in range 12 of 14 customers and 43 of the 132 companies
    # with a revenue (11 planted, 32 of the grid's 50 k€ * (i + 1)): (12/14) / (43/132) = 2.63
    assert (revenue.lo, revenue.hi, revenue.customers, revenue.population, round(revenue.lift, 2)) == (
        1_100_000, 4_300_000, 12, 43, 2.63)  # fmt: skip


def test_the_written_file_passes_the_icp_check(warehouse, tmp_path):
    path, icp = write_suggestion(suggest(warehouse, as_of=AS_OF), tmp_path / "icps" / "lookalike.yaml")
    assert icp.name == "lookalike" and icp.naf_include == ["62.01Z"] and icp.regions == ["53"]
    c = icp.config.criteria
    assert (c.headcount.min, c.headcount.max, c.labels.any, c.revenue.min, c.revenue.max, c.revenue.unknown) == (
        10, 19, ["qualiopi"], 1_100_000, 4_300_000, "keep")  # fmt: skip
    text = path.read_text(encoding="utf-8")
    assert '      - "62.01Z"  # Programmation informatique: 12 of 15 customers (80.0%) vs 23.8% of companies (60): ' \
           "lift 3.36\n" in text  # fmt: skip
    assert "    # band 11 (10 à 19 salariés): 12 of 15 customers (80.0%) vs 28.6% of companies (72): lift 2.80\n" in text
    assert list(tmp_path.joinpath("icps").iterdir()) == [path]  # no temporary file left


def test_nothing_over_represented_is_said_not_guessed(warehouse):
    s = suggest(warehouse, as_of=AS_OF, min_support=13)
    text = render_yaml(s, "x")
    assert "criteria: {}  # nothing over-represented: every company (edit before use)\n" in text
    assert "  # NAF codes: none over-represented (best: 62.01Z, 12 of 15 customers (80.0%) vs 23.8% of companies " \
           "(60): lift 3.36)\n" in text  # fmt: skip


def test_no_customer_is_refused(tmp_path):
    con = duckdb.connect()
    build_warehouse(con, [company(siren(1))])
    with pytest.raises(InputError, match=r"exports.customers: none of its 0 entries is an active company"):
        suggest(con, as_of=date(2025, 6, 30))
    assert icp_name(tmp_path / "My Lookalike.yaml") == "my_lookalike"
    assert icp_name(tmp_path / "2025.yaml") == "lookalike"


def test_cli_writes_the_suggestion(tmp_path, data_env, monkeypatch):
    from typer.testing import CliRunner

    from firmo import db
    from pipelines.cli import app

    companies, revenues, planted = population()
    with db.connection() as con:
        build_warehouse(con, companies, revenues=revenues)
        add_customers(con, [("siren", s, None) for s in planted], source="test", now=NOW)
    monkeypatch.setenv("FIRMO_ICP_DIR", str(tmp_path / "icps"))
    runner = CliRunner()
    out = runner.invoke(app, ["icp", "suggest", "--from-customers", "--as-of", AS_OF.isoformat()])
    assert out.exit_code == 0, out.output
    path = tmp_path / "icps" / "lookalike.yaml"
    assert out.stdout == (f"{path}: ICP lookalike from 12 customers among 252 active companies "
                          "(values kept: naf 1, headcount_band 1, region 1, label 0, revenue yes)\n")  # fmt: skip
    out = runner.invoke(app, ["icp", "check", str(path)])
    assert out.exit_code == 0 and f"{path}: OK (ICP lookalike, table leads.lookalike)" in out.output
    out = runner.invoke(app, ["icp", "suggest"])
    assert (out.exit_code, out.output) == (1, "firmo: firmo icp suggest: say what to learn from (--from-customers)\n")
