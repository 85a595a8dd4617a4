"""The people step against the loopback stand-ins of Hunter (domain search by department and
seniority), Apollo (people API search, then match by id), Lusha (v3 prospecting) and PDL (person
search): exact requests and credits, the found person going through the email and phone chains,
the lead re-graded, the budget, and a second run answered from the cache."""

from __future__ import annotations

from datetime import datetime

import pytest

from firmo import db
from firmo.icp.authority import AuthorityPlan
from firmo.personas import Persona
from waterfall.config import from_mapping
from waterfall.enrich import run_enrichment
from waterfall.fake import FakeConfig, FakeServer

NOW = datetime(2026, 3, 2, 9, 0)
PLAN = AuthorityPlan("demo", (Persona("finance", "head"),), 100.0, 0.5, 65, 45)
LEADS = [
    # rank, siren, company, domain, officer first and last name
    (1, "111111111", "Acme", "acme.fr", "Marie", "DUPONT"),  # Hunter knows the finance head
    (2, "222222222", "Gamma", "gamma.fr", "Paul", "DURAND"),  # only Apollo and Lusha do
    (3, "333333333", "Omega", "omega.fr", "Luc", "PETIT"),  # Apollo and PDL do
    (4, "444444444", "Beta", "beta.fr", "Anne", "ROUX"),  # nobody has a finance head there
    (5, "555555555", "Nodomain", None, "Jean", "BLANC"),  # no domain: the people step is not asked
]
WATERFALL = {"order": {"domain": [], "people": ["hunter", "apollo", "lusha", "pdl"], "email": ["hunter"],
                       "verify": [], "phone": ["lusha"]},
             "lead_concurrency": 1, "defaults": {"rps": None, "rpm": None},
             # the people step alone: no company-level waterfall (tests/waterfall/engine/test_company.py)
             "company": {"domain": [], "linkedin_company": [], "switchboard_phone": [], "headcount": []}}  # fmt: skip


@pytest.fixture
def con(tmp_path):
    con = db.connect(tmp_path / "w.duckdb")
    con.execute("""CREATE TABLE leads.demo (icp VARCHAR, rank INTEGER, siren VARCHAR, siret VARCHAR,
        company_name VARCHAR, city VARCHAR, website_domain VARCHAR, officer_kind VARCHAR, first_name VARCHAR,
        last_name VARCHAR, job_title VARCHAR, contact_basis VARCHAR, authority_fit INTEGER, authority_share DOUBLE,
        fit_score INTEGER, intent_score INTEGER, score INTEGER, tier VARCHAR, bant_authority VARCHAR,
        statut_diffusion VARCHAR)""")
    con.executemany(
        "INSERT INTO leads.demo VALUES ('demo', ?, ?, ? || '00011', ?, 'Lyon', ?, 'person', ?, ?, 'Président de SAS', "
        "'officer', 80, 0.25, 70, 40, 55, 'warm', 'Président de SAS (target role #1)', 'O')",
        [[r, s, s, c, d, f, la] for r, s, c, d, f, la in LEADS],
    )
    yield con
    con.close()


def enrich(con, server, fake, run_id, waterfall=WATERFALL, plan=PLAN):
    base_urls = {name: server.base_url(name) for name in fake.providers}
    return run_enrichment(
        con, "demo", from_mapping(waterfall), env=fake.env(), base_urls=base_urls, now=NOW, run_id=run_id, plan=plan
    )


def calls(server) -> dict[str, dict[str, int]]:
    return {n: s["calls"] for n, s in server.stats().items() if s["calls"]}


ROWS_SQL = """SELECT siren, first_name, last_name, job_title, contact_basis, persona, persona_source, contact_seniority,
    email, email_status, email_source, authority_fit, fit_score, score, tier, bant_authority
    FROM leads.demo_enriched ORDER BY rank"""
OFFICER = ("Président de SAS", "officer", None, None, None)
KEPT = (80, 70, 55, "warm", "Président de SAS (target role #1)")
# fit 70 + share 0.25 x (persona 100 - officer 80) = 75; score 0.5 x 75 + 0.5 x 40 = 57.5 -> 58, warm
REGRADED = (100, 75, 58, "warm")
EXPECTED = [
    ("111111111", "Émilie", "BERNARD", "Finance Director", "persona", "finance #1", "hunter", "head",
     "emilie.bernard@acme.fr", "valid", "hunter", *REGRADED, "Finance Director (persona #1: finance head)"),
    ("222222222", "Pierre", "MOREAU", "Directrice administrative et financière", "persona", "finance #1", "apollo",
     "head", None, None, None, *REGRADED,
     "Directrice administrative et financière (persona #1: finance head)"),
    ("333333333", "Hugo", "DAVID", "Head of Finance", "persona", "finance #1", "apollo", "head",
     "hugo.david@omega.fr", "valid", "apollo", *REGRADED, "Head of Finance (persona #1: finance head)"),
    ("444444444", "Anne", "ROUX", *OFFICER, "anne.roux@beta.fr", "valid", "hunter", *KEPT),
    ("555555555", "Jean", "BLANC", *OFFICER, None, None, None, *KEPT),
]  # fmt: skip
FIRST_RUN_CALLS = {
    # Hunter: a domain search for each lead with a domain (Acme's answer carries a verified address,
    # so no finder call there; Omega's came with Apollo's reveal); the finder for Gamma's persona
    # (Apollo's address was only 'guessed') and for Beta's officer
    "hunter": {"GET /domain-search": 4, "GET /email-finder": 2},
    # Apollo: a free search where Hunter missed, a paid reveal by id for the two hits
    "apollo": {"POST /mixed_people/api_search": 3, "POST /people/match": 2},
    "lusha": {"POST /v3/contacts/prospecting": 1, "GET /v2/person": 5},  # prospecting: Beta only
    "pdl": {"POST /person/search": 1},  # Beta only: 404, free
}


