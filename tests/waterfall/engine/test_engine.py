"""The waterfall engine against scripted in-memory providers: stop rule, order, cache, budget,
failures, blocking and erasure. Exact call counts: a wrong count is money."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from waterfall.cache import AnswerCache
from waterfall.engine import LeadResult
from waterfall.limits import CreditBudget
from waterfall.providers.base import Field, Forgotten, QuotaExhausted, RateLimited, Rejected, Status, Transient

from .fakes import NOW, FakeProvider, config, hit, memory_cache, miss, person, run_waterfall

E, P, D, V = Field.EMAIL, Field.PHONE, Field.DOMAIN, Field.VERIFY
SIREN = "552100554"


def run(people, cfg, providers, cache=None, **kw) -> list[LeadResult]:
    cache = cache or memory_cache(cfg)
    return asyncio.run(run_waterfall(people, cfg, {p.name: p for p in providers}, cache, now=kw.pop("now", NOW), **kw))


def email_chain(*scripts):
    names = ["findymail", "icypeas", "enrow"]
    return [FakeProvider(n, {E}, {(E, SIREN): s} if s is not None else {}) for n, s in zip(names, scripts)]


def test_first_valid_answer_stops_the_chain_in_order():
    fm, ic, en = email_chain(
        miss("findymail", E), hit("icypeas", E, "marie.dupont@acme.fr"), hit("enrow", E, "other@acme.fr")
    )
    [res] = run([person()], config({"email": ["findymail", "icypeas", "enrow"]}), [fm, ic, en])
    assert (res.email.value, res.email.status, res.email.source, res.email.found_at) == (
        "marie.dupont@acme.fr",
        Status.VALID,
        "icypeas",
        NOW,
    )
    assert (fm.total, ic.total, en.total) == (1, 1, 0)
    assert [(a.provider, a.value, a.credits, a.from_cache) for a in res.attempts] == [
        ("findymail", None, 0.0, False),
        ("icypeas", "marie.dupont@acme.fr", 1.0, False),
    ]
    assert res.credits == 1.0 and res.reason is None


def test_order_is_the_configured_one():
    fm, ic, en = email_chain(None, None, None)
    [res] = run([person()], config({"email": ["enrow", "findymail", "icypeas"]}), [fm, ic, en])
    assert [a.provider for a in res.attempts] == ["enrow", "findymail", "icypeas"]
    assert res.email is None
    assert res.reason == "email: not found (no match: enrow, findymail, icypeas)"


def test_risky_is_kept_as_fallback_while_the_chain_goes_on():
    fm, ic, en = email_chain(
        hit("findymail", E, "m.dupont@acme.fr", Status.RISKY), hit("icypeas", E, "marie.dupont@acme.fr"), None
    )
    [res] = run([person()], config({"email": ["findymail", "icypeas", "enrow"]}), [fm, ic, en])
    assert (res.email.value, res.email.source, res.email.status) == ("marie.dupont@acme.fr", "icypeas", Status.VALID)
    assert en.total == 0
    fm, ic, en = email_chain(hit("findymail", E, "m.dupont@acme.fr", Status.RISKY), None, None)
    [res] = run([person()], config({"email": ["findymail", "icypeas", "enrow"]}), [fm, ic, en])
    assert (res.email.value, res.email.source, res.email.status) == ("m.dupont@acme.fr", "findymail", Status.RISKY)
    assert (fm.total, ic.total, en.total) == (1, 1, 1)
    assert res.reason is None


def test_invalid_answers_are_ignored():
    fm, ic, en = email_chain(hit("findymail", E, "bad@acme.fr", Status.INVALID), None, None)
    [res] = run([person()], config({"email": ["findymail", "icypeas", "enrow"]}), [fm, ic, en])
    assert res.email is None
    assert res.reason == "email: not found (no match: findymail, icypeas, enrow)"


def test_risky_email_is_verified_valid_or_dropped_when_invalid():
    cfg = config({"email": ["icypeas"], "verify": ["hunter"]})
    ic = FakeProvider("icypeas", {E}, {(E, SIREN): hit("icypeas", E, "m.dupont@acme.fr", Status.RISKY)})
    hunter = FakeProvider("hunter", {V}, {(V, "m.dupont@acme.fr"): hit("hunter", V, "m.dupont@acme.fr", credits=0.5)})
    [res] = run([person()], cfg, [ic, hunter])
    assert (res.email.value, res.email.status, res.email.source) == ("m.dupont@acme.fr", Status.VALID, "icypeas")
    assert res.email.extra == {"verified_by": "hunter"} and res.credits == 1.5
    assert [(a.field, a.provider, a.email) for a in res.attempts] == [
        (E, "icypeas", "m.dupont@acme.fr"),
        (V, "hunter", "m.dupont@acme.fr"),
    ]
    hunter.script = {(V, "m.dupont@acme.fr"): hit("hunter", V, "m.dupont@acme.fr", Status.INVALID)}
    [res] = run([person()], cfg, [ic, hunter])
    assert res.email is None
    assert res.reason == "email: not found (icypeas's address verified invalid by hunter)"


def test_cache_answers_a_rerun_without_any_call():
    fm, ic, en = email_chain(miss("findymail", E), hit("icypeas", E, "marie.dupont@acme.fr"), None)
    cfg = config({"email": ["findymail", "icypeas", "enrow"]})
    cache = memory_cache(cfg)
    first = run([person()], cfg, [fm, ic, en], cache)[0]
    again = run([person()], cfg, [fm, ic, en], cache)[0]
    assert (fm.total, ic.total, en.total) == (1, 1, 0)  # nothing asked the second time
    assert again.email == first.email and again.credits == 0.0
    assert [(a.provider, a.from_cache, a.credits, a.asked_at) for a in again.attempts] == [
        ("findymail", True, 0.0, NOW),
        ("icypeas", True, 0.0, NOW),
    ]


def test_misses_expire_before_hits():
    cfg = config({"email": ["findymail", "icypeas"]}, cache={"hit_ttl_days": 90, "miss_ttl_days": 14})
    fm, ic = email_chain(miss("findymail", E), hit("icypeas", E, "m@acme.fr", Status.RISKY))[:2]
    cache = memory_cache(cfg)
    run([person()], cfg, [fm, ic], cache)
    entries = {k[0]: e for k, e in cache._memory.items()}
    assert entries["findymail"].expires_at == NOW + timedelta(days=14)
    assert entries["icypeas"].expires_at == NOW + timedelta(days=90)
    later = AnswerCache(None, NOW + timedelta(days=15), cfg.ttl, _memory=dict(cache._memory))
    run([person()], cfg, [fm, ic], later, now=NOW + timedelta(days=15))
    assert (fm.total, ic.total) == (2, 1)  # the miss was asked again, the hit was not


def test_transient_failures_are_retried_then_missed_and_not_cached():
    cfg = config({"email": ["findymail", "icypeas"]})
    fm = FakeProvider("findymail", {E}, {(E, SIREN): Transient("findymail: HTTP 503")})
    ic = FakeProvider("icypeas", {E})
    cache = memory_cache(cfg)
    [res] = run([person()], cfg, [fm, ic], cache)
    assert fm.total == 3  # attempts: 3
    assert res.email is None
    assert res.reason == "email: not found (no match: icypeas; transient: findymail: HTTP 503)"
    assert [(a.provider, a.reason) for a in res.attempts] == [
        ("findymail", "transient: findymail: HTTP 503"),
        ("icypeas", None),
    ]
    assert ("findymail", "email", "marie|dupont|acme.fr") not in cache._memory
    run([person()], cfg, [fm, ic], cache)
    assert (fm.total, ic.total) == (6, 1)


def test_timeout_is_a_transient_failure():
    cfg = config({"email": ["enrow"]}, defaults={"timeout_s": 0.02, "retries": {"attempts": 1}, "rps": None})
    slow = FakeProvider("enrow", {E}, {(E, SIREN): hit("enrow", E, "m@acme.fr")}, latency=0.5)
    [res] = run([person()], cfg, [slow])
    assert res.reason == "email: not found (transient: enrow timeout after 0.02 s)"


def test_rejected_is_a_miss_without_retry():
    cfg = config({"email": ["findymail"]})
    fm = FakeProvider("findymail", {E}, {(E, SIREN): Rejected("findymail: HTTP 400: bad name")})
    [res] = run([person()], cfg, [fm])
    assert fm.total == 1 and res.reason == "email: not found (rejected: findymail: HTTP 400: bad name)"


def test_budget_per_lead_skips_paid_providers_that_could_exceed_it():
    cfg = config(
        {"email": ["findymail", "icypeas", "pattern"]},
        budget={"per_lead": 1.5},
        providers={"findymail": {"max_credits": {"email": 1}}, "icypeas": {"max_credits": {"email": 1}}},
    )
    fm = FakeProvider("findymail", {E}, {(E, SIREN): miss("findymail", E, credits=1.0)})  # a charged miss
    ic = FakeProvider("icypeas", {E})
    free = FakeProvider("pattern", {E}, {(E, SIREN): hit("pattern", E, "m@acme.fr", Status.RISKY, credits=0)})
    [res] = run([person()], cfg, [fm, ic, free])
    assert (fm.total, ic.total, free.total) == (1, 0, 1)  # the free provider is still asked
    assert res.email.value == "m@acme.fr" and res.credits == 1.0


def test_budget_per_run_is_never_exceeded_under_concurrency():
    cfg = config(
        {"email": ["findymail"]},
        budget={"per_run": 2.0},
        lead_concurrency=8,
        providers={"findymail": {"max_credits": {"email": 1}}},
    )
    people = [person(f"55210055{i}") for i in range(5)]
    fm = FakeProvider(
        "findymail",
        {E},
        {(E, p.siren): hit("findymail", E, f"m{i}@acme.fr") for i, p in enumerate(people)},
        latency=0.01,
    )
    budget = CreditBudget(2.0, None)
    results = run(people, cfg, [fm], budget=budget)
    assert fm.total == 2 and budget.spent == 2.0 and budget.reserved == 0.0
    assert sorted(r.reason or "found" for r in results) == ["email: not found (budget exhausted)"] * 3 + ["found"] * 2


def test_quota_exhausted_opens_the_breaker_for_the_rest_of_the_run():
    cfg = config({"email": ["findymail", "icypeas"]}, lead_concurrency=1)
    people = [person("552100554"), person("552100555")]
    fm = FakeProvider("findymail", {E}, {(E, "552100554"): QuotaExhausted("findymail: HTTP 402")})
    ic = FakeProvider("icypeas", {E})
    first, second = run(people, cfg, [fm, ic])
    assert fm.total == 1 and ic.total == 2
    assert first.reason == "email: not found (no match: icypeas; quota exhausted: findymail: HTTP 402)"
    assert second.reason == (
        "email: not found (no match: icypeas; findymail skipped: QuotaExhausted: findymail: HTTP 402)"
    )


def test_consecutive_failures_open_the_breaker():
    cfg = config(
        {"email": ["findymail"]},
        lead_concurrency=1,
        defaults={"breaker_threshold": 2, "retries": {"attempts": 1}, "rps": None},
    )
    people = [person(f"55210055{i}") for i in range(4)]
    fm = FakeProvider("findymail", {E}, {(E, p.siren): Transient("down") for p in people})
    results = run(people, cfg, [fm])
    assert fm.total == 2
    assert results[3].reason == "email: not found (findymail skipped: 2 failures in a row, last: down)"


def test_retry_honours_retry_after():
    clock = [0.0]
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock[0] += seconds

    cfg = config({"email": ["findymail"]})
    fm = FakeProvider(
        "findymail",
        {E},
        {(E, SIREN): [RateLimited("findymail: HTTP 429", retry_after=2.5), hit("findymail", E, "m@acme.fr")]},
    )
    [res] = run([person()], cfg, [fm], clock=lambda: clock[0], sleep=sleep)
    assert fm.total == 2 and res.email.value == "m@acme.fr"
    assert [s for s in sleeps if s] == [2.5]  # the limiter holds every caller back 2.5 s


def test_blocked_leads_cost_nothing():
    cfg = config({"domain": ["hunter"], "email": ["findymail"], "phone": ["lusha"]})
    hunter, fm, lusha = FakeProvider("hunter", {D}), FakeProvider("findymail", {E}), FakeProvider("lusha", {P})
    [res] = run(
        [person(domain=None)],
        cfg,
        [hunter, fm, lusha],
        is_blocked=lambda p, found: "suppressed: opt-out" if p.siren == SIREN else None,
    )
    assert (hunter.total, fm.total, lusha.total) == (0, 0, 0)
    assert res.reason == "blocked: suppressed: opt-out" and res.attempts == [] and res.credits == 0


def test_a_found_customer_domain_blocks_before_paying_for_the_email():
    cfg = config({"domain": ["hunter"], "email": ["findymail"]})
    hunter = FakeProvider("hunter", {D}, {(D, SIREN): hit("hunter", D, "client.fr")})
    fm = FakeProvider("findymail", {E})
    [res] = run(
        [person(domain=None)],
        cfg,
        [hunter, fm],
        is_blocked=lambda p, found: "customer" if found.get("website_domain") == "client.fr" else None,
    )
    assert fm.total == 0 and res.domain is None and res.reason == "blocked: customer"


def test_domain_is_found_first_and_used_by_the_email_question():
    cfg = config({"domain": ["hunter"], "email": ["findymail"]})
    hunter = FakeProvider("hunter", {D}, {(D, SIREN): hit("hunter", D, "acme.fr")})
    fm = FakeProvider("findymail", {E}, {(E, SIREN): hit("findymail", E, "marie.dupont@acme.fr")})
    cache = memory_cache(cfg)
    [res] = run([person(domain=None)], cfg, [hunter, fm], cache)
    assert (res.domain.value, res.domain.source, res.email.value) == ("acme.fr", "hunter", "marie.dupont@acme.fr")
    assert sorted(k[:3] for k in cache._memory) == [
        ("findymail", "email", "marie|dupont|acme.fr"),
        ("hunter", "domain", "552100554|société 552100554"),
    ]
    hunter.script = {}
    [res] = run([person("552100555", domain=None)], cfg, [hunter, fm])
    assert fm.total == 1 and res.reason == "domain: not found (no match: hunter); email: no company domain"


def test_leads_without_a_person_name_ask_no_contact_question():
    cfg = config({"email": ["findymail"], "phone": ["lusha"]})
    fm, lusha = FakeProvider("findymail", {E}), FakeProvider("lusha", {P})
    [res] = run([person(first=None, last="HOLDING SAS")], cfg, [fm, lusha])
    assert fm.total == lusha.total == 0
    assert res.reason == "email: no contact name; phone: no contact name"


def test_do_not_call_phones_are_skipped():
    cfg = config({"phone": ["lusha", "prospeo"]})
    lusha = FakeProvider(
        "lusha", {P}, {(P, SIREN): hit("lusha", P, "+33612345678", credits=5, phone_type="mobile", do_not_call=True)}
    )
    prospeo = FakeProvider(
        "prospeo", {P}, {(P, SIREN): hit("prospeo", P, "+33140000000", credits=10, phone_type="direct")}
    )
    [res] = run([person()], cfg, [lusha, prospeo])
    assert (res.phone.value, res.phone.source, res.phone.extra["phone_type"]) == ("+33140000000", "prospeo", "direct")
    assert [(a.provider, a.reason) for a in res.attempts] == [("lusha", "do not call"), ("prospeo", None)]


def test_forgotten_person_is_dropped_and_reported():
    cfg = config({"email": ["findymail", "icypeas"], "phone": ["lusha"]})
    fm = FakeProvider("findymail", {E}, {(E, SIREN): hit("findymail", E, "m@acme.fr", Status.RISKY)})
    ic = FakeProvider("icypeas", {E}, {(E, SIREN): Forgotten("icypeas: HTTP 451")})
    lusha = FakeProvider("lusha", {P})
    forgotten = []
    cache = memory_cache(cfg)
    [res] = run([person()], cfg, [fm, ic, lusha], cache, on_forgotten=lambda p, why: forgotten.append((p.siren, why)))
    assert forgotten == [(SIREN, "icypeas: icypeas: HTTP 451")]
    assert (res.email, res.phone, res.attempts, res.reason) == (None, None, [], "forgotten: icypeas: icypeas: HTTP 451")
    assert lusha.total == 0 and ic.total == 1  # no retry, nothing more asked
    assert cache._memory == {} and cache.flush() == 0


def test_results_keep_input_order_and_progress_is_reported():
    cfg = config({"email": ["findymail"]}, lead_concurrency=3)
    people = [person(f"5521005{i:02d}") for i in range(10)]
    fm = FakeProvider(
        "findymail", {E}, {(E, p.siren): hit("findymail", E, f"{p.siren}@acme.fr") for p in people}, latency=0.001
    )
    seen = []
    results = run(people, cfg, [fm], progress=lambda done, total: seen.append((done, total)))
    assert [r.email.value for r in results] == [f"{p.siren}@acme.fr" for p in people]
    assert seen == [(10, 10)]


def test_the_email_chains_own_stop_rule_stops_at_the_first_risky_answer_and_keeps_it_unverified():
    """field_stop.email over stop: the first risky address ends the email chain and is not sent to
    the verify chain (on an accept-all domain no vendor nor verifier can say more)."""
    fm, ic, en = email_chain(
        hit("findymail", E, "m.dupont@acme.fr", Status.RISKY), hit("icypeas", E, "marie.dupont@acme.fr"), None
    )
    hunter = FakeProvider("hunter", {V}, {})
    cfg = config(
        {"email": ["findymail", "icypeas", "enrow"], "verify": ["hunter"]},
        field_stop={"email": {"stop_on": ["valid", "risky"], "fallback": [], "verify": []}},
    )
    assert cfg.stop_rule(E).stop_on == {Status.VALID, Status.RISKY} and cfg.stop_rule(P) == cfg.stop
    [res] = run([person()], cfg, [fm, ic, en, hunter])
    assert (res.email.value, res.email.source, res.email.status) == ("m.dupont@acme.fr", "findymail", Status.RISKY)
    assert (fm.total, ic.total, en.total, hunter.total) == (1, 0, 0, 0)
