"""A run whose providers all fail does not erase what an earlier run found (defect: 0 emails
published over a list that had them, and the export saw every lead 'changed'). Only a re-check
that worked removes a value; another person at the company gets nothing of the previous one."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from firmo import db
from pipelines.summary import lead_lines
from waterfall.enrich import enrich_leads
from waterfall.providers.base import Field, Transient

from .fakes import NOW, FakeProvider, config, hit

E, P, D, V = Field.EMAIL, Field.PHONE, Field.DOMAIN, Field.VERIFY
CFG = config({"domain": ["hunter"], "email": ["findymail", "icypeas"], "verify": ["hunter"], "phone": ["lusha"]},
             defaults={"rps": None, "breaker_threshold": 100, "retries": {"attempts": 1}})
CONTACTS = """SELECT siren, website_domain, domain_source, email, email_status, email_source, email_found_at,
    phone, phone_type, phone_source, phone_found_at FROM leads.demo_enriched ORDER BY rank"""
FIRST_RUN = [
    ("111111111", "acme.fr", "hunter", "marie.dupont@acme.fr", "valid", "findymail", NOW, "+33612345678", "mobile",
     "lusha", NOW),
    ("222222222", "beta.fr", "lead", "j.martin@beta.fr", "valid", "icypeas", NOW, None, None, None, None),
]


@pytest.fixture
def con(tmp_path):
    con = db.connect(tmp_path / "w.duckdb")
    con.execute("""CREATE TABLE leads.demo (icp VARCHAR, rank INTEGER, siren VARCHAR, company_name VARCHAR,
        website_domain VARCHAR, first_name VARCHAR, last_name VARCHAR, tier VARCHAR, statut_diffusion VARCHAR)""")
    con.execute("""INSERT INTO leads.demo VALUES ('demo', 1, '111111111', 'Acme', NULL, 'Marie', 'Dupont', 'hot', 'O'),
                                                 ('demo', 2, '222222222', 'Beta', 'beta.fr', 'Jean', 'Martin', 'warm', 'O')""")
    yield con
    con.close()


def finding():
    return [
        FakeProvider("hunter", {D, V}, {(D, "111111111"): hit("hunter", D, "acme.fr")}),
        FakeProvider("findymail", {E}, {(E, "111111111"): hit("findymail", E, "marie.dupont@acme.fr")}),
        FakeProvider("icypeas", {E}, {(E, "222222222"): hit("icypeas", E, "j.martin@beta.fr")}),
        FakeProvider("lusha", {P}, {(P, "111111111"): hit("lusha", P, "+33612345678", credits=5, phone_type="mobile")}),
    ]


def failing():
    down = Transient("HTTP 503")
    return [FakeProvider("hunter", {D, V}, {(D, s): down for s in ("111111111", "222222222")}),
            FakeProvider("findymail", {E}, {(E, s): down for s in ("111111111", "222222222")}),
            FakeProvider("icypeas", {E}, {(E, s): down for s in ("111111111", "222222222")}),
            FakeProvider("lusha", {P}, {(P, s): down for s in ("111111111", "222222222")})]


def run(con, providers, when, run_id):
    return asyncio.run(enrich_leads(con, "demo", CFG, {p.name: p for p in providers}, now=when, run_id=run_id))


def test_all_failing_run_after_the_cache_expired_keeps_the_earlier_contacts(con):
    first = run(con, finding(), NOW, "r1")
    assert con.execute(CONTACTS).fetchall() == FIRST_RUN and first.credits == 8.0
    later = NOW + timedelta(days=100)  # every cached answer expired (hits live 90 days)
    providers = failing()
    report = run(con, providers, later, "r2")
    assert sum(p.total for p in providers) == 5  # everything was asked again (lead 1 has no domain to ask an email on)
    assert con.execute(CONTACTS).fetchall() == FIRST_RUN  # same values, same sources and dates
    reasons = [r[0] for r in con.execute("SELECT enrichment_reason FROM leads.demo_enriched ORDER BY rank").fetchall()]
    assert reasons == [
        "domain: kept the earlier value (hunter), this run could not re-check it: not found (transient: HTTP 503); "
        "email: kept the earlier value (findymail, found 2026-03-02), this run could not re-check it: "
        "no company domain; "
        "phone: kept the earlier value (lusha, found 2026-03-02), this run could not re-check it: not found "
        "(transient: HTTP 503)",
        "email: kept the earlier value (icypeas, found 2026-03-02), this run could not re-check it: not found "
        "(transient: HTTP 503); "
        "phone: not found (transient: HTTP 503)",
    ]
    assert (report.kept, report.unsure, report.credits) == ({"domain": 1, "email": 2, "phone": 1}, 2, 0)
    assert report.metadata()["kept from the previous list"] == "domain 1, email 2, phone 1"
    ledger = con.execute("SELECT run_id, kept_by_field, failed_questions, status FROM waterfall.runs "
                         "ORDER BY run_id").fetchall()
    assert [(r[0], json.loads(r[1]), r[2], r[3]) for r in ledger] == [
        ("r1", {}, 0, "complete"), ("r2", {"domain": 1, "email": 2, "phone": 1}, 5, "complete")]
    # the summary shows this run's credits (0), not the running total (8), and says what it kept
    lines = lead_lines(con)
    assert lines[2].split()[-1] == "0.0"
    assert lines[3] == "  demo: the last enrichment could not re-check and kept the earlier 1 domain, 2 emails, 1 phone"


def test_a_recheck_that_worked_removes_the_value(con):
    run(con, finding(), NOW, "r1")
    nobody = [FakeProvider(n, f) for n, f in (("hunter", {D, V}), ("findymail", {E}), ("icypeas", {E}),
                                               ("lusha", {P}))]
    report = run(con, nobody, NOW + timedelta(days=100), "r2")
    assert report.kept == {} and report.unsure == 0
    assert con.execute("SELECT count(email), count(phone) FROM leads.demo_enriched").fetchall() == [(0, 0)]


def test_another_person_at_the_company_gets_nothing_of_the_previous_one(con):
    run(con, finding(), NOW, "r1")
    con.execute("UPDATE leads.demo SET first_name = 'Paul', last_name = 'Durand' WHERE siren = '222222222'")
    report = run(con, failing(), NOW + timedelta(days=100), "r2")
    rows = con.execute("SELECT siren, email FROM leads.demo_enriched ORDER BY rank").fetchall()
    assert rows == [("111111111", "marie.dupont@acme.fr"), ("222222222", None)]
    assert report.kept == {"domain": 1, "email": 1, "phone": 1}


def test_a_kept_value_suppressed_since_is_not_kept(con):
    from firmo.compliance import suppress

    run(con, finding(), NOW, "r1")
    suppress(con, "email", "j.martin@beta.fr", reason="opt-out", now=NOW)
    report = run(con, failing(), NOW + timedelta(days=100), "r2")
    rows = con.execute("SELECT siren, email, email_status FROM leads.demo_enriched ORDER BY rank").fetchall()
    assert rows == [("111111111", "marie.dupont@acme.fr", "valid"), ("222222222", None, None)]
    assert report.kept["email"] == 1
