"""Kaspr, Datagma, LeadMagic, RocketReach and PDL person enrich against their stand-ins (in-process
ASGI): the exact request each adapter sends (golden), hits, misses, each vendor's bad key, out of
credits, rate limit (RocketReach's Retry-After) and erasure, with the credits each one bills."""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
import pytest

from .conftest import adapter, pick, world_of
from waterfall.fake import FakeConfig, build_app
from waterfall.fake.secondary_vendors import linkedin_of, who_is
from waterfall.providers.base import (
    AuthFailed,
    Field,
    Forgotten,
    QuotaExhausted,
    RateLimited,
    Rejected,
    Status,
)
from waterfall.providers.phones import to_e164

pytestmark = pytest.mark.anyio
BASE = FakeConfig(catch_all_rate=0.0, invalid_rate=0.0)
NEW = ["kaspr", "datagma", "leadmagic", "rocketreach", "pdl"]
EMAIL_CREDITS = {"kaspr": 1.0, "datagma": 1.0, "leadmagic": 1.0, "rocketreach": 2.0, "pdl": 1.0}
EMAIL_STATUS = {"kaspr": Status.RISKY, "datagma": Status.VALID, "leadmagic": Status.VALID,
                "rocketreach": Status.VALID, "pdl": Status.RISKY}  # fmt: skip


class Recorder(httpx.ASGITransport):
    def __init__(self, config: FakeConfig) -> None:
        super().__init__(app=build_app(config))
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await super().handle_async_request(request)


def recording(config: FakeConfig) -> tuple[httpx.AsyncClient, Recorder]:
    transport = Recorder(config)
    return httpx.AsyncClient(transport=transport, base_url="http://fake"), transport


def known(name, config, phone=None):
    b = config.behaviour(name)

    def want(world, p):
        if not world.knows(name, p.first_name, p.last_name, p.domain, b.hit_rate):
            return False
        has = world.has_phone(name, p.first_name, p.last_name, p.domain, b.phone_rate)
        return not has if phone is None else has and world.phone_of(p.first_name, p.last_name, p.domain)[1] == phone

    return want


def unknown(name, config):
    rate = config.behaviour(name).hit_rate
    return lambda world, p: not world.knows(name, p.first_name, p.last_name, p.domain, rate)


def with_linkedin(person):
    return replace(person, linkedin_url=linkedin_of(person.first_name, person.last_name, person.domain))


def subject(name, config, want):
    person = pick(config, name, want)
    return with_linkedin(person) if name == "kaspr" else person


def test_the_fake_worlds_linkedin_urls_say_who_they_are():
    url = linkedin_of("Jean-Pierre", "de La Fontaine", "Acme-Conseil.fr")
    assert url.startswith("https://www.linkedin.com/in/jeanpierre-delafontaine-") and url.endswith("/")
    assert who_is(url) == ("Jean-Pierre", "de La Fontaine", "acme-conseil.fr")
    assert who_is("linkedin.com/in/" + url.split("/in/")[1].rstrip("/")) == who_is(url)
    assert who_is("https://www.linkedin.com/in/ada-lovelace/") is None
    assert who_is("https://www.linkedin.com/company/acme/") is None


