"""The answer journal on its own: what a killed run leaves is merged once, with its spend; a live
run's journal, a torn last line, an erased or suppressed person, and a run killed after it
published are each handled (the kill -9 test itself is in tests/waterfall/crash)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from firmo import db
from firmo.compliance import suppress
from waterfall.cache import AnswerCache, ensure_tables
from waterfall.journal import AnswerJournal, journal_dir, recover
from waterfall.providers.base import Field, Status

from .fakes import NOW, config, hit, miss

CFG = config({"email": ["findymail"]})


@pytest.fixture
def con(tmp_path):
    con = db.connect(tmp_path / "w.duckdb")
    ensure_tables(con)
    yield con
    con.close()


def killed_run(con, run_id: str, answers, *, discard: str | None = None, close: bool = True) -> AnswerJournal:
    """What a run killed after these answers leaves behind (its cache never flushed)."""
    journal = AnswerJournal(journal_dir(con), run_id, "demo", NOW).open()
    cache = AnswerCache(con, NOW, CFG.ttl, journal=journal)
    for answer, key, siren in answers:
        cache.put(answer, key, siren)
    if discard:
        cache.discard_siren(discard)
    if close:
        journal.close(remove=False)
    return journal


def cache_rows(con):
    return con.execute("SELECT provider, input_key, siren, email, status, credits, fetched_at, expires_at "
                       "FROM waterfall.cache ORDER BY provider, input_key").fetchall()


def test_a_killed_runs_answers_are_merged_once_with_its_spend(con, tmp_path):
    killed_run(con, "r1", [(hit("findymail", Field.EMAIL, "marie.dupont@acme.fr"), "marie|dupont|acme.fr", "111111111"),
                           (miss("icypeas", Field.EMAIL), "jean|martin|beta.fr", "222222222"),
                           (hit("hunter", Field.VERIFY, "j.martin@beta.fr", Status.RISKY, credits=0.5),
                            "j.martin@beta.fr", "222222222")])
    path = tmp_path / "w.duckdb.answers" / "r1.jsonl"
    assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"
    got = recover(con)
    assert (got.journals, got.answers, got.credits, got.erased, got.torn) == (1, 3, 1.5, 0, 0)
    assert cache_rows(con) == [
        ("findymail", "marie|dupont|acme.fr", "111111111", "marie.dupont@acme.fr", "valid", 1.0, NOW,
         NOW + timedelta(days=90)),
        ("hunter", "j.martin@beta.fr", "222222222", "j.martin@beta.fr", "risky", 0.5, NOW, NOW + timedelta(days=90)),
        ("icypeas", "jean|martin|beta.fr", "222222222", None, "unknown", 0.0, NOW, NOW + timedelta(days=14)),
    ]
    runs = con.execute("SELECT run_id, icp, status, started_at, leads, credits_by_provider FROM waterfall.runs"
                       ).fetchall()
    assert [r[:5] for r in runs] == [("r1:interrupted", "demo", "interrupted", NOW, 2)]
    assert json.loads(runs[0][5]) == {"findymail": 1.0, "hunter": 0.5}
    assert con.execute("SELECT count(*), sum(credits), any_value(reason) FROM waterfall.provenance").fetchall() == [
        (3, 1.5, "recovered: the run was killed before it finished")]
    assert not path.exists()
    assert recover(con).journals == 0 and cache_rows(con)[0][0] == "findymail"  # nothing merged twice
    assert con.execute("SELECT count(*) FROM waterfall.runs").fetchall() == [(1,)]


def test_a_live_runs_journal_is_left_alone(con, tmp_path):
    live = killed_run(con, "live", [(hit("findymail", Field.EMAIL, "m@acme.fr"), "m|d|acme.fr", "111111111")],
                      close=False)
    try:
        assert recover(con).journals == 0 and cache_rows(con) == []
    finally:
        live.close(remove=True)
    assert not list((tmp_path / "w.duckdb.answers").glob("*.jsonl"))


def test_a_torn_line_an_erased_person_and_a_suppressed_email_are_not_merged(con, tmp_path):
    killed_run(con, "r2", [(hit("findymail", Field.EMAIL, "marie.dupont@acme.fr"), "marie|dupont|acme.fr", "111111111"),
                           (hit("findymail", Field.EMAIL, "paul.durand@gamma.fr"), "paul|durand|gamma.fr", "333333333"),
                           (hit("icypeas", Field.EMAIL, "j.martin@beta.fr"), "jean|martin|beta.fr", "222222222")],
               discard="333333333")
    suppress(con, "email", "j.martin@beta.fr", reason="erasure request", now=NOW)
    path = tmp_path / "w.duckdb.answers" / "r2.jsonl"
    with open(path, "ab") as f:
        f.write(b'{"a": {"provider": "findymail", "field": "em')  # the write a kill cut short
    got = recover(con)
    assert (got.answers, got.erased, got.torn) == (1, 2, 1)
    assert [r[:3] for r in cache_rows(con)] == [("findymail", "marie|dupont|acme.fr", "111111111")]


def test_a_run_killed_after_it_published_is_not_recorded_twice(con):
    killed_run(con, "r3", [(hit("findymail", Field.EMAIL, "m@acme.fr"), "m|d|acme.fr", "111111111")])
    con.execute("INSERT INTO waterfall.runs (run_id, icp, started_at, finished_at, leads, blocked) "
                "VALUES ('r3', 'demo', ?, ?, 1, 0)", [NOW, NOW])
    assert recover(con).answers == 1
    assert con.execute("SELECT run_id, status FROM waterfall.runs").fetchall() == [("r3", "complete")]
    assert con.execute("SELECT count(*) FROM waterfall.provenance").fetchall() == [(0,)]


def test_a_newer_cached_answer_is_not_replaced_by_an_older_journal(con):
    killed_run(con, "old", [(hit("findymail", Field.EMAIL, "old@acme.fr"), "m|d|acme.fr", "111111111")])
    newer = AnswerCache(con, NOW + timedelta(days=1), CFG.ttl)
    newer.put(hit("findymail", Field.EMAIL, "new@acme.fr"), "m|d|acme.fr", "111111111")
    newer.flush()
    recover(con)
    assert [r[3] for r in cache_rows(con)] == ["new@acme.fr"]


def test_an_in_memory_warehouse_has_no_journal():
    import duckdb

    assert journal_dir(duckdb.connect()) is None
