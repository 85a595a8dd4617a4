"""Faults inside one run: an adapter that raises something unexpected, malformed vendor answers,
a bad key, a failing vendor under concurrency, and callers that share one vendor account."""

from __future__ import annotations

import asyncio
import logging
import time

import httpx
import pytest
import respx

from waterfall.engine import Waterfall
from waterfall.fake import FakeConfig, build_app
from waterfall.fake.vendor import base_path
from waterfall.limits import CreditBudget
from waterfall.providers.base import Field, Person, Status
from waterfall.providers.hunter import HunterProvider

from .fakes import NOW, FakeProvider, config, hit, memory_cache, person, run_waterfall

E, D, V = Field.EMAIL, Field.DOMAIN, Field.VERIFY
HUNTER = "https://api.hunter.io/v2"
KEY = "sk-live-SECRET-0042"


def engine_for(cfg, providers) -> Waterfall:
    return Waterfall(cfg, {p.name: p for p in providers}, memory_cache(cfg), budget=CreditBudget(),
                     is_blocked=lambda p, found: None, now=NOW)


def nodomain(i: int) -> Person:
    return Person(f"{552100000 + i}", f"Société {i}", "Marie", "Dupont")


def test_an_unexpected_exception_is_one_failed_question_logged_once(caplog):
    """The safety net: AttributeError inside an adapter (what `{"data": "surprise"}` did to Hunter)
    fails that question with its reason; the run goes on, the next provider is asked."""
    cfg = config({"email": ["findymail", "icypeas"]}, defaults={"breaker_threshold": 10, "rps": None,
                                                                 "retries": {"attempts": 3}})
    people = [person(f"55210055{i}") for i in range(3)]
    fm = FakeProvider("findymail", {E}, {(E, p.siren): AttributeError("'str' object has no attribute 'get'")
                                         for p in people})
    ic = FakeProvider("icypeas", {E}, {(E, p.siren): hit("icypeas", E, f"m{i}@acme.fr") for i, p in enumerate(people)})
    with caplog.at_level(logging.WARNING, logger="waterfall.limits"):
        results = asyncio.run(run_waterfall(people, cfg, {"findymail": fm, "icypeas": ic}, memory_cache(cfg), now=NOW))
    assert [r.email.value for r in results] == ["m0@acme.fr", "m1@acme.fr", "m2@acme.fr"]
    assert fm.total == 3  # a bad answer is not retried (the vendor may have billed it)
    assert [(a.provider, a.reason) for a in results[0].attempts] == [
        ("findymail", "bad answer: findymail: unexpected AttributeError: 'str' object has no attribute 'get'"),
        ("icypeas", None)]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "AttributeError" in warnings[0].getMessage()


@respx.mock
def test_malformed_answers_fail_their_questions_and_count_on_the_breaker():
    """`{"data": {"domain": 42}}` for every domain search: each lead ends 'not found' with the
    reason, nothing ends the run, and the breaker opens after exactly `threshold` such answers."""
    route = respx.get(f"{HUNTER}/domain-search").respond(200, json={"data": {"domain": 42}})
    cfg = config({"domain": ["hunter"]}, lead_concurrency=1, defaults={"breaker_threshold": 3, "rps": None})

    async def go():
        async with httpx.AsyncClient() as client:
            hunter = HunterProvider(client, KEY)
            return await run_waterfall([nodomain(i) for i in range(6)], cfg, {"hunter": hunter},
                                       memory_cache(cfg), now=NOW)
    results = asyncio.run(go())
    assert route.call_count == 3
    assert results[0].reason == "domain: not found (bad answer: hunter: data.domain is not a string)"
    assert results[5].reason == ("domain: not found (hunter skipped: 3 failures in a row, last: hunter: "
                                 "data.domain is not a string)")
    assert all(r.domain is None and Field.DOMAIN in r.unsure for r in results)


def _slow(status: int, body: dict, engine_box: list, log: list):
    """A respx side effect answering after 10 ms, noting whether the breaker was open at send time."""
    async def answer(request: httpx.Request) -> httpx.Response:
        log.append(engine_box[0].gates["hunter"].breaker.open)
        await asyncio.sleep(0.01)
        return httpx.Response(status, json=body)
    return answer


def _hunter_run(cfg, leads: int, status: int, body: dict):
    log: list[bool] = []
    box: list[Waterfall] = []

    async def go():
        async with httpx.AsyncClient() as client:
            engine = engine_for(cfg, [HunterProvider(client, KEY)])
            box.append(engine)
            with respx.mock:
                respx.get(f"{HUNTER}/domain-search").mock(side_effect=_slow(status, body, box, log))
                results = await engine.run([nodomain(i) for i in range(leads)])
            return engine, results
    engine, results = asyncio.run(go())
    return engine, results, log


