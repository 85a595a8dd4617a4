"""kill -9 of a real enrichment process at several moments, against the fake vendors on a
loopback socket: what the vendors billed in all (the fake's own credit counters) is one clean
run's credits plus, per kill, at most the questions that were in flight."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from firmo import db
from waterfall.fake import FakeConfig, FakeServer

from .enrich_child import LEAD_CONCURRENCY, PROVIDERS

CHILD = Path(__file__).with_name("enrich_child.py")
LEADS = 120
FIRST = ["Marie", "Jean", "Sophie", "Pierre", "Camille", "Nicolas", "Julie", "Thomas"]
LAST = ["Dupont", "Martin", "Bernard", "Durand", "Petit", "Leroy", "Moreau", "Fournier", "Girard", "Lefèvre"]
CONTACTS = "SELECT siren, website_domain, email, email_status, email_source FROM leads.crash_enriched ORDER BY siren"


def make_warehouse(path: Path) -> None:
    with db.connection(path) as con:
        con.execute("""CREATE TABLE leads.crash AS
            SELECT 'crash' AS icp, i::INTEGER AS rank, CAST(100000000 + i AS VARCHAR) AS siren,
                   NULL::VARCHAR AS siret, 'Entreprise ' || i AS company_name, 'Lyon' AS city,
                   CASE WHEN i % 5 = 0 THEN NULL ELSE 'entreprise-' || i || '.fr' END AS website_domain,
                   'person' AS officer_kind, $first[1 + i % 8] AS first_name, $last[1 + (i // 8) % 10] AS last_name,
                   'Gérant' AS job_title, 50 AS score, 'warm' AS tier, 'O' AS statut_diffusion
            FROM range(1, $n + 1) t(i)""", {"n": LEADS, "first": FIRST, "last": LAST})


def billed(server: FakeServer) -> float:
    return sum(server.stats()[n]["credits_used"] for n in PROVIDERS)


def requests(server: FakeServer) -> int:
    """Requests the fake has seen (read without building the whole stats document)."""
    return sum(sum(dict(server.state.calls.get(n, {})).values()) for n in PROVIDERS)


def start(path: Path, server: FakeServer, run_id: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(CHILD), str(path), server.url, run_id],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-3000:]
    return out


def kill_after(proc: subprocess.Popen, server: FakeServer, more_requests: int) -> bool:
    """SIGKILL the child once the fake has seen `more_requests` more requests; False if it ended first."""
    target = requests(server) + more_requests
    while requests(server) < target:
        if proc.poll() is not None:
            return False
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return True


@pytest.fixture(scope="module")
def fake():
    config = FakeConfig(catch_all_rate=0.15, invalid_rate=0.08)
    for name in PROVIDERS:
        config = config.with_provider(name, latency_ms=5, polls_until_ready=1)
    with FakeServer(config) as server:
        yield server


def test_kill9_costs_at_most_the_questions_in_flight(fake, tmp_path):
    clean = tmp_path / "clean.duckdb"
    make_warehouse(clean)
    finish(start(clean, fake, "clean"))
    clean_credits = billed(fake)
    with db.connection(clean, read_only=True) as con:
        expected = con.execute(CONTACTS).fetchall()
    assert clean_credits > 80 and sum(1 for r in expected if r[2]) > 50
    fake.reset()

    crashed = tmp_path / "crashed.duckdb"
    make_warehouse(crashed)
    kills = 0
    for n in range(3):  # 100 more requests into each run, then SIGKILL
        kills += kill_after(start(crashed, fake, f"killed-{n}"), fake, 100)
    assert kills == 3
    finish(start(crashed, fake, "final"))
    twice = billed(fake) - clean_credits
    print(f"\ncredits: clean run {clean_credits:g}; {kills} kills + final run {billed(fake):g}; "
          f"billed twice {twice:g}")
    # each lead has one question in flight at a time, and no question here costs more than 1 credit
    assert 0 <= twice <= kills * LEAD_CONCURRENCY * 1.0
    with db.connection(crashed, read_only=True) as con:
        assert con.execute(CONTACTS).fetchall() == expected
        ledger = con.execute("SELECT run_id, status, credits_by_provider FROM waterfall.runs ORDER BY run_id").fetchall()
    # the killed runs' spend was recorded from their journals: the ledger holds every answer paid
    # for exactly once, i.e. the clean run's credits; what the vendors billed beyond that was in flight
    assert [(r[0], r[1]) for r in ledger] == [("final", "complete"), ("killed-0:interrupted", "interrupted"),
                                              ("killed-1:interrupted", "interrupted"),
                                              ("killed-2:interrupted", "interrupted")]
    assert sum(sum(json.loads(r[2]).values()) for r in ledger) == pytest.approx(clean_credits)
    assert not list((tmp_path / "crashed.duckdb.answers").glob("*.jsonl"))