async def test_golden_requests():
    """What each adapter sends, exactly: path, query or body, auth headers."""
    client, rec = recording(BASE)
    async with client:
        p = pick(BASE, "x", lambda w, p: True)
        lk = linkedin_of(p.first_name, p.last_name, p.domain)
        slug = lk.split("/in/")[1].rstrip("/")
        await adapter("kaspr", client, BASE).find_email(replace(p, linkedin_url=lk.upper()))
        await adapter("datagma", client, BASE).find_email(p)
        await adapter("datagma", client, BASE).find_phone(p)
        await adapter("leadmagic", client, BASE).find_email(p)
        await adapter("rocketreach", client, BASE).find_email(p)
        rocket = len(rec.requests) - 4  # the lookup and its polls
        await adapter("rocketreach", client, BASE).find_phone(replace(p, linkedin_url=lk))
        await adapter("pdl", client, BASE).find_email(p)
        await adapter("pdl", client, BASE).find_phone(replace(p, linkedin_url=lk))
    by = {}
    for r in rec.requests:
        by.setdefault(r.url.path, []).append(r)
    kaspr = by["/kaspr/profile/linkedin"][0]
    assert json.loads(kaspr.content) == {"id": slug, "name": f"{p.first_name} {p.last_name}",
                                         "dataToGet": ["workEmail"], "requiredData": ["workEmail"]}  # fmt: skip
    assert (kaspr.method, kaspr.headers["authorization"], kaspr.headers["accept-version"]) == (
        "POST", "Bearer fake-kaspr-key", "v2.0")  # fmt: skip
    email, phone = by["/datagma/api/ingress/v8/findEmail"][0], by["/datagma/api/ingress/v2/full"][0]
    name = f"{p.first_name} {p.last_name}"
    assert dict(email.url.params) == {"apiId": "fake-datagma-key", "fullName": name, "company": p.domain,
                                      "findEmailV2Step": "3", "findEmailV2Country": "General"}  # fmt: skip
    assert dict(phone.url.params) == {"apiId": "fake-datagma-key", "fullName": name, "company": p.domain,
                                      "phoneFull": "true"}  # fmt: skip
    lm = by["/leadmagic/v1/people/email-finder"][0]
    assert (json.loads(lm.content), lm.headers["x-api-key"]) == (
        {"first_name": p.first_name, "last_name": p.last_name, "domain": p.domain}, "fake-leadmagic-key")
    first, second = by["/rocketreach/api/v2/universal/person/lookup"]
    assert dict(first.url.params) == {"name": name, "current_employer": p.company_name,
                                      "reveal_professional_email": "true"}  # fmt: skip
    assert dict(second.url.params) == {"linkedin_url": lk, "reveal_phone": "true"}
    assert first.headers["api-key"] == "fake-rocketreach-key"
    polls = by["/rocketreach/api/v2/universal/person/check_status"]
    assert rocket == 3 and dict(polls[0].url.params) == {"ids": "1"}  # lookup, not ready once, then the profile
    pdl_email, pdl_phone = by["/pdl/v5/person/enrich"]
    assert dict(pdl_email.url.params) == {"name": name, "company": p.domain, "min_likelihood": "6",
                                          "required": "work_email"}  # fmt: skip
    assert dict(pdl_phone.url.params) == {"profile": "linkedin.com/in/" + slug, "min_likelihood": "6",
                                          "required": "mobile_phone"}  # fmt: skip
    assert pdl_email.headers["x-api-key"] == "fake-pdl-key"


@pytest.mark.parametrize("name", NEW)
async def test_email_hit_and_miss_with_the_vendors_price(name):
    client, _ = recording(BASE)
    async with client:
        provider = adapter(name, client, BASE)
        person = subject(name, BASE, known(name, BASE))
        answer = await provider.find_email(person)
        expected = world_of(BASE).email_of(person.first_name, person.last_name, person.domain)
        assert (answer.provider, answer.field, answer.value, answer.status, answer.credits) == (
            name, Field.EMAIL, expected, EMAIL_STATUS[name], EMAIL_CREDITS[name])  # fmt: skip
        miss = await provider.find_email(subject(name, BASE, unknown(name, BASE)))
        assert (miss.value, miss.found, miss.credits) == (None, False, 0.0)
        stats = (await client.get("/__fake/stats")).json()[name]
        assert (stats["credits_used"], stats["hits"], stats["misses"]) == (EMAIL_CREDITS[name], 1, 1)


async def test_what_comes_back_beside_the_email():
    client, _ = recording(BASE)
    async with client:
        for name, raw, extra in [
            ("kaspr", "starry", {"credit_type": "b2b_email"}),
            ("rocketreach", "valid", {}),
            ("pdl", "likelihood 8", {}),
        ]:
            person = subject(name, BASE, known(name, BASE))
            lk = linkedin_of(person.first_name, person.last_name, person.domain)
            answer = await adapter(name, client, BASE).find_email(person)
            assert answer.raw_status == raw
            assert {k: v for k, v in answer.extra.items() if k != "vendor_id"} == {**extra, "linkedin_url": lk}
        pdl = await adapter("pdl", client, BASE).find_email(pick(BASE, "pdl", known("pdl", BASE)))
        assert pdl.confidence == 0.8 and pdl.extra["vendor_id"].startswith("pdl-")


@pytest.mark.parametrize(("name", "credits"), [("kaspr", 1.0), ("datagma", 30.0), ("rocketreach", 6.0),
                                               ("pdl", 1.0)])  # fmt: skip
async def test_mobile_phone_in_e164_at_the_vendors_price(name, credits):
    config = BASE.with_provider(name, phone_rate=0.8)
    client, _ = recording(config)
    async with client:
        person = subject(name, config, known(name, config, phone="mobile"))
        answer = await adapter(name, client, config).find_phone(person)
        national, _ = world_of(config).phone_of(person.first_name, person.last_name, person.domain)
        assert (answer.value, answer.status, answer.credits, answer.extra["phone_type"]) == (
            to_e164(national), Status.VALID, credits, "mobile")  # fmt: skip
        none = subject(name, config, known(name, config))  # known, without a phone
        miss = await adapter(name, client, config).find_phone(none)
        assert (miss.value, miss.credits) == (None, 0.0)


