"""The person's LinkedIn profile URL through the waterfall: taken from the lead when known, else
from the first answer that brings one; the vendors after it are asked with it (Kaspr needs it);
one provenance row says who gave it; a found persona brings their own."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from .fakes import NOW, FakeProvider, config, hit, memory_cache, person, run_waterfall
from waterfall.engine import LeadResult
from waterfall.providers.base import Field, Forgotten, Person, Rejected
from waterfall.provenance import ProviderStats, provenance_frame

E, P = Field.EMAIL, Field.PHONE
SIREN = "552100554"
URL = "https://www.linkedin.com/in/marie-dupont-4b2a/"


class NeedsLinkedIn(FakeProvider):
    """Kaspr's contract: refuses a person without a profile URL, records the URL it was given."""

    needs_linkedin = True

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.urls: list[str | None] = []

    async def find_phone(self, person: Person):
        self.urls.append(person.linkedin_url)
        if not person.linkedin_url:
            raise Rejected("kaspr: a LinkedIn profile URL is required")
        return await super().find_phone(person)


def run(people, providers, order) -> list[LeadResult]:
    cfg = config(order)
    return asyncio.run(run_waterfall(people, cfg, {p.name: p for p in providers}, memory_cache(cfg), now=NOW))


def test_a_profile_an_email_answer_brings_is_used_by_the_phone_chain_and_recorded():
    rocket = FakeProvider("rocketreach", {E}, {(E, SIREN): hit("rocketreach", E, "marie.dupont@acme.fr",
                                                                 linkedin_url="linkedin.com/in/Marie-Dupont-4b2a")})
    kaspr = NeedsLinkedIn("kaspr", {P}, {(P, SIREN): hit("kaspr", P, "+33612345678", phone_type="mobile")})
    [res] = run([person()], [rocket, kaspr], {"email": ["rocketreach"], "phone": ["kaspr"]})
    assert kaspr.urls == [URL]
    assert (res.linkedin.value, res.linkedin.source, res.linkedin.found_at) == (URL, "rocketreach", NOW)
    assert res.phone.value == "+33612345678"
    rows = provenance_frame("r1", "demo", [res]).select("field", "provider", "value", "credits").rows()
    assert rows == [("email", "rocketreach", "marie.dupont@acme.fr", 1.0), ("linkedin", "rocketreach", URL, 0.0),
                    ("phone", "kaspr", "+33612345678", 1.0)]  # fmt: skip
    stats = ProviderStats.of([res], {})
    assert (stats.questions, stats.hits) == ({"rocketreach": 1, "kaspr": 1}, {"rocketreach": 1, "kaspr": 1})


def test_a_profile_known_on_input_is_asked_with_in_canonical_form_and_kept():
    rocket = FakeProvider("rocketreach", {E}, {(E, SIREN): hit("rocketreach", E, "marie.dupont@acme.fr",
                                                                 linkedin_url="https://www.linkedin.com/in/other/")})
    kaspr = NeedsLinkedIn("kaspr", {P})
    lead = replace(person(), linkedin_url="http://fr.linkedin.com/in/Marie-Dupont-4b2a?trk=x")
    [res] = run([lead], [rocket, kaspr], {"email": ["rocketreach"], "phone": ["kaspr"]})
    assert kaspr.urls == [URL]
    assert (res.linkedin.value, res.linkedin.source) == (URL, "lead")
    assert "linkedin" not in provenance_frame("r1", "demo", [res])["field"].to_list()


def test_without_a_profile_kaspr_is_not_asked():
    kaspr = NeedsLinkedIn("kaspr", {P})
    [res] = run([person()], [kaspr], {"phone": ["kaspr"]})
    assert (kaspr.urls, res.linkedin, res.phone, res.credits, res.attempts) == ([], None, None, 0.0, [])
    assert (res.reason, res.unsure) == ("phone: not found", set())


def test_an_erased_person_keeps_no_profile():
    rocket = FakeProvider("rocketreach", {E}, {(E, SIREN): hit("rocketreach", E, "m@acme.fr", linkedin_url=URL)})
    kaspr = FakeProvider("kaspr", {P}, {(P, SIREN): Forgotten("kaspr: HTTP 451")})
    [res] = run([person()], [rocket, kaspr], {"email": ["rocketreach"], "phone": ["kaspr"]})
    assert (res.forgotten, res.linkedin, res.attempts) == ("kaspr: kaspr: HTTP 451", None, [])


def test_a_found_profile_is_purged_after_three_years_like_an_email():
    import duckdb

    from firmo.compliance.retention import purge_expired
    from firmo.db import ensure_schemas

    con = duckdb.connect(":memory:")
    ensure_schemas(con)
    con.execute("""CREATE TABLE leads.demo_enriched AS SELECT * FROM (VALUES
        ('111111111', 'https://www.linkedin.com/in/old/', 'rocketreach', TIMESTAMP '2023-03-01 09:00:00'),
        ('222222222', 'https://www.linkedin.com/in/new/', 'pdl', TIMESTAMP '2026-01-01 09:00:00'),
        ('333333333', 'https://www.linkedin.com/in/given/', 'lead', NULL))
        t(siren, linkedin_url, linkedin_source, linkedin_found_at)""")
    done = purge_expired(con, now=NOW)
    assert done["leads.demo_enriched[linkedin_url,linkedin_source,linkedin_found_at]"] == 1
    assert con.execute("SELECT siren, linkedin_url, linkedin_source FROM leads.demo_enriched ORDER BY siren").fetchall() == [
        ("111111111", None, None), ("222222222", "https://www.linkedin.com/in/new/", "pdl"),
        ("333333333", "https://www.linkedin.com/in/given/", "lead")]  # fmt: skip