def test_a_bad_key_opens_the_breaker_at_once_and_nothing_is_sent_after():
    cfg = config({"domain": ["hunter"]}, lead_concurrency=64,
                 defaults={"concurrency": 4, "breaker_threshold": 10, "rps": None})
    engine, results, log = _hunter_run(cfg, 200, 401, {"errors": [{"id": "authentication_failed", "code": 401}]})
    assert log.count(True) == 0                    # not one request sent once the 401 was in
    assert 1 <= len(log) <= 4                       # only those already in flight beside the first
    assert engine.breaker_report() == {"hunter": {
        "reason": "AuthFailed: hunter: HTTP 401 on GET /v2/domain-search: authentication_failed; 401",
        "calls_after_open": 0}}
    assert engine.calls() == {"hunter": len(log)}
    skipped = [r for r in results if "hunter skipped: AuthFailed" in (r.reason or "")]
    assert len(skipped) == 200 - len(log)


def test_consecutive_failures_are_counted_across_concurrent_questions():
    """Every call answers 500; 3 attempts per question, 64 leads in flight, 4 connections: the
    breaker opens at the 10th failed call and at most the 4 calls in flight go out after it."""
    cfg = config({"domain": ["hunter"]}, lead_concurrency=64,
                 defaults={"concurrency": 4, "breaker_threshold": 10, "rps": None,
                           "retries": {"attempts": 3, "backoff_s": 0.0, "max_backoff_s": 0.0}})
    engine, results, log = _hunter_run(cfg, 200, 500, {"errors": [{"id": "server_error", "code": 500}]})
    assert 10 <= len(log) <= 10 + 4
    assert log.count(True) == 0
    assert engine.breakers()["hunter"].startswith("10 failures in a row, last: hunter: HTTP 500")
    assert engine.breaker_report()["hunter"]["calls_after_open"] == 0


