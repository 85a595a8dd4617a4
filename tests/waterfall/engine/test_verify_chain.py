"""The verify chain's reading of a boolean verifier (Findymail's `verified: true|false`, doc §2.9):
`false` after accept-all evidence is no verdict (the address stays risky and is kept), `false`
without it is invalid, `true` is valid; the verification is billed either way. Scripted verifiers
first, then the real Hunter and Findymail adapters against the fake vendors (doc dialects)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from waterfall.config import ConfigError
from waterfall.engine import LeadResult
from waterfall.fake import FakeConfig, build_app
from waterfall.fake.vendor import base_path
from waterfall.fake.world import World
from waterfall.providers.base import Answer, Field, Person, Status
from waterfall.providers.registry import build_provider
from waterfall.verdicts import chain_reading

from .fakes import NOW, FakeProvider, config, hit, memory_cache, person, run_waterfall

E, V = Field.EMAIL, Field.VERIFY
SIREN, ADDRESS = "552100554", "m.dupont@acme.fr"
CHAIN = config({"email": ["icypeas"], "verify": ["hunter", "findymail"]})


def verdict(provider: str, status: Status, raw: str, credits: float) -> Answer:
    return Answer(provider, V, ADDRESS, status, credits=credits, raw_status=raw)


def providers(hunter_says: Answer | None, findymail_says: Answer | None) -> list[FakeProvider]:
    icypeas = FakeProvider("icypeas", {E}, {(E, SIREN): hit("icypeas", E, ADDRESS, Status.RISKY)})
    hunter = FakeProvider("hunter", {V}, {(V, ADDRESS): hunter_says} if hunter_says else {})
    findymail = FakeProvider("findymail", {V}, {(V, ADDRESS): findymail_says} if findymail_says else {})
    findymail.boolean_verdict = True  # as FindymailProvider declares it
    return [icypeas, hunter, findymail]


def run(cfg, provs, cache=None) -> LeadResult:
    cache = cache or memory_cache(cfg)
    [res] = asyncio.run(run_waterfall([person()], cfg, {p.name: p for p in provs}, cache, now=NOW))
    return res


ACCEPT_ALL = verdict("hunter", Status.RISKY, "accept_all", 0.5)
NOT_VERIFIED = verdict("findymail", Status.INVALID, "not_verified", 1.0)


def rows(res: LeadResult) -> list[tuple]:
    return [(a.field, a.provider, a.status, a.raw_status, a.credits, a.from_cache) for a in res.attempts]


def test_accept_all_then_not_verified_keeps_the_address_risky_and_bills_both_checks():
    res = run(CHAIN, providers(ACCEPT_ALL, NOT_VERIFIED))
    assert (res.email.value, res.email.status, res.email.source, dict(res.email.extra)) == (
        ADDRESS, Status.RISKY, "icypeas", {})  # fmt: skip
    assert res.credits == 2.5 and res.reason is None
    assert rows(res) == [
        (E, "icypeas", Status.RISKY, "risky", 1.0, False),
        (V, "hunter", Status.RISKY, "accept_all", 0.5, False),
        (V, "findymail", Status.RISKY, "not_verified", 1.0, False),  # the provenance row says what was read
    ]


def test_unknown_then_not_verified_is_invalid():
    unknown = verdict("hunter", Status.RISKY, "unknown", 0.5)  # Hunter's `unknown` is risky too, not accept-all
    res = run(CHAIN, providers(unknown, NOT_VERIFIED))
    assert res.email is None and res.credits == 2.5
    assert res.reason == "email: not found (icypeas's address verified invalid by findymail)"
    assert rows(res)[2] == (V, "findymail", Status.INVALID, "not_verified", 1.0, False)


def test_accept_all_then_verified_is_valid():
    res = run(CHAIN, providers(ACCEPT_ALL, verdict("findymail", Status.VALID, "verified", 1.0)))
    assert (res.email.value, res.email.status, dict(res.email.extra)) == (
        ADDRESS, Status.VALID, {"verified_by": "findymail"})  # fmt: skip
    assert res.credits == 2.5


def test_a_not_verified_first_in_the_chain_reads_the_cached_accept_all_of_a_later_verifier():
    cache = memory_cache(CHAIN)
    provs = providers(ACCEPT_ALL, NOT_VERIFIED)
    first = run(config({"email": ["icypeas"], "verify": ["hunter"]}), provs, cache)
    assert first.email.status is Status.RISKY and first.credits == 1.5
    res = run(config({"email": ["icypeas"], "verify": ["findymail", "hunter"]}), provs, cache)
    assert (res.email.value, res.email.status) == (ADDRESS, Status.RISKY)
    assert res.credits == 1.0  # only Findymail's check was asked
    assert rows(res) == [
        (E, "icypeas", Status.RISKY, "risky", 0.0, True),
        (V, "findymail", Status.RISKY, "not_verified", 1.0, False),
        (V, "hunter", Status.RISKY, "accept_all", 0.0, True),
    ]


def test_a_verifier_that_is_not_boolean_still_says_invalid_after_accept_all():
    icypeas, hunter, findymail = providers(ACCEPT_ALL, NOT_VERIFIED)
    del findymail.boolean_verdict
    res = run(CHAIN, [icypeas, hunter, findymail])
    assert res.email is None
    assert res.reason == "email: not found (icypeas's address verified invalid by findymail)"


SKIP = config({"email": ["icypeas"], "verify": ["hunter", "findymail"]}, verify_skip_on_accept_all=["findymail"])


def test_a_verifier_skipped_on_accept_all_is_not_asked_after_hunters_accept_all_and_bills_nothing():
    res = run(SKIP, providers(ACCEPT_ALL, NOT_VERIFIED))
    assert (res.email.value, res.email.status, res.email.source) == (ADDRESS, Status.RISKY, "icypeas")
    assert res.credits == 1.5  # icypeas 1 + hunter 0.5, findymail never asked
    assert rows(res) == [(E, "icypeas", Status.RISKY, "risky", 1.0, False),
                         (V, "hunter", Status.RISKY, "accept_all", 0.5, False)]  # fmt: skip
    # without accept-all evidence (Hunter's `unknown`) it is asked, and its `false` still drops the address
    res = run(SKIP, providers(verdict("hunter", Status.RISKY, "unknown", 0.5), NOT_VERIFIED))
    assert res.email is None and res.credits == 2.5


def test_verify_skip_on_accept_all_names_a_verifier_of_the_chain():
    with pytest.raises(ConfigError, match="verify_skip_on_accept_all: 'findymail' is not in order.verify"):
        config({"email": ["icypeas"], "verify": ["hunter"]}, verify_skip_on_accept_all=["findymail"])


def test_chain_reading_only_softens_a_boolean_false_after_accept_all():
    catch_all = verdict("dropcontact", Status.RISKY, "Catch-All", 1.0)
    assert chain_reading(NOT_VERIFIED, True, [catch_all]) is Status.RISKY
    assert chain_reading(NOT_VERIFIED, True, []) is Status.INVALID
    assert chain_reading(NOT_VERIFIED, False, [ACCEPT_ALL]) is Status.INVALID
    assert chain_reading(verdict("hunter", Status.INVALID, "invalid", 0.5), False, [ACCEPT_ALL]) is Status.INVALID
    assert chain_reading(verdict("findymail", Status.VALID, "verified", 1.0), True, [ACCEPT_ALL]) is Status.VALID


def test_real_adapters_on_an_accept_all_domain_keep_the_address_and_bill_findymails_verifier_credit():
    fake = FakeConfig(catch_all_rate=1.0, invalid_rate=0.0).with_provider("icypeas", hit_rate=1.0)
    lead = Person(SIREN, "Acme Conseil", "Marie", "Dupont", domain=World.company_domain("Acme Conseil"))
    expected = World(fake.seed, 1.0, 0.0, fake.forgotten_rate).email_of("Marie", "Dupont", lead.domain)

    async def go():
        app = build_app(fake)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fake") as client:
            built = {n: build_provider(n, client, fake.env(), base_url="http://fake" + base_path(n), poll_interval=0,
                                       poll_timeout=1) for n in ("icypeas", "hunter", "findymail")}  # fmt: skip
            assert built["findymail"].boolean_verdict is True
            [res] = await run_waterfall([lead], CHAIN, built, memory_cache(CHAIN), now=NOW)
            return res, (await client.get("/__fake/stats")).json()

    res, stats = asyncio.run(go())
    assert (res.email.value, res.email.status, res.email.source) == (expected, Status.RISKY, "icypeas")
    assert [(a.provider, a.status, a.raw_status, a.credits) for a in res.attempts] == [
        ("icypeas", Status.RISKY, "probable", 1.0),
        ("hunter", Status.RISKY, "accept_all", 0.5),
        ("findymail", Status.RISKY, "not_verified", 1.0),
    ]
    assert res.credits == 2.5
    assert (stats["findymail"]["calls"], stats["findymail"]["credits_used"]) == ({"POST /verify": 1}, 1.0)
    assert (stats["hunter"]["calls"], stats["hunter"]["credits_used"]) == ({"GET /email-verifier": 1}, 0.5)
