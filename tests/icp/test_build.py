"""build_leads writes leads.<icp> (contract columns) and an atomic CSV; the CLI prints a preview."""

from __future__ import annotations

import csv

import pytest
from typer.testing import CliRunner

from firmo import db
from firmo.icp import build_leads, leads_table, parse_icp, resolve
from pipelines.cli_icp import icp_app
from tests.icp.conftest import OFFICERS, REVENUES, SIGNALS, UNIVERSE
from tests.icp.warehouse import AS_OF, build_warehouse

CONTRACT = [
    "icp", "rank", "siren", "siret", "company_name", "street", "postal_code", "city", "country", "region_name",
    "departement_code", "naf_code", "naf_division", "naf_division_label", "headcount_band", "employees_min",
    "employees_max", "annual_revenue", "legal_form_label", "creation_date", "website_domain", "officer_kind",
    "first_name", "last_name", "job_title", "role_code", "officer_resolution", "decision_maker_via", "contact_basis", "authority_fit", "authority_share", "fit_score", "intent_score", "score", "tier",
    "score_reasons", "bant_budget", "bant_authority", "bant_need", "bant_timing", "statut_diffusion",
    "lead_updated_at", "near_siret", "near_distance_km",
]
TYPES = {"rank": "INTEGER", "annual_revenue": "BIGINT", "fit_score": "INTEGER", "intent_score": "INTEGER",
         "score": "INTEGER", "score_reasons": "VARCHAR[]", "lead_updated_at": "TIMESTAMP", "creation_date": "DATE"}
ICP_YAML = "criteria:\n  naf: {include: [J]}\n  regions: [Île-de-France, Auvergne-Rhône-Alpes]\nmax_leads: 10\n"


def test_build_writes_the_contract_table_and_csv(universe, tmp_path):
    icp = resolve(parse_icp({"criteria": {"naf": {"include": ["J"]}}}, default_name="tech"))
    result = build_leads(universe, icp, as_of=AS_OF, csv_dir=tmp_path)
    columns = universe.execute("SELECT column_name, data_type FROM information_schema.columns "
                               "WHERE table_schema = 'leads' AND table_name = 'tech' ORDER BY ordinal_position").fetchall()
    assert [c for c, _ in columns] == CONTRACT
    assert {c: t for c, t in columns if c in TYPES} == TYPES
    rows = universe.execute("SELECT rank, siren, tier, statut_diffusion, country, icp FROM leads.tech ORDER BY rank").fetchall()
    # fit: NAF by section (70 x 40) + authority (Président 100, Gérant = 3rd role 60, none 0) x 15, / 55
    assert rows == [(1, "000000001", "warm", "O", "France", "tech"), (2, "000000002", "cold", "O", "France", "tech"),
                    (3, "000000008", "cold", "O", "France", "tech")]
    assert (result.rows, result.tiers, result.table) == (3, {"hot": 0, "warm": 1, "cold": 2}, "leads.tech")
    with result.csv_path.open(encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    assert result.csv_path == tmp_path / "tech.csv"
    assert [r["siren"] for r in lines] == ["000000001", "000000002", "000000008"]
    assert lines[2]["score_reasons"] == "NAF 58.29C in section J | no target decision maker on file"
    assert [p.name for p in tmp_path.iterdir()] == ["tech.csv"]  # no temporary file left


def test_rebuild_replaces_the_table_and_leaves_no_staging(universe, tmp_path):
    icp = resolve(parse_icp({}, default_name="all"))
    build_leads(universe, icp, as_of=AS_OF, csv_dir=tmp_path)
    smaller = resolve(parse_icp({"max_leads": 2}, default_name="all"))
    assert build_leads(universe, smaller, as_of=AS_OF, csv_dir=tmp_path).rows == 2
    assert db.row_count(universe, "leads.all") == 2
    assert not db.table_exists(universe, "leads.all__staging")


def test_table_names_are_validated_identifiers():
    assert leads_table("saas_pme") == "leads.saas_pme"
    with pytest.raises(ValueError, match="not a plain SQL identifier"):
        leads_table("x; DROP TABLE core.companies")


def test_cli_preview_build_and_check(tmp_path, data_env):
    path = tmp_path / "tech_idf.yaml"
    path.write_text(ICP_YAML, encoding="utf-8")
    with db.connection() as con:
        build_warehouse(con, UNIVERSE, signals=SIGNALS, officers=OFFICERS, revenues=REVENUES)
    runner = CliRunner()
    out = runner.invoke(icp_app, ["preview", str(path), "--as-of", AS_OF.isoformat()])
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines()[0] == "ICP tech_idf: 2 leads"   # notes on how NAF was read go to stderr
    assert "warm █" in out.output and "Auvergne-Rhône-Alpes" in out.output and "20 à 49 salariés" in out.output
    assert "  1  47 warm 000000001 ACME 000000001               62.01Z Île-de-France      Jeanne MARTIN" in out.output
    out = runner.invoke(icp_app, ["build", str(path), "--as-of", AS_OF.isoformat()])
    assert out.exit_code == 0, out.output
    assert out.stdout.startswith("leads.tech_idf: 2 leads (hot 0, warm 1, cold 1)")
    assert (data_env / "leads" / "tech_idf.csv").is_file()
    path.write_text("criteria:\n  regions: [Bretagn]\n", encoding="utf-8")
    out = runner.invoke(icp_app, ["check", str(path)])
    assert out.exit_code == 2
    assert "criteria.regions: unknown région 'Bretagn' (did you mean 'Bretagne'?)" in out.output


def test_preview_needs_prospects(con):
    from firmo.icp import preview

    db.ensure_schemas(con)
    with pytest.raises(RuntimeError, match="core.prospects does not exist"):
        preview(con, resolve(parse_icp({}, default_name="t")), as_of=AS_OF)


def test_prospects_built_in_small_steps_equal_one_step(universe, monkeypatch):
    """core.prospects is built a SIREN bucket / NAF range at a time to bound memory: the table
    (content and stored order) must not depend on the step size."""
    from firmo.icp import build_prospects
    from firmo.icp import prospects as prospects_mod

    def snapshot():
        return universe.execute("SELECT * FROM core.prospects").fetchall()  # stored order, no ORDER BY

    whole = snapshot()
    monkeypatch.setattr(prospects_mod, "ROWS_PER_STEP", 2)
    assert len(prospects_mod._naf_ranges(universe)) > 2
    build_prospects(universe)
    assert snapshot() == whole
    assert [r[0] for r in universe.execute("SELECT naf_key FROM core.prospects").fetchall()] == \
        sorted(r[0] for r in universe.execute("SELECT naf_key FROM core.prospects").fetchall())
