"""Job-change re-checks (waterfall/recheck.py) against the stand-in Apollo, PDL and Hunter, whose
world moves, promotes or adds a role to a share of people after a date (waterfall.fake.world.Careers):
who is due, cheapest vendor first, the monthly budget, the outcomes dated with evidence, the new
employer matched to a SIREN, the relation that makes a lead warm, the retired contact data the
export refuses, and the signals the scoring reads."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import date, datetime

import duckdb
import httpx
import polars as pl
import pytest

from firmo import db
from firmo.compliance import retired
from firmo.compliance.suppression import SuppressionIndex
from firmo.crm.export import screen
from firmo.signals import build_signals
from waterfall.fake import FakeConfig, build_app
from waterfall.fake.secondary_vendors import linkedin_of
from waterfall.fake.vendor import base_path
from waterfall.fake.world import Careers, World
from waterfall.providers.employment import Employment, Job, parse_month
from waterfall.providers.registry import PROVIDERS, build_provider
from waterfall.recheck import Subject, classify, employer_order, recheck, role_changed

NOW = datetime(2026, 12, 1, 9, 0)
FIRST = ["Marie", "Jean", "Luc", "Anne", "Paul", "Chloé", "Hugo", "Inès"]
LAST = ["Dupont", "Lefèvre", "Martin", "Bernard", "Moreau"]
COMPANIES = ["Acme Conseil", "Garage du Centre", "Boulangerie Martin"]
CAREERS = Careers(
    move_rate=0.3,
    promotion_rate=0.1,
    side_role_rate=0.1,
    employers=(("Nouvelle Ère Conseil", "Lyon"), ("Atelier Bois", "Nantes")),
    today=NOW.date(),
)
CONFIG = (FakeConfig(careers=CAREERS).with_provider("apollo", hit_rate=0.6).with_provider("pdl", hit_rate=0.5)
          .with_provider("hunter", hit_rate=0.5))  # fmt: skip


def subjects() -> list[Subject]:
    world = World(CONFIG.seed, CONFIG.catch_all_rate, CONFIG.invalid_rate, CONFIG.forgotten_rate, CAREERS)
    out = []
    for i, company in enumerate(COMPANIES, start=1):
        domain = World.company_domain(company)
        for first in FIRST:
            for last in LAST:
                email = world.email_of(first, last, domain)
                out.append(Subject(f"{i:09d}", company, first, last.upper(), domain, email, "valid", "Responsable",
                                   datetime(2025, 1, 1)))  # fmt: skip
    return out


@pytest.fixture()
def con():
    connection = duckdb.connect()
    db.ensure_schemas(connection)
    connection.execute("CREATE SCHEMA IF NOT EXISTS exports")
    connection.execute(
        "CREATE TABLE core.companies (siren VARCHAR, name VARCHAR, commune_name VARCHAR, active BOOLEAN)"
    )
    connection.executemany("INSERT INTO core.companies VALUES (?, ?, ?, ?)", [
        ("900000001", "NOUVELLE ERE CONSEIL", "LYON", True),
        ("900000003", "ATELIER BOIS", "NANTES", True),
    ])  # fmt: skip
    connection.execute("CREATE TABLE exports.customers (kind VARCHAR, value VARCHAR, name VARCHAR, source VARCHAR, "
                       "added_at TIMESTAMP)")  # fmt: skip
    connection.execute("INSERT INTO exports.customers VALUES ('siren', '000000001', 'Acme Conseil', 'test', ?)", [NOW])
    connection.execute("CREATE TABLE exports.crm_accounts (siren VARCHAR, domain VARCHAR, open_deals INTEGER)")
    connection.execute("INSERT INTO exports.crm_accounts VALUES ('000000002', 'garage-du-centre.fr', 1)")
    yield connection
    connection.close()


def run(con, people, *, budget=1000.0, now=NOW, days=180):
    async def main():
        app = build_app(CONFIG)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fake") as client:
            built = {n: build_provider(n, client, CONFIG.env(), base_url="http://fake" + base_path(n))
                     for n in ("apollo", "pdl", "hunter")}  # fmt: skip
            verifier = built.pop("hunter")
            report = await recheck(con, people, built, recheck_days=days, monthly_budget=budget, now=now,
                                   verifier=verifier)  # fmt: skip
            return report, app.state.fake.stats()

    return asyncio.run(main())


def test_providers_declare_the_capability_and_the_order_is_cheapest_first():
    assert sorted(n for n, spec in PROVIDERS.items() if spec.returns_employer) == [
        "apollo",
        "leadmagic",
        "lusha",
        "pdl",
        "rocketreach",
    ]
    assert not PROVIDERS["hunter"].returns_employer
    order = employer_order({"pdl": PROVIDERS["pdl"].cls, "apollo": PROVIDERS["apollo"].cls,
                            "hunter": PROVIDERS["hunter"].cls})  # fmt: skip
    assert [p.name for p in order] == ["apollo", "pdl"]  # both 1 credit: by name


def test_vendor_dates_read_as_months():
    assert [parse_month(v) for v in ("2024", "2024-07", "2024-07-19", "Sep 2022", "Sep 2022 - Present", "Present",
                                     None)] == [date(2024, 1, 1), date(2024, 7, 1), date(2024, 7, 1),
                                                date(2022, 9, 1), date(2022, 9, 1), None, None]  # fmt: skip


def test_classify_additional_role_departure_promotion_unknown():
    held = Subject("111111111", "Acme SAS", "Marie", "DUPONT", "acme.fr", "marie.dupont@acme.fr", "valid", "DAF", None)
    today = date(2026, 12, 1)
    both = Employment("apollo", True, (Job("Stealth", None, "Founder"), Job("ACME", None, "DAF")), evidence="e")
    assert classify(held, both, today) == []  # still a current employer: an additional role, no departure
    moved = Employment("apollo", True, (Job("Beta", "beta.fr", "CFO", date(2026, 4, 1)),),
                       (Job("Acme", None, "DAF", date(2019, 1, 1), date(2026, 3, 1)),), evidence="e")  # fmt: skip
    assert [(o.kind, o.change_date, o.new.domain) for o in classify(held, moved, today)] == [
        ("job_change_left", date(2026, 3, 1), "beta.fr"),
        ("job_change_joined", date(2026, 4, 1), "beta.fr"),
    ]
    promoted = Employment("pdl", True, (Job("ACME", "www.acme.fr", "Directrice générale", date(2026, 2, 1)),),
                          evidence="e")  # fmt: skip
    assert [(o.kind, o.change_date) for o in classify(held, promoted, today)] == [("promotion", date(2026, 2, 1))]
    reworded = Employment(
        "pdl", True, (Job("ACME", "acme.fr", "Directrice financière", date(2026, 2, 1)),), evidence="e"
    )
    assert classify(held, reworded, today) == []  # DAF in other words: the same role, no promotion
    assert classify(held, Employment("pdl", True, evidence="e"), today) == []  # no employer at all: not a change


def test_a_promotion_is_a_new_role_not_a_rewording():
    """role_changed: the titles read as function + seniority (firmo.personas); another function or a
    higher seniority is a promotion, the same role in other words (case, accents, abbreviations,
    English, feminine forms) is not, nor a lower seniority or a title the rules cannot read."""
    pairs = [
        ("Gérant", "Gerant"), ("Gérant", "GÉRANT"), ("Gérant", "Managing Director"), ("Gérant", "CEO"),
        ("Gérant", "Directeur général"), ("Président", "PDG"), ("Président", "Président-directeur général"),
        ("DAF", "Directrice financière"), ("DRH", "Head of People"), ("Sales Director", "Directeur des ventes"),
        ("Directeur commercial", "Responsable"), ("Gérant", "Responsable"), ("Gérant", "Associé"),
        ("Responsable", None), (None, "Directeur commercial"),
        ("Gérant", "Directeur commercial"), ("Responsable", "Directrice marketing"),
        ("Responsable commercial", "Directeur commercial"), ("DAF", "DAF et DRH"),
        ("Chargée de recrutement", "Responsable recrutement"),
    ]  # fmt: skip
    assert [role_changed(a, b) for a, b in pairs] == [False] * 15 + [True] * 5


def test_recheck_outcomes_credits_and_ledger(con):
    report, stats = run(con, subjects())
    assert (report.due, report.checked, report.not_reached) == (120, 120, 0)
    assert report.providers == ["apollo", "pdl"]
    assert report.outcomes == {"job_change_left": 28, "job_change_joined": 28, "promotion": 12, "may_have_left": 8}
    assert report.credits_by_provider == {"apollo": 71.0, "pdl": 31.0, "hunter": 9.0}
    assert report.retired == 28
    # what the fake billed is what the ledger says
    assert {n: stats[n]["credits_used"] for n in ("apollo", "pdl", "hunter")} == {"apollo": 71.0, "pdl": 31.0,
                                                                                 "hunter": 9.0}  # fmt: skip
    assert con.execute(
        "SELECT provider, outcome, count(*) FROM waterfall.rechecks GROUP BY ALL ORDER BY ALL"
    ).fetchall() == [
        ("apollo", "job_change_left", 17),
        ("apollo", "no_change", 45),
        ("apollo", "promotion", 9),
        ("apollo", "unknown", 49),
        ("hunter", "may_have_left", 8),
        ("hunter", "unknown", 10),
        ("pdl", "job_change_left", 11),
        ("pdl", "no_change", 17),
        ("pdl", "promotion", 3),
        ("pdl", "unknown", 18),
    ]
    # joined: matched by name + place (Apollo gives the city) or not at all (PDL: a domain nobody knows)
    joined = con.execute(
        "SELECT siren, siren_match, relation, provider, count(*) FROM waterfall.job_changes "
        "WHERE kind = 'job_change_joined' GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert joined == [  # customer: left Acme (000000001); open deal: left the garage (000000002)
        ("900000001", "name_place", "open_deal", "apollo", 2),
        ("900000001", "name_place", None, "apollo", 6),
        ("900000003", "name_place", "customer", "apollo", 3),
        ("900000003", "name_place", "open_deal", "apollo", 3),
        ("900000003", "name_place", None, "apollo", 3),
        (None, None, "customer", "pdl", 5),
        (None, None, "open_deal", "pdl", 3),
        (None, None, None, "pdl", 3),
    ]


def test_a_second_run_asks_nobody_and_a_later_one_asks_again(con):
    run(con, subjects())
    again, _ = run(con, subjects(), now=datetime(2026, 12, 20))
    assert (again.due, again.credits) == (0, 0.0)
    later, _ = run(con, subjects(), now=datetime(2027, 6, 30))
    assert later.due == 120


def test_the_monthly_budget_is_never_exceeded(con):
    report, stats = run(con, subjects(), budget=10.0)
    assert report.credits <= 10.0
    assert (report.checked, report.not_reached, report.credits) == (10, 110, 10.0)
    assert sum(stats[n]["credits_used"] for n in ("apollo", "pdl", "hunter")) == 10.0
    # the same month: only what is left (nothing)
    rest, _ = run(con, subjects()[60:], budget=10.0, now=datetime(2026, 12, 31))
    assert (rest.spent_before, rest.checked, rest.credits) == (10.0, 0, 0.0)


def test_a_departure_is_never_exported_again_for_the_old_company(con):
    run(con, subjects())
    gone = con.execute(
        "SELECT old_siren, first_name, last_name, email FROM waterfall.job_changes WHERE kind = 'job_change_left' "
        "ORDER BY person_key LIMIT 1"
    ).fetchone()
    siren, first, last, email = gone
    lead = {"icp": "t", "siren": siren, "siret": siren + "00011", "company_name": "Acme Conseil", "first_name": first,
            "last_name": last, "email": email, "phone": None, "statut_diffusion": "O", "lead_updated_at": NOW}  # fmt: skip
    other_address = {**lead, "email": "m.other@acme-conseil.fr"}  # the same person found again at another address
    elsewhere = {**lead, "siren": "900000001", "siret": "90000000100011"}  # the same address at another SIREN
    refused = retired.refusals(con, [lead, other_address, elsewhere])
    assert sorted(refused) == sorted([(siren, email), (siren, "m.other@acme-conseil.fr")])
    assert next(iter(refused.values())).startswith("job change: left ")
    registry = {f"retired:{s}:{e}": why for (s, e), why in refused.items()}
    frame = pl.DataFrame([lead, other_address, elsewhere])
    screened = screen(frame, SuppressionIndex({}, set()), registry)
    assert (screened.retired, [x["siren"] for x in screened.leads]) == (2, ["900000001"])


def test_job_changes_are_signals_with_the_relation_in_the_label(con):
    run(con, subjects())
    counts = build_signals(con, as_of=NOW.date())
    assert {k: v for k, v in counts.items()} == {"job_change_left": 28, "promotion": 12, "may_have_left": 8,
                                                 "job_change_joined": 17}  # fmt: skip
    warm = con.execute(
        "SELECT siren, strength, label, source FROM core.signals WHERE signal_type = 'job_change_joined' "
        "AND strength = 1.0 ORDER BY label LIMIT 1"
    ).fetchone()
    assert warm[0] in ("900000001", "900000003") and warm[3] == "job_change"
    assert " (a contact at your customer Acme Conseil)" in warm[2] or " (a contact on an open deal at " in warm[2]


def test_run_recheck_builds_the_employer_vendors_from_keys_and_urls_on_loopback(con):
    """The assets' entry point: every provider with a key whose class returns an employer, in or out
    of the chains, and the verify chain's first provider as the verifier, over real HTTP."""
    from waterfall.config import load_config
    from waterfall.fake import FakeServer
    from waterfall.recheck import run_recheck

    people = subjects()[:40]
    with FakeServer(CONFIG) as server:
        report = run_recheck(con, people, config=load_config(), env=CONFIG.env(),
                             base_urls={n: server.base_url(n) for n in PROVIDERS if PROVIDERS[n].key_env},
                             recheck_days=180, monthly_budget=1000.0, now=NOW)  # fmt: skip
        billed = server.stats()
    assert report.providers == ["apollo", "pdl", "rocketreach", "lusha", "leadmagic"]  # 1, 1, 1, 2, 3 a check
    assert (report.due, report.checked) == (40, 40)
    assert report.credits == sum(billed[n]["credits_used"] for n in billed)
    assert set(report.credits_by_provider) <= {"apollo", "pdl", "rocketreach", "lusha", "leadmagic", "hunter"}


