"""`firmo forget EMAIL` reaches the answer journal a killed enrichment run left: the journal holds
the vendors' answers (emails included) until the next run merges it, so forget merges it first and
the email is in no file the project keeps afterwards."""

from __future__ import annotations

from datetime import datetime

from typer.testing import CliRunner

from firmo import db
from pipelines.cli import app
from waterfall.cache import ensure_tables
from waterfall.journal import AnswerJournal, journal_dir

NOW = datetime(2026, 11, 2, 9, 0, 0)
EMAIL = "jeanne.martin@acme.fr"


def _answer(provider: str, email: str, siren: str, key: str) -> dict:
    return {"provider": provider, "field": "email", "input_key": key, "siren": siren, "email": email,
            "value": email, "status": "valid", "confidence": 0.95, "raw_status": "valid", "extra": "{}",
            "credits": 1.0, "fetched_at": NOW, "expires_at": datetime(2027, 1, 31, 9, 0, 0)}


def test_forget_erases_the_email_from_a_journal_a_killed_run_left(data_env, tmp_path):
    path = tmp_path / "w.duckdb"
    with db.connection(path) as con:
        ensure_tables(con)
        journal = AnswerJournal(journal_dir(con), "killed-run", "demo", NOW).open()
        journal.append(_answer("findymail", EMAIL, "443061841", "jeanne|martin|acme.fr"))
        journal.append(_answer("findymail", "paul.durand@ganymede.fr", "880878145", "paul|durand|ganymede.fr"))
        journal.close(remove=False)  # what a kill -9 leaves: the file, unlocked
    leftover = tmp_path / "w.duckdb.answers" / "killed-run.jsonl"
    assert EMAIL in leftover.read_text()

    result = CliRunner().invoke(app, ["forget", EMAIL, "--db", str(path)])

    assert result.exit_code == 0, result.output
    assert "1 answer journal(s) left by a killed enrichment run merged into the cache first (2 answers)" \
        in result.output
    assert "waterfall.cache.email                              1 rows erased" in result.output
    journals = sorted((tmp_path / "w.duckdb.answers").glob("*"))
    assert journals == []  # merged, then removed: the email is in no journal any more
    with db.connection(path, read_only=True) as con:
        assert con.execute("SELECT email FROM waterfall.cache ORDER BY email").fetchall() == [
            ("paul.durand@ganymede.fr",)]  # the colleague's answer was merged and kept
    assert EMAIL.encode() not in path.read_bytes()  # and compacted out of the working file