async def test_datagma_catch_all_guess_is_a_free_fallback_and_leadmagic_says_catch_all():
    config = FakeConfig(catch_all_rate=1.0, invalid_rate=0.0)
    client, _ = recording(config)
    async with client:
        p = pick(config, "datagma", known("datagma", config))
        guess = await adapter("datagma", client, config).find_email(p)
        assert (guess.value, guess.status, guess.credits, guess.raw_status) == (
            world_of(config).email_of(p.first_name, p.last_name, p.domain), Status.RISKY, 0.0, "catch_all")
        p = pick(config, "leadmagic", known("leadmagic", config))
        lm = await adapter("leadmagic", client, config).find_email(p)
        assert (lm.status, lm.credits, lm.raw_status) == (Status.RISKY, 1.0, "catch_all")
        p = pick(config, "rocketreach", known("rocketreach", config))
        rr = await adapter("rocketreach", client, config).find_email(p)
        assert (rr.status, rr.credits, rr.raw_status) == (Status.RISKY, 2.0, "inconclusive")


async def test_kaspr_needs_a_linkedin_profile_and_leadmagic_a_domain():
    client, rec = recording(BASE)
    async with client:
        p = pick(BASE, "kaspr", known("kaspr", BASE))
        with pytest.raises(Rejected, match="kaspr: a LinkedIn profile URL is required"):
            await adapter("kaspr", client, BASE).find_email(p)
        with pytest.raises(Rejected, match="kaspr: a LinkedIn profile URL is required"):
            await adapter("kaspr", client, BASE).find_email(
                replace(p, linkedin_url="https://www.linkedin.com/sales/lead/ACwAAA"))
        with pytest.raises(Rejected, match="leadmagic: a company domain is required"):
            await adapter("leadmagic", client, BASE).find_email(replace(p, domain=None))
    assert rec.requests == []  # refused before any (paid) call


async def test_kaspr_accepts_the_raw_key_too():
    """Doc §2.10: one public client sends the key without Bearer; the stand-in takes both."""
    client, _ = recording(BASE)
    async with client:
        p = with_linkedin(pick(BASE, "kaspr", known("kaspr", BASE)))
        body = {"id": p.linkedin_url.split("/in/")[1].rstrip("/"), "name": "x", "dataToGet": ["workEmail"]}
        resp = await client.post("/kaspr/profile/linkedin", json=body, headers={"authorization": "fake-kaspr-key"})
        assert resp.status_code == 200 and resp.json()["profile"]["starryWorkEmail"]


@pytest.mark.parametrize("name", NEW)
async def test_wrong_key_is_auth_failed_and_never_echoed(name):
    client, _ = recording(BASE)
    async with client:
        provider = adapter(name, client, BASE, key="wrong-SECRET-123")
        with pytest.raises(AuthFailed) as info:
            await provider.find_email(subject(name, BASE, known(name, BASE)))
        assert "HTTP 401" in str(info.value)
        assert "wrong-SECRET-123" not in str(info.value) + repr(info.value) + repr(provider)


QUOTA = {
    "kaspr": "kaspr: HTTP 402 on POST /kaspr/profile/linkedin: No credits left; No b2b email credits left",
    "datagma": "datagma: HTTP 402 on GET /datagma/api/ingress/v8/findEmail: Not enough credits; Payment Required",
    "leadmagic": "leadmagic: HTTP 402 on POST /leadmagic/v1/people/email-finder: Insufficient credits",
    "rocketreach": "rocketreach: HTTP 402 on GET /rocketreach/api/v2/universal/person/lookup: "
    "You have run out of lookup credits.",
    "pdl": "pdl: HTTP 402 on GET /pdl/v5/person/enrich: You have hit your account maximum for person search",
}


@pytest.mark.parametrize("name", NEW)
async def test_empty_balance_is_quota_exhausted(name):
    config = BASE.with_provider(name, credits=0)
    client, _ = recording(config)
    async with client:
        with pytest.raises(QuotaExhausted) as info:
            await adapter(name, client, config).find_email(subject(name, config, known(name, config)))
        assert str(info.value) == QUOTA[name]
        assert (await client.get("/__fake/stats")).json()[name]["credits_left"] == 0


@pytest.mark.parametrize(("name", "retry_after"), [("kaspr", None), ("datagma", None), ("leadmagic", None),
                                                   ("rocketreach", 2.0), ("pdl", None)])  # fmt: skip
async def test_429_is_rate_limited_with_retry_after_where_the_vendor_sends_it(name, retry_after):
    config = BASE.with_provider(name, error_rate_429=1.0)
    client, _ = recording(config)
    async with client:
        with pytest.raises(RateLimited) as info:
            await adapter(name, client, config).find_email(subject(name, config, known(name, config)))
        assert info.value.retry_after == retry_after and "HTTP 429" in str(info.value)


@pytest.mark.parametrize("name", NEW)
async def test_an_erased_person_is_forgotten(name):
    config = replace(BASE, forgotten_rate=1.0)
    client, _ = recording(config)
    async with client:
        with pytest.raises(Forgotten, match="HTTP 451"):
            await adapter(name, client, config).find_email(subject(name, config, known(name, config)))
        assert (await client.get("/__fake/stats")).json()[name]["credits_used"] == 0