def test_leadmagic_slots_in_by_linkedin_profile_both_spellings_and_free_not_found(con):
    from waterfall.fake.secondary_vendors import linkedin_of

    people = [replace(s, linkedin_url=linkedin_of(s.first_name, s.last_name, s.domain)) for s in subjects()]

    async def main():
        app = build_app(CONFIG)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fake") as client:
            only = {"leadmagic": build_provider("leadmagic", client, CONFIG.env(),
                                                base_url="http://fake" + base_path("leadmagic"))}  # fmt: skip
            report = await recheck(con, people, only, recheck_days=180, monthly_budget=1000.0, now=NOW)
            return report, app.state.fake.stats()["leadmagic"]

    report, billed = asyncio.run(main())
    assert report.providers == ["leadmagic"]
    assert report.outcomes == {"job_change_left": 17, "job_change_joined": 17, "promotion": 11, "may_have_left": 0}
    # 64 profiles found at 3 credits, 56 PROFILE_NOT_FOUND at 0
    assert (billed["hits"], billed["misses"], billed["credits_used"], report.credits) == (64, 56, 192.0, 192.0)
    spellings = con.execute(
        "SELECT regexp_extract(evidence, 'detector: ([A-Z_]+)', 1) AS s, count(*) FROM waterfall.job_changes "
        "WHERE kind = 'job_change_left' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert [s for s, _ in spellings] == ["JOB_CHANGE", "JOB_CHANGE_DETECTED"] and sum(n for _, n in spellings) == 17


def test_rocketreach_slots_in_by_name_and_employer_after_searching_then_complete(con):
    """RocketReach (doc §7.4, §7.11): the lookup starts `searching`, the polled profile is `complete`
    with `current_employer`, its domain and `job_history[].is_current`; 1 credit a found profile,
    `failed` (unknown) free. The new employer comes with its city: matched by name + place."""

    async def main():
        app = build_app(CONFIG)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fake") as client:
            only = {"rocketreach": build_provider("rocketreach", client, CONFIG.env(), poll_interval=0.0,
                                                  base_url="http://fake" + base_path("rocketreach"))}  # fmt: skip
            report = await recheck(con, subjects(), only, recheck_days=180, monthly_budget=1000.0, now=NOW)
            return report, app.state.fake.stats()["rocketreach"]

    report, billed = asyncio.run(main())
    assert report.providers == ["rocketreach"]
    assert report.outcomes == {"job_change_left": 17, "job_change_joined": 17, "promotion": 7, "may_have_left": 0}
    # 61 profiles complete at 1 credit, 59 failed at 0; each lookup polled twice (searching, then complete)
    assert (billed["hits"], billed["misses"], billed["credits_used"], report.credits) == (61, 59, 61.0, 61.0)
    assert billed["calls"] == {"GET /universal/person/lookup": 120, "GET /universal/person/check_status": 240}
    ledger = con.execute("SELECT person_key, outcome FROM waterfall.rechecks ORDER BY ALL").fetchall()
    assert Counter(o for _, o in ledger) == {"unknown": 59, "no_change": 37, "job_change_left": 17, "promotion": 7}
    # an additional role (two `is_current` roles, ours among them) is never a departure
    world = World(CONFIG.seed, CONFIG.catch_all_rate, CONFIG.invalid_rate, CONFIG.forgotten_rate, CAREERS)
    side = {s.key for s in subjects() if (c := world.career(s.email)) is not None and c.kind == "side_role"}
    assert {o for k, o in ledger if k in side} == {"unknown", "no_change"}
    joined = con.execute(
        "SELECT siren, siren_match, relation, count(*) FROM waterfall.job_changes "
        "WHERE kind = 'job_change_joined' GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert joined == [
        ("900000001", "name_place", "customer", 2), ("900000001", "name_place", "open_deal", 3),
        ("900000001", "name_place", None, 4), ("900000003", "name_place", "customer", 3),
        ("900000003", "name_place", "open_deal", 4), ("900000003", "name_place", None, 1)]  # fmt: skip
    first = con.execute(
        "SELECT kind, change_date, new_company, new_domain, new_title, evidence FROM waterfall.job_changes "
        "WHERE kind = 'job_change_left' ORDER BY person_key LIMIT 1"
    ).fetchone()
    assert first == ("job_change_left", date(2025, 1, 1), "Atelier Bois", "atelier-bois.fr",
                     "Directrice administrative et financière",
                     "rocketreach person/lookup: current_employer Atelier Bois (atelier-bois.fr), "
                     "current_title Directrice administrative et financière; Acme Conseil ended 2025-01")  # fmt: skip


def only(con, name, config, people):
    """A re-check asking `name` alone, in-process against the fake."""

    async def main():
        app = build_app(config)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fake") as client:
            built = {name: build_provider(name, client, config.env(), base_url="http://fake" + base_path(name))}
            report = await recheck(con, people, built, recheck_days=180, monthly_budget=1000.0, now=NOW)
            return report, app.state.fake.stats()[name]

    return asyncio.run(main())


def test_lusha_signals_company_change_and_promotion_since_enrichment(con):
    """Lusha (doc §7.5, §7.11): v2 contact signals by name + company + domain since enrichment; a
    `companyChange` is a move, a `promotion` a new title, no signal is not 'still there' (unknown);
    at least 1 credit a request, 1 per matched signal."""
    report, billed = only(con, "lusha", CONFIG, subjects())
    assert report.providers == ["lusha"]
    assert report.outcomes == {"job_change_left": 21, "job_change_joined": 21, "promotion": 6, "may_have_left": 0}
    assert (billed["hits"], billed["misses"], billed["credits_used"], report.credits) == (61, 59, 120.0, 120.0)
    assert billed["calls"] == {"POST /api/signals/contacts/search": 120}
    assert con.execute("SELECT outcome, count(*) FROM waterfall.rechecks GROUP BY ALL ORDER BY ALL").fetchall() == [
        ("job_change_left", 21), ("promotion", 6), ("unknown", 93)]  # fmt: skip
    rows = con.execute(
        "SELECT kind, change_date, new_company, new_domain, new_title, evidence FROM waterfall.job_changes "
        "WHERE kind IN ('job_change_left', 'promotion') ORDER BY person_key, kind LIMIT 2"
    ).fetchall()
    assert rows == [
        ("promotion", date(2025, 3, 1), "Acme Conseil", "acme-conseil.fr", "Directrice marketing",
         "lusha signals: promotion to Directrice marketing on 2025-03-09; title 'Responsable' -> 'Directrice marketing'"),
        ("job_change_left", date(2026, 3, 1), "Atelier Bois", "atelier-bois.fr",
         "Directrice administrative et financière",
         "lusha signals: companyChange Acme Conseil -> Atelier Bois on 2026-03-28; Acme Conseil ended 2026-03"),
    ]  # fmt: skip


def test_lusha_outside_the_signals_plan_is_dropped_for_the_run():
    """Signals are plan-gated (doc §7.5): a 403 drops Lusha for the run, nothing is billed or retired."""
    fresh = duckdb.connect()
    db.ensure_schemas(fresh)
    report, billed = only(fresh, "lusha", CONFIG.with_provider("lusha", signals_plan=False), subjects()[:5])
    assert (report.due, report.credits, billed["credits_used"], sum(report.outcomes.values())) == (5, 0.0, 0.0, 0)
    assert fresh.execute("SELECT count(*) FROM waterfall.rechecks").fetchone() == (0,)  # due again next run
    assert list(report.skipped_providers) == ["lusha"]
    assert report.skipped_providers["lusha"] == (
        "lusha: HTTP 403 on POST /lusha/api/signals/contacts/search: Signals are not included in your plan"
    )


def test_reworded_titles_of_unchanged_people_are_no_promotion():
    """The bench's world (issue 17): everyone held as "Gérant", the stand-ins answering that title for
    whoever did not change, each in its own words (RocketReach "Managing Director", Apollo "GERANT",
    PDL "gérant", LeadMagic "CEO"). Asked alone, each vendor's promotions are exactly the people the
    world promoted that it knows: a text comparison counted every RocketReach answer about an
    unchanged person as one."""
    careers = replace(CAREERS, held_title="Gérant",
                      spellings=(("rocketreach", "Managing Director"), ("apollo", "GERANT"), ("leadmagic", "CEO")))  # fmt: skip
    config = replace(CONFIG, careers=careers)
    for name in ("rocketreach", "leadmagic", "pdl"):
        config = config.with_provider(name, hit_rate=0.5)
    world = World(config.seed, config.catch_all_rate, config.invalid_rate, config.forgotten_rate, careers)
    people = [replace(s, title="Gérant", linkedin_url=linkedin_of(s.first_name, s.last_name, s.domain))
              for s in subjects()]  # fmt: skip
    promoted = {s.key for s in people if (c := world.career(s.email)) is not None and c.kind == "promoted"}
    assert len(promoted) == 14

    async def main(con, name):
        app = build_app(config)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fake") as client:
            built = {name: build_provider(name, client, config.env(), base_url="http://fake" + base_path(name),
                                          poll_interval=0.0)}  # fmt: skip
            return await recheck(con, people, built, recheck_days=180, monthly_budget=1000.0, now=NOW)

    said = {}
    for name in ("apollo", "pdl", "rocketreach", "leadmagic"):
        con = duckdb.connect()
        db.ensure_schemas(con)
        report = asyncio.run(main(con, name))
        ledger = con.execute("SELECT person_key, outcome FROM waterfall.rechecks").fetchall()
        knew = {k for k, o in ledger if o != "unknown"}
        claimed = {k for (k,) in con.execute("SELECT person_key FROM waterfall.job_changes WHERE kind = 'promotion'")
                   .fetchall()}  # fmt: skip
        assert claimed == promoted & knew, name  # every promoted person the vendor knows, no one else
        said[name] = (report.outcomes["promotion"], Counter(o for _, o in ledger)["no_change"])
        con.close()
    # (promotions, unchanged people answered in the held title's rewording)
    assert said == {"apollo": (9, 45), "pdl": (10, 44), "rocketreach": (7, 37), "leadmagic": (11, 36)}


def test_stand_ins_answer_the_held_title_for_whoever_did_not_change():
    """The fake world is consistent with what we hold (issue 17): a person whose title did not change
    gets `Careers.held_title` from every stand-in that returns a title, in the vendor's spelling when
    it has one (RocketReach used to say "Responsable" whatever the title held)."""
    careers = replace(CAREERS, held_title="Gérant", spellings=(("rocketreach", "Managing Director"),))
    config = replace(CONFIG, careers=careers)
    for name in ("rocketreach", "leadmagic", "pdl", "apollo"):
        config = config.with_provider(name, hit_rate=1.0)
    world = World(config.seed, config.catch_all_rate, config.invalid_rate, config.forgotten_rate, careers)
    person = next(replace(s, title="Gérant", linkedin_url=linkedin_of(s.first_name, s.last_name, s.domain))
                  for s in subjects() if world.career(s.email) is None)  # fmt: skip

    async def main():
        app = build_app(config)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fake") as client:
            titles = {}
            for name in ("apollo", "pdl", "rocketreach", "leadmagic"):
                provider = build_provider(name, client, config.env(), base_url="http://fake" + base_path(name),
                                          poll_interval=0.0)  # fmt: skip
                answer = await provider.current_employer(person.query())
                titles[name] = [j.title for j in answer.current]
            return titles

    assert asyncio.run(main()) == {"apollo": ["Gérant"], "pdl": ["gérant"], "rocketreach": ["Managing Director"],
                                   "leadmagic": ["Gérant"]}  # fmt: skip
