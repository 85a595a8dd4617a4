"""`firmo settings`: every variable with its effective value (secrets masked) and what it does; a
bad value anywhere is refused by every command with one line naming the variable."""

from __future__ import annotations

from typer.testing import CliRunner

from firmo.settings import Settings
from pipelines.cli import app

runner = CliRunner()


def test_prints_every_variable_with_secrets_masked(tmp_path, monkeypatch):
    monkeypatch.setenv("FIRMO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-secret-never-shown")
    monkeypatch.setenv("FIRMO_HUNTER_API_KEY", "hunter-secret-never-shown")
    monkeypatch.setenv("FIRMO_QUALITY_MIN_ROW_RATIO", "0.9")
    result = runner.invoke(app, ["settings"])
    assert result.exit_code == 0, result.output
    assert "secret-never-shown" not in result.output
    values = {line.split()[0]: line.split()[1] for line in result.output.splitlines() if line and not line[0].isspace()}
    assert values["HUBSPOT_ACCESS_TOKEN"] == values["FIRMO_HUNTER_API_KEY"] == "**********"
    assert values["FIRMO_DATA_DIR"] == str(tmp_path)
    assert values["FIRMO_DB"] == str(tmp_path / "firmo.duckdb")
    assert values["FIRMO_QUALITY_MIN_ROW_RATIO"] == "0.9"
    assert values["INSEE_API_KEY"] == "-"  # not set
    assert {info.alias for info in Settings.model_fields.values() if info.alias} <= set(values)


def test_a_bad_value_is_one_line_for_any_command(monkeypatch):
    monkeypatch.setenv("FIRMO_QUALITY_MIN_ROW_RATIO", "abc")
    for args in (["settings"], ["summary"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1
        assert result.stderr.strip() == "firmo: FIRMO_QUALITY_MIN_ROW_RATIO must be a number between 0 and 1, got 'abc'"
        assert "Traceback" not in result.output
