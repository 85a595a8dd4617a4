from __future__ import annotations

import httpx
import pytest
import respx

from .conftest import KEY, assert_no_key
from waterfall.providers.base import (
    AuthFailed,
    Field,
    Forgotten,
    QuotaExhausted,
    RateLimited,
    Rejected,
    Status,
    Transient,
)
from waterfall.providers.hunter import HunterProvider

pytestmark = pytest.mark.anyio
BASE = "https://api.hunter.io/v2"


def finder(email, status="valid", score=97):
    return {"data": {"first_name": "Marie", "last_name": "Dupont", "email": email, "score": score,
                     "verification": {"date": "2026-01-15", "status": status},
                     "sources": [{"domain": "acme.fr"}]}, "meta": {"params": {}}}


def err(code, ident):
    return {"errors": [{"id": ident, "code": code, "details": f"detail {ident}"}]}


@respx.mock
async def test_find_email_hit_sends_key_in_header_not_query(client, person):
    route = respx.get(f"{BASE}/email-finder").respond(200, json=finder("marie.dupont@acme.fr"))
    answer = await HunterProvider(client, KEY).find_email(person)
    assert (answer.provider, answer.field, answer.value, answer.status) == (
        "hunter", Field.EMAIL, "marie.dupont@acme.fr", Status.VALID)
    assert (answer.confidence, answer.credits, answer.raw_status) == (0.97, 1.0, "valid")
    request = route.calls.last.request
    assert request.headers["X-API-KEY"] == KEY
    assert dict(request.url.params) == {"first_name": "Marie", "last_name": "Dupont", "domain": "acme.fr"}
    assert KEY not in str(request.url)


@respx.mock
async def test_find_email_without_domain_asks_by_company(client, nodomain):
    route = respx.get(f"{BASE}/email-finder").respond(200, json=finder("m.dupont@acme.fr", "accept_all", 70))
    answer = await HunterProvider(client, KEY).find_email(nodomain)
    assert route.calls.last.request.url.params["company"] == "Acme Conseil"
    assert (answer.status, answer.raw_status, answer.confidence) == (Status.RISKY, "accept_all", 0.7)


@respx.mock
async def test_find_email_miss_costs_nothing(client, person):
    respx.get(f"{BASE}/email-finder").respond(200, json=finder(None, None, None))
    answer = await HunterProvider(client, KEY).find_email(person)
    assert (answer.value, answer.status, answer.credits, answer.found) == (None, Status.UNKNOWN, 0.0, False)


@pytest.mark.parametrize("code,ident,exc", [
    (403, "too_many_requests", RateLimited),      # Hunter: 403 is the rate limit
    (429, "too_many_requests", QuotaExhausted),   # ...and 429 the exhausted monthly quota
    (401, "authentication_failed", AuthFailed),
    (451, "claimed_email", Forgotten),
    (400, "wrong_params", Rejected),
    (503, "service_unavailable", Transient),
])
@respx.mock
async def test_error_semantics(client, person, code, ident, exc):
    respx.get(f"{BASE}/email-finder").respond(code, json=err(code, ident))
    with pytest.raises(exc) as info:
        await HunterProvider(client, KEY).find_email(person)
    assert type(info.value) is exc
    assert str(info.value) == f"hunter: HTTP {code} on GET /v2/email-finder: {ident}; {code}; detail {ident}"
    assert_no_key(info.value)


@respx.mock
async def test_rate_limit_reads_retry_after_when_present(client, person):
    respx.get(f"{BASE}/email-finder").respond(403, json=err(403, "x"), headers={"Retry-After": "3"})
    with pytest.raises(RateLimited) as info:
        await HunterProvider(client, KEY).find_email(person)
    assert info.value.retry_after == 3.0


@respx.mock
async def test_connection_error_and_timeout_are_transient_without_key(client, person):
    respx.get(f"{BASE}/email-finder").mock(side_effect=httpx.ConnectError(f"refused {KEY}"))
    with pytest.raises(Transient) as info:
        await HunterProvider(client, KEY).find_email(person)
    assert_no_key(info.value)
    assert "***" in str(info.value)
    respx.get(f"{BASE}/email-finder").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(Transient, match="timeout on GET /email-finder"):
        await HunterProvider(client, KEY).find_email(person)


@respx.mock
async def test_verifier_statuses_and_pending(client):
    hunter = HunterProvider(client, KEY)
    route = respx.get(f"{BASE}/email-verifier")
    for raw, status in [("valid", Status.VALID), ("accept_all", Status.RISKY), ("unknown", Status.RISKY),
                        ("invalid", Status.INVALID), ("disposable", Status.INVALID), ("webmail", Status.INVALID)]:
        route.respond(200, json={"data": {"status": raw, "score": 50, "email": "a@b.fr"}})
        answer = await hunter.verify_email("a@b.fr")
        assert (answer.field, answer.value, answer.status, answer.credits, answer.raw_status) == (
            Field.VERIFY, "a@b.fr", status, 0.5, raw)
    assert route.calls.last.request.url.params["email"] == "a@b.fr"
    route.respond(202, json={})
    with pytest.raises(Transient, match="still running"):
        await hunter.verify_email("a@b.fr")


@respx.mock
async def test_domain_search_credits_per_ten_emails(client, nodomain):
    route = respx.get(f"{BASE}/domain-search").respond(
        200, json={"data": {"domain": "Acme.fr", "pattern": "{first}.{last}", "emails": [{"value": "x"}] * 3}})
    answer = await HunterProvider(client, KEY).find_domain(nodomain)
    assert route.calls.last.request.url.params["company"] == "Acme Conseil"
    assert (answer.field, answer.value, answer.status, answer.credits, answer.extra) == (
        Field.DOMAIN, "acme.fr", Status.VALID, 1.0, {"pattern": "{first}.{last}"})
    route.respond(200, json={"data": {"domain": None, "emails": []}})
    miss = await HunterProvider(client, KEY).find_domain(nodomain)
    assert (miss.value, miss.credits) == (None, 0.0)


async def test_unsupported_phone_and_missing_names(client, person):
    hunter = HunterProvider(client, KEY)
    with pytest.raises(NotImplementedError):
        await hunter.find_phone(person)
    with pytest.raises(Rejected, match="first and last name"):
        await hunter.find_email(type(person)("1", "Acme", None, "Dupont", domain="acme.fr"))
    assert KEY not in repr(hunter)
    assert repr(hunter) == "HunterProvider(base_url='https://api.hunter.io/v2')"
