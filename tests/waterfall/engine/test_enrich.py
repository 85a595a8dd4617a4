"""enrich_leads on a hand-built leads.<icp> table: exact enriched rows, provenance, run ledger,
blocked leads, erasure, and an idempotent free re-run."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from firmo import db
from firmo.compliance import suppress
from waterfall.enrich import enrich_leads
from waterfall.providers.base import Field, Forgotten, Status

from .fakes import NOW, FakeProvider, config, hit

E, P, D, V = Field.EMAIL, Field.PHONE, Field.DOMAIN, Field.VERIFY
LEADS = [
    # rank, siren, company, website_domain, first, last, statut_diffusion
    (1, "111111111", "Acme", None, "Marie", "Dupont", "O"),
    (2, "222222222", "Beta", "beta.fr", "Jean", "Martin", "O"),
    (3, "333333333", "Gamma", None, "Paul", "Durand", "P"),
    (4, "444444444", "Delta", "delta.fr", "Luc", "Petit", "O"),
    (5, "555555555", "Epsilon", "eps.fr", "Anne", "Roux", "O"),
]


@pytest.fixture
def con(tmp_path):
    con = db.connect(tmp_path / "w.duckdb")
    con.execute("""CREATE TABLE leads.demo (icp VARCHAR, rank INTEGER, siren VARCHAR, siret VARCHAR,
        company_name VARCHAR, city VARCHAR, website_domain VARCHAR, officer_kind VARCHAR, first_name VARCHAR,
        last_name VARCHAR, job_title VARCHAR, score INTEGER, tier VARCHAR, statut_diffusion VARCHAR)""")
    con.executemany("INSERT INTO leads.demo VALUES ('demo', ?, ?, ? || '00011', ?, 'Lyon', ?, 'person', ?, ?, "
                    "'Gérant', 80, 'hot', ?)", [[r, s, s, c, d, f, la, sd] for r, s, c, d, f, la, sd in LEADS])
    suppress(con, "siren", "444444444", reason="opt-out", now=NOW)
    yield con
    con.close()


def providers():
    return [
        FakeProvider("hunter", {D, V}, {(D, "111111111"): hit("hunter", D, "acme.fr"),
                                        (V, "j.martin@beta.fr"): hit("hunter", V, "j.martin@beta.fr", Status.RISKY,
                                                                     credits=0.5)}),
        FakeProvider("findymail", {E}, {(E, "111111111"): hit("findymail", E, "marie.dupont@acme.fr"),
                                        (E, "555555555"): Forgotten("findymail: HTTP 451")}),
        FakeProvider("icypeas", {E}, {(E, "222222222"): hit("icypeas", E, "j.martin@beta.fr", Status.RISKY)}),
        FakeProvider("lusha", {P}, {(P, "111111111"): hit("lusha", P, "+33612345678", credits=5,
                                                          phone_type="mobile")}),
    ]


CFG = config({"domain": ["hunter"], "email": ["findymail", "icypeas"], "verify": ["hunter"], "phone": ["lusha"]})
ENRICHED_SQL = """SELECT siren, website_domain, domain_source, email, email_status, email_source, email_found_at,
    phone, phone_type, phone_source, phone_found_at, enrichment_reason FROM leads.demo_enriched ORDER BY rank"""
EXPECTED = [
    ("111111111", "acme.fr", "hunter", "marie.dupont@acme.fr", "valid", "findymail", NOW, "+33612345678", "mobile",
     "lusha", NOW, None),
    ("222222222", "beta.fr", "lead", "j.martin@beta.fr", "risky", "icypeas", NOW, None, None, None, None,
     "phone: not found (no match: lusha)"),
    ("333333333", None, None, None, None, None, None, None, None, None, None,
     "blocked: non-diffusible unit (SIRENE statut P)"),
    ("444444444", None, None, None, None, None, None, None, None, None, None, "blocked: suppressed: opt-out"),
]


def test_enrich_writes_exact_rows_provenance_and_run(con):
    provs = providers()
    report = asyncio.run(enrich_leads(con, "demo", CFG, {p.name: p for p in provs}, now=NOW, run_id="r1"))
    assert con.execute(ENRICHED_SQL).fetchall() == EXPECTED
    cols = [r[0] for r in con.execute("DESCRIBE leads.demo_enriched").fetchall()]
    assert cols[:3] == ["icp", "rank", "siren"] and cols[-18:] == [
        "website_domain", "domain_source", "email", "email_status", "email_source", "email_found_at", "phone",
        "phone_type", "phone_source", "phone_found_at", "enrichment_reason", "persona", "persona_source",
        "contact_function", "contact_seniority", "linkedin_url", "linkedin_source", "linkedin_found_at"]
    prov = con.execute("""SELECT siren, field, provider, value, email, status, credits, from_cache, reason
        FROM waterfall.provenance WHERE run_id = 'r1' ORDER BY siren, asked_at, field, provider""").fetchall()
    assert sorted(prov) == sorted([
        ("111111111", "domain", "hunter", "acme.fr", None, "valid", 1.0, False, None),
        ("111111111", "email", "findymail", "marie.dupont@acme.fr", "marie.dupont@acme.fr", "valid", 1.0, False, None),
        ("111111111", "phone", "lusha", "+33612345678", None, "valid", 5.0, False, None),
        ("222222222", "email", "findymail", None, None, "unknown", 0.0, False, None),
        ("222222222", "email", "icypeas", "j.martin@beta.fr", "j.martin@beta.fr", "risky", 1.0, False, None),
        ("222222222", "verify", "hunter", "j.martin@beta.fr", "j.martin@beta.fr", "risky", 0.5, False, None),
        ("222222222", "phone", "lusha", None, None, "unknown", 0.0, False, None),
    ])
    # P unit and suppressed lead: no call at all; erased person: no row left anywhere
    assert sum(p.total for p in provs) == 8
    assert con.execute("SELECT count(*) FROM leads.demo WHERE siren = '555555555'").fetchall() == [(0,)]
    assert con.execute("SELECT reason, source FROM exports.suppression WHERE value = '555555555'").fetchall() == [
        ("provider legal signal: findymail: findymail: HTTP 451", "waterfall")]
    run = con.execute("SELECT run_id, icp, started_at, leads, blocked, credits_by_provider, calls_by_provider, "
                      "hits_by_provider FROM waterfall.runs").fetchall()
    assert [r[:5] for r in run] == [("r1", "demo", NOW, 5, 2)]
    assert json.loads(run[0][5]) == {"findymail": 1.0, "hunter": 1.5, "icypeas": 1.0, "lusha": 5.0}
    assert json.loads(run[0][6]) == {"findymail": 3, "hunter": 2, "icypeas": 1, "lusha": 2}
    assert json.loads(run[0][7]) == {"findymail": 1, "hunter": 2, "icypeas": 1, "lusha": 1}
    assert report.funnel == {"leads": 5, "not blocked": 2, "domain found": 2, "email found": 2, "email valid": 1,
                             "phone found": 1}
    assert (report.forgotten, report.credits, report.stats.hit_rate("findymail")) == (1, 8.5, 0.5)
    md = report.metadata()
    assert (md["blocked"], md["forgotten"], md["leads"]) == (2, 1, 5)
    assert "| hunter | 2 | 2 | 2 | 100% | 0 | 1.50 |  |" in md["providers"]
    assert "email valid" in md["coverage"]


def test_rerun_is_free_and_gives_the_same_table(con):
    asyncio.run(enrich_leads(con, "demo", CFG, {p.name: p for p in providers()}, now=NOW, run_id="r1"))
    first = con.execute(ENRICHED_SQL).fetchall()
    again = providers()
    report = asyncio.run(enrich_leads(con, "demo", CFG, {p.name: p for p in again}, now=NOW + timedelta(hours=1),
                                      run_id="r2"))
    assert sum(p.total for p in again) == 0 and report.credits == 0
    assert con.execute(ENRICHED_SQL).fetchall() == first == EXPECTED
    assert con.execute("SELECT count(*), bool_and(from_cache), sum(credits) FROM waterfall.provenance "
                       "WHERE run_id = 'r2'").fetchall() == [(7, True, 0.0)]
    # re-recording a run id replaces its rows instead of doubling them
    asyncio.run(enrich_leads(con, "demo", CFG, {p.name: p for p in providers()}, now=NOW, run_id="r2"))
    assert con.execute("SELECT count(*) FROM waterfall.provenance WHERE run_id = 'r2'").fetchall() == [(7,)]
    assert con.execute("SELECT count(*) FROM waterfall.runs").fetchall() == [(2,)]


def test_cache_survives_in_duckdb_and_misses_expire(con):
    asyncio.run(enrich_leads(con, "demo", CFG, {p.name: p for p in providers()}, now=NOW, run_id="r1"))
    rows = con.execute("SELECT provider, field, input_key, siren, email, status, expires_at FROM waterfall.cache "
                       "ORDER BY provider, field, input_key").fetchall()
    assert rows == [
        ("findymail", "email", "jean|martin|beta.fr", "222222222", None, "unknown", NOW + timedelta(days=14)),
        ("findymail", "email", "marie|dupont|acme.fr", "111111111", "marie.dupont@acme.fr", "valid",
         NOW + timedelta(days=90)),
        ("hunter", "domain", "111111111|acme", "111111111", None, "valid", NOW + timedelta(days=90)),
        ("hunter", "verify", "j.martin@beta.fr", "222222222", "j.martin@beta.fr", "risky", NOW + timedelta(days=90)),
        ("icypeas", "email", "jean|martin|beta.fr", "222222222", "j.martin@beta.fr", "risky",
         NOW + timedelta(days=90)),
        ("lusha", "phone", "jean|martin|beta.fr", "222222222", None, "unknown", NOW + timedelta(days=14)),
        ("lusha", "phone", "marie|dupont|acme.fr", "111111111", None, "valid", NOW + timedelta(days=90)),
    ]
    later = providers()
    asyncio.run(enrich_leads(con, "demo", CFG, {p.name: p for p in later}, now=NOW + timedelta(days=20)))
    asked = sorted((p.name, w.value, s) for p in later for w, s in p.asked)
    assert asked == [("findymail", "email", "222222222"), ("lusha", "phone", "222222222")]


def test_run_enrichment_builds_providers_from_the_environment(con):
    """No key set: only the account-free `pattern` provider exists (unverified guesses, 0 credits),
    Hunter is skipped, so the lead without a domain gets no email question."""
    from waterfall.enrich import run_enrichment

    cfg = config({"domain": ["hunter"], "email": ["pattern", "findymail"], "verify": ["hunter"]})
    report = run_enrichment(con, "demo", cfg, env={}, now=NOW, run_id="env")
    rows = con.execute("SELECT siren, email, email_status, email_source, enrichment_reason FROM leads.demo_enriched "
                       "ORDER BY rank").fetchall()
    assert rows[:2] == [
        ("111111111", None, None, None, "domain: not found (no provider available); email: no company domain"),
        ("222222222", "jean.martin@beta.fr", "risky", "pattern", None),
    ]
    assert report.credits == 0 and report.stats.questions == {"pattern": 2}


def test_build_providers_gives_pattern_the_first_available_verifier():
    import httpx

    from waterfall.enrich import build_providers

    cfg = config({"email": ["pattern", "hunter", "findymail"], "verify": ["hunter", "findymail"]})

    async def go():
        async with httpx.AsyncClient() as client:
            return build_providers(cfg, client, {"FIRMO_FINDYMAIL_API_KEY": "k"})
    built = asyncio.run(go())
    assert sorted(built) == ["findymail", "pattern"]
    assert built["pattern"].verifier is built["findymail"]


def test_live_answers_carry_their_latency_cached_ones_none(con):
    asyncio.run(enrich_leads(con, "demo", CFG, {p.name: p for p in providers()}, now=NOW, run_id="r1"))
    asyncio.run(enrich_leads(con, "demo", CFG, {p.name: p for p in providers()}, now=NOW, run_id="r2"))
    got = con.execute(
        "SELECT run_id, bool_and(latency_ms >= 0), count(latency_ms), count(*) FROM waterfall.provenance "
        "WHERE reason IS NULL GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert got == [("r1", True, 7, 7), ("r2", None, 0, 7)]  # the re-run answers from the cache: no latency
