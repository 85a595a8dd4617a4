"""The core.job_offers asset check on a hand-built table: passes on clean rows, names each offer
that breaks a rule (a credited temp agency, a repeated offer, a match without a confidence)."""

from __future__ import annotations

import duckdb

from firmo.quality import engine
from sources.jobs.quality import CHECKS

COLUMNS = "offer_id VARCHAR, siren VARCHAR, match_confidence DOUBLE, temp_agency BOOLEAN"


def outcomes(rows):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA core")
    con.execute(f"CREATE TABLE core.job_offers ({COLUMNS})")
    con.executemany("INSERT INTO core.job_offers VALUES (?, ?, ?, ?)", rows)
    result = engine.run_check(con, CHECKS[0], run_id="test")
    return {o.label: (o.success, o.unexpected, tuple(o.examples)) for o in result.outcomes}


CLEAN = [("1A", "552100554", 0.97, False), ("1B", None, None, True), ("1C", None, 0.6, False)]


def test_clean_offers_pass_every_rule():
    assert outcomes(CLEAN) == {
        "one row per offer": (True, 0, ()),
        "a temp agency's offer credits no company": (True, 0, ()),
        "a credited offer has a match confidence in 0..1": (True, 0, ()),
    }


def test_each_broken_rule_names_its_offers():
    rows = [*CLEAN, ("1A", "552100554", 0.97, False), ("2T", "732829320", 0.9, True), ("3N", "542065479", None, False)]
    assert outcomes(rows) == {
        "one row per offer": (False, 2, ("1A",)),  # both rows of 1A, the id shown once
        "a temp agency's offer credits no company": (False, 1, ("2T",)),
        "a credited offer has a match confidence in 0..1": (False, 1, ("3N",)),
    }