def test_personas_are_found_at_the_cheapest_vendor_then_enriched_and_regraded(con):
    fake = FakeConfig()
    with FakeServer(fake) as server:
        report = enrich(con, server, fake, "p1")
        first = calls(server)
        used = {n: s["credits_used"] for n, s in server.stats().items() if s["credits_used"]}
        server.reset()
        again = enrich(con, server, fake, "p2")
        second = calls(server)
    assert first == FIRST_RUN_CALLS
    # Hunter: Acme's domain search 1 (1-10 addresses) + Beta's finder 1; Apollo: two reveals;
    # Lusha: Gamma's person lookup (an address, no phone: 1); empty searches are free
    assert used == {"hunter": 2.0, "apollo": 2.0, "lusha": 1.0}
    assert report.credits == 5.0 and report.stats.credits == {"hunter": 2.0, "apollo": 2.0, "lusha": 1.0}
    assert con.execute(ROWS_SQL).fetchall() == EXPECTED
    reasons = con.execute("SELECT siren, enrichment_reason, linkedin_url FROM leads.demo_enriched ORDER BY rank")
    assert reasons.fetchall() == [
        ("111111111", "phone: not found (no match: lusha)", None),
        ("222222222", "email: not found (no match: hunter); phone: not found (no match: lusha)",
         "https://www.linkedin.com/in/pierre-moreau-2/"),  # the canonical form (waterfall.providers.linkedin)
        ("333333333", "phone: not found (no match: lusha)", "https://www.linkedin.com/in/hugo-david-2/"),
        ("444444444", "people: not found (no match: hunter, apollo, lusha, pdl); phone: not found (no match: lusha)",
         None),
        ("555555555", "people: no company domain; email: no company domain; phone: not found (no match: lusha)", None),
    ]  # fmt: skip
    people = con.execute("SELECT siren, provider, value, credits FROM waterfall.provenance WHERE run_id = 'p1' "
                         "AND field = 'people' ORDER BY siren, provider").fetchall()  # fmt: skip
    assert people == [
        ("111111111", "hunter", "Émilie BERNARD", 1.0),
        ("222222222", "apollo", "Pierre MOREAU", 1.0), ("222222222", "hunter", None, 0.0),
        ("333333333", "apollo", "Hugo DAVID", 1.0), ("333333333", "hunter", None, 0.0),
        ("444444444", "apollo", None, 0.0), ("444444444", "hunter", None, 0.0), ("444444444", "lusha", None, 0.0),
        ("444444444", "pdl", None, 0.0),
    ]  # fmt: skip
    # the second run asks nothing: every people, email and phone answer comes from the cache
    assert second == {} and again.credits == 0
    assert con.execute("SELECT count(*), bool_and(from_cache) FROM waterfall.provenance WHERE run_id = 'p2' "
                       "AND field = 'people'").fetchall() == [(9, True)]  # fmt: skip
    assert con.execute(ROWS_SQL).fetchall() == EXPECTED


def test_a_people_question_over_the_lead_budget_is_not_asked(con):
    fake = FakeConfig()
    tight = {**WATERFALL, "budget": {"per_lead": 0.5}}  # below every people search's 1-credit ceiling
    with FakeServer(fake) as server:
        report = enrich(con, server, fake, "tight", waterfall=tight)
        assert calls(server) == {}
    assert report.credits == 0
    row = con.execute("SELECT contact_basis, first_name, enrichment_reason FROM leads.demo_enriched WHERE rank = 1")
    assert row.fetchall() == [
        (
            "officer",
            "Marie",
            "people: not found (budget exhausted); email: not found "
            "(budget exhausted); phone: not found (budget exhausted)",
        )
    ]


def test_no_persona_no_people_step(con):
    fake = FakeConfig()
    with FakeServer(fake) as server:
        enrich(con, server, fake, "none", plan=None)
        assert "POST /mixed_people/api_search" not in calls(server).get("apollo", {})
        assert calls(server)["hunter"] == {"GET /email-finder": 4}
    assert con.execute("SELECT count(*) FROM leads.demo_enriched WHERE contact_basis = 'persona'").fetchall() == [(0,)]
