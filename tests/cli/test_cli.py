"""The `firmo` commands analysts run by hand go through the same code as the assets."""

from __future__ import annotations

from typer.testing import CliRunner

from pipelines.cli import app

runner = CliRunner()


def test_load_sirene_prints_rows_loaded_and_rejected(data_env, samples_dir, tmp_path):
    db_file = tmp_path / "x.duckdb"
    result = runner.invoke(app, [
        "load", "sirene",
        "--unites-legales", str(samples_dir / "sirene" / "StockUniteLegale_sample_2026_35cols.csv"),
        "--etablissements", str(samples_dir / "sirene" / "StockEtablissement_utf8_sample_2024-04.zip"),
        "--db", str(db_file),
    ])
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines()]
    assert ["sirene.unites_legales", "9", "0"] in lines
    assert ["sirene.etablissements", "299", "0"] in lines
    assert ["core.companies", "9", "0"] in lines
    assert db_file.exists()


def test_load_sirene_without_a_file_is_a_usage_error(data_env):
    result = runner.invoke(app, ["load", "sirene"])
    assert result.exit_code == 2
    assert "give --unites-legales and/or --etablissements" in result.output


def test_load_inpi_officers_and_ratios(data_env, samples_dir, tmp_path):
    result = runner.invoke(app, [
        "load", "inpi",
        "--rne", str(samples_dir / "inpi" / "rne_company_2024_shape.json"),
        "--rne", str(samples_dir / "inpi" / "rne_companies_diff.json"),
        "--ratios", str(samples_dir / "inpi" / "ratios_inpi_bce_sample.csv"),
        "--db", str(tmp_path / "x.duckdb"),
    ])
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines()]
    assert ["inpi.officers", "6", "0"] in lines
    assert ["inpi.financials", "14", "0"] in lines
    assert ["core.latest_financials", "2", "0"] in lines


def test_load_bodacc_real_files(data_env, samples_dir, tmp_path):
    result = runner.invoke(app, [
        "load", "bodacc",
        str(samples_dir / "bodacc" / "RCS-A_BXA20200072.taz"),
        str(samples_dir / "bodacc" / "ods_v1_records_sample.json"),
        "--db", str(tmp_path / "x.duckdb"),
    ])
    assert result.exit_code == 0, result.output
    assert ["bodacc.notices", "298", "0"] in [line.split() for line in result.output.splitlines()]


def test_load_bodacc_window_needs_both_ends(data_env, samples_dir):
    result = runner.invoke(app, ["load", "bodacc", str(samples_dir / "bodacc" / "ods_v1_records_sample.json"),
                                 "--from", "2022-01-01"])
    assert result.exit_code == 2
    assert "give both --from and --to, or neither" in result.output