def _max_in_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def test_pattern_checks_share_the_verifier_rate_limit():
    """Hunter limited to 100/s, asked by the email chain, the verify chain and `pattern` (up to six
    candidates per lead): every Hunter request passes the same limiter, so no second holds more
    than 100 of them (before: pattern's checks went around it, about twice the limit)."""
    fake = FakeConfig(catch_all_rate=0.3, invalid_rate=0.1)
    inner = httpx.ASGITransport(app=build_app(fake))
    sent: list[float] = []

    class Stamping(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.startswith("/hunter/"):
                sent.append(time.monotonic())
            return await inner.handle_async_request(request)

    cfg = config({"email": ["pattern", "hunter"], "verify": ["hunter"]}, lead_concurrency=32,
                 defaults={"concurrency": 16, "rps": None, "breaker_threshold": 50},
                 providers={"hunter": {"rps": 100.0, "concurrency": 16}, "pattern": {"concurrency": 32}})
    people = [Person(f"{552100000 + i}", f"Société {i}", first, "Martin", domain=f"s{i}.fr")
              for i, first in enumerate(["Marie", "Jean", "Luc", "Anne", "Paul", "Hugo"] * 8)]

    async def go():
        from waterfall.enrich import build_providers
        async with httpx.AsyncClient(transport=Stamping(), base_url="http://fake") as client:
            providers = build_providers(cfg, client, fake.env(), {"hunter": "http://fake" + base_path("hunter")})
            return await run_waterfall(people, cfg, providers, memory_cache(cfg), now=NOW)
    results = asyncio.run(go())
    assert len(sent) > 120                          # more than a second's worth at the limit
    assert _max_in_window(sent) <= 103              # slots 10 ms apart; a few ms of scheduling jitter
    verified = [a for r in results for a in r.attempts if a.field is V and a.provider == "hunter"]
    assert verified and all(a.email for a in verified)  # pattern's checks are Hunter's questions now
    assert any(r.email is not None and r.email.source == "pattern" and r.email.status is Status.VALID
               for r in results)


def test_a_guess_verified_by_pattern_is_not_verified_again():
    """pattern's check of its candidate is cached as the verifier's answer: when the verify chain
    later asks about the same (risky) address, it is answered free from the cache."""
    from waterfall.providers.pattern import PatternProvider

    cfg = config({"email": ["pattern"], "verify": ["hunter"]})
    hunter = FakeProvider("hunter", {V}, {(V, "marie.dupont@acme.fr"): hit("hunter", V, "marie.dupont@acme.fr",
                                                                            Status.RISKY, credits=0.5)})
    pattern = PatternProvider(hunter, max_candidates=1)
    budget = CreditBudget()
    [res] = asyncio.run(run_waterfall([person()], cfg, {"pattern": pattern, "hunter": hunter}, memory_cache(cfg),
                                      now=NOW, budget=budget))
    assert hunter.total == 1 and budget.spent == 0.5 and res.credits == 0.5
    assert (res.email.value, res.email.status) == ("marie.dupont@acme.fr", Status.RISKY)
    assert [(a.field, a.provider, a.credits, a.from_cache) for a in res.attempts] == [
        (V, "hunter", 0.5, False), (E, "pattern", 0.0, False), (V, "hunter", 0.0, True)]


@pytest.mark.parametrize("fatal,polls_sent", [("QuotaExhausted", 1), ("AuthFailed", 0)])
def test_after_opening_only_polls_of_paid_jobs_go_out_and_are_counted(fatal, polls_sent):
    """Out of credits: a job already submitted (and billed) may still be fetched, and that poll is
    reported as a call after opening; a refused key: nothing at all goes out any more."""
    from waterfall.limits import Gate
    from waterfall.providers.base import CircuitOpen

    gate = Gate("dropcontact", config({"email": ["dropcontact"]}).provider("dropcontact"))
    gate.breaker.trip(f"{fatal}: dropcontact: HTTP 403", allow_polls=fatal == "QuotaExhausted")

    async def go() -> list[str]:
        out = []
        for poll in (True, False):
            try:
                await gate.before_request(poll=poll)
                out.append("sent")
            except CircuitOpen as exc:
                out.append(str(exc))
        return out
    outcomes = asyncio.run(go())
    assert outcomes[1] == f"dropcontact: circuit open ({fatal}: dropcontact: HTTP 403)"
    assert (outcomes[0] == "sent") is bool(polls_sent)
    assert (gate.requests, gate.breaker.after_open) == (polls_sent, polls_sent)


def test_polls_take_rate_limit_slots_only_where_the_vendor_counts_them():
    """FullEnrich counts polls in its 60/min (doc §2.4); Enrow's GETs are not limited (§2.8)."""
    fake = FakeConfig(catch_all_rate=0, invalid_rate=0)
    for name in ("enrow", "fullenrich"):
        fake = fake.with_provider(name, hit_rate=1.0, polls_until_ready=2)
    cfg = config({"email": ["enrow", "fullenrich"]}, stop={"stop_on": ["unknown"], "fallback": ["valid", "risky"],
                                                           "verify": []},
                 providers={"enrow": {"poll_interval_s": 0.001}, "fullenrich": {"poll_interval_s": 0.001}})
    people = [Person(f"{552100000 + i}", f"Société {i}", "Marie", "Martin", domain=f"s{i}.fr") for i in range(3)]

    async def go():
        from waterfall.enrich import build_providers
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(fake)), base_url="http://fake") as c:
            providers = build_providers(cfg, c, fake.env(), {n: "http://fake" + base_path(n) for n in fake.providers},
                                        poll_interval=0.001, poll_timeout=5)
            engine = engine_for(cfg, list(providers.values()))
            await engine.run(people)
            return engine
    engine = asyncio.run(go())
    # enrow: submit + 2 polls per lead, only the submits paced; fullenrich: submit + 3 polls, all paced
    assert engine.calls() == {"enrow": 9, "fullenrich": 12}
    assert engine.paced_calls() == {"enrow": 3, "fullenrich": 12}


def test_pattern_stops_asking_once_its_verifier_circuit_is_open():
    """Hunter's verifications fail: after `threshold` of them Hunter's circuit opens, and pattern's
    next questions are skipped with Hunter's reason (no call), though pattern's own circuit is closed."""
    from waterfall.providers.base import Transient
    from waterfall.providers.pattern import PatternProvider

    cfg = config({"email": ["pattern"], "verify": ["hunter"]}, lead_concurrency=1,
                 defaults={"breaker_threshold": 2, "rps": None, "retries": {"attempts": 1}})
    people = [person(f"55210055{i}") for i in range(4)]
    hunter = FakeProvider("hunter", {V}, {(V, f"marie.dupont@s55210055{i}.fr"): Transient("hunter: HTTP 503")
                                          for i in range(4)})
    results = asyncio.run(run_waterfall(people, cfg, {"pattern": PatternProvider(hunter), "hunter": hunter},
                                        memory_cache(cfg), now=NOW))
    assert hunter.total == 2
    assert results[0].reason == "email: not found (transient: hunter: HTTP 503)"
    assert results[3].reason == ("email: not found (pattern skipped: hunter: circuit open (2 failures in a row, "
                                 "last: hunter: HTTP 503))")
    assert all(Field.EMAIL in r.unsure for r in results)
