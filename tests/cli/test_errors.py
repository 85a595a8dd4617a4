"""A command that refuses an input prints one line `firmo: <why>` on stderr and exits 1 (2 for
usage and ICP errors), without a traceback; --debug / FIRMO_DEBUG=1 shows it; a bug keeps it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pipelines.cli import FirmoGroup, app, refusal
from tests.conftest import REPO_ROOT

runner = CliRunner()
LOG_LINE = re.compile(r"^\d\d:\d\d:\d\d (DEBUG|INFO|WARNING) ")
ZIP_ET = "sirene/StockEtablissement_utf8_sample_2024-04.zip"
UL_2026 = "sirene/StockUniteLegale_sample_2026_35cols.csv"


def error_lines(result) -> list[str]:
    """stderr without the progress log lines."""
    return [line for line in result.stderr.splitlines() if line.strip() and not LOG_LINE.match(line)]


def refused(args: list[str], message: str, code: int = 1) -> None:
    result = runner.invoke(app, args)
    assert "Traceback" not in result.output
    assert error_lines(result) == [f"firmo: {message}"]
    assert result.exit_code == code


@pytest.fixture()
def files(tmp_path, samples_dir):
    """Damaged inputs made from the real extracts."""
    zipped = (samples_dir / ZIP_ET).read_bytes()
    taz = (samples_dir / "bodacc" / "RCS-A_BXA20200072.taz").read_bytes()
    made = {
        "empty": b"",
        "binary": bytes(range(256)) * 8,
        "truncated.zip": zipped[: len(zipped) // 2],
        "truncated.taz": taz[: len(taz) // 2],
        "nested.json": b"[" * 100_000 + b"]" * 100_000,
        "latin1.yaml": "criteria:\n  regions: [\"Île-de-France\"]\n".encode("latin-1"),
    }
    for name, data in made.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def test_first_sirene_load_with_one_file(data_env, samples_dir, tmp_path):
    refused(["load", "sirene", "--unites-legales", str(samples_dir / UL_2026), "--db", str(tmp_path / "x.duckdb")],
            "sirene.etablissements is not loaded yet: give both files (--unites-legales and --etablissements) "
            "for a first load")


def test_sirene_load_with_more_than_one_percent_bad_rows(data_env, samples_dir, tmp_path):
    lines = (samples_dir / UL_2026).read_text().splitlines()
    lines[2] = "12345678X" + lines[2][9:]  # 1 of 9 rows: 11 %
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    refused(["load", "sirene", "--unites-legales", str(bad), "--etablissements", str(samples_dir / ZIP_ET),
             "--db", str(tmp_path / "x.duckdb")],
            f"{bad}: 1 of 9 rows rejected (> 1.0%); nothing published. Reasons: {{'invalid SIREN …: expected 9 digits': 1}}")


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("truncated.zip", "not a readable zip archive, truncated download? (File is not a zip file)"),
        ("empty", "empty file, no header line"),
        ("binary", "not UTF-8 text (byte 128: invalid start byte); is it a binary file?"),
    ],
)
def test_sirene_load_of_a_damaged_file(data_env, samples_dir, files, name, why):
    args = ["load", "sirene", "--unites-legales", str(samples_dir / UL_2026), "--db", str(files / "x.duckdb")]
    refused([*args, "--etablissements", str(files / name)], f"{files / name}: {why}")


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("nested.json", "JSON nested too deeply (more levels than any RNE payload has)"),
        ("empty", "empty JSON file"),
        ("binary", "not UTF-8 text"),
    ],
)
def test_rne_load_of_a_damaged_file(data_env, files, name, why):
    refused(["load", "inpi", "--rne", str(files / name), "--db", str(files / "x.duckdb")],
            f"no usable RNE payload in {files / name} (1 x {why}); nothing published")


def test_ratios_load_of_a_binary_file(data_env, files):
    result = runner.invoke(app, ["load", "inpi", "--ratios", str(files / "binary"), "--db", str(files / "x.duckdb")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = error_lines(result)
    assert line.startswith(f"firmo: {files / 'binary'}: ")


def test_truncated_bodacc_taz_is_named_not_aborted(data_env, files):
    refused(["load", "bodacc", str(files / "truncated.taz"), "--db", str(files / "x.duckdb")],
            f"{files / 'truncated.taz'}: ends too early, truncated download? "
            "(Compressed file ended before the end-of-stream marker was reached)")


def test_non_utf8_icp_file(data_env, files):
    result = runner.invoke(app, ["icp", "check", str(files / "latin1.yaml")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    [line] = error_lines(result)
    assert line.startswith(f"firmo: {files / 'latin1.yaml'}: not UTF-8 text")


@pytest.mark.parametrize("command", ["suppress --file", "customers"])
@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("empty", "{path}: empty file, no header"),
        ("binary", "{path}: not UTF-8 text (byte 128: invalid start byte); is it a binary file?"),
        ("missing.csv", "No such file or directory: {path}"),
    ],
)
def test_suppression_and_customers_files(data_env, files, command, name, why):
    path = files / name
    refused([*command.split(), str(path), "--db", str(files / "x.duckdb")], why.format(path=path))


def _hold_write_lock(db_file: Path) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
                               "time.sleep(60)", str(db_file)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "ready"
    return holder


def test_warehouse_locked_by_another_process(data_env, samples_dir, tmp_path):
    db_file = tmp_path / "locked.duckdb"
    holder = _hold_write_lock(db_file)
    try:
        # DuckDB names the holder by its executable (/proc/<pid>/exe: the venv link resolved)
        message = (f"the warehouse {db_file} is open for writing in process {holder.pid} "
                   f"({Path(sys.executable).resolve().name}): wait for it to finish or stop it "
                   "(make ui, firmo run, a notebook?), then try again")
        refused(["summary", "--db", str(db_file)], message)
        refused(["load", "bodacc", str(samples_dir / "bodacc" / "ods_v1_records_sample.json"), "--db", str(db_file)],
                message)
    finally:
        holder.kill()
        holder.wait()


def test_debug_shows_the_traceback(data_env, files, monkeypatch):
    args = ["load", "bodacc", str(files / "truncated.taz"), "--db", str(files / "x.duckdb")]
    result = runner.invoke(app, ["--debug", *args])
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "InputError" and isinstance(result.exception.__cause__, EOFError)
    monkeypatch.setenv("FIRMO_DEBUG", "1")
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and type(result.exception).__name__ == "InputError"


def test_the_installed_entry_point_prints_one_line(data_env, files):
    """Through a real process: stderr is exactly the line, and --debug prints the traceback."""
    args = [sys.executable, "-m", "pipelines.cli", "load", "bodacc", str(files / "truncated.taz"), "--db", str(files / "x.duckdb")]
    done = subprocess.run(args, capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    lines = [line for line in done.stderr.splitlines() if line.strip() and not LOG_LINE.match(line)]
    assert (done.returncode, lines, done.stdout) == (1, [
        f"firmo: {files / 'truncated.taz'}: ends too early, truncated download? "
        "(Compressed file ended before the end-of-stream marker was reached)"], "")
    debug = subprocess.run([*args[:3], "--debug", *args[3:]], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr
    assert "EOFError: Compressed file ended before the end-of-stream marker was reached" in debug.stderr


def _toy_app() -> typer.Typer:
    toy = typer.Typer(cls=FirmoGroup)

    @toy.callback()
    def main(debug: bool = typer.Option(False, "--debug")) -> None:
        pass

    @toy.command()
    def lookup(key: str) -> None:
        print({"a": 1}[key])

    @toy.command()
    def refuse() -> None:
        from firmo.errors import InputError

        raise InputError("x.csv: line 3\nhas a problem")

    return toy


def test_a_bug_keeps_its_traceback_after_a_line_saying_so():
    result = runner.invoke(_toy_app(), ["lookup", "b"])
    assert result.exit_code == 1 and isinstance(result.exception, KeyError)
    assert error_lines(result)[0] == ("firmo: internal error: a bug in firmo, not a problem with the input; "
                                      "the traceback follows (include it in a bug report)")
    result = runner.invoke(_toy_app(), ["refuse"])
    assert (result.exit_code, error_lines(result)) == (1, ["firmo: x.csv: line 3 has a problem"])


def test_refusal_classifies_by_type():
    import duckdb

    from sources.sirene.ingest import TooManyRejects

    assert refusal(TooManyRejects("f.csv: 3 of 5 rows rejected")) == "f.csv: 3 of 5 rows rejected"
    assert refusal(FileNotFoundError(2, "No such file or directory", "a.csv")) == "No such file or directory: a.csv"
    assert refusal(duckdb.IOException('IO Error: Cannot open file "x": Permission denied\nmore')) == (
        'IO Error: Cannot open file "x": Permission denied')
    assert refusal(KeyError("b")) is None and refusal(RecursionError()) is None
    assert refusal(ValueError("bug")) is None
    assert refusal(json.JSONDecodeError("x", "{", 1)) is None
