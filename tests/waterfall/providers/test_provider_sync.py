"""Apollo, Lusha, Prospeo and Findymail against respx mocks."""

from __future__ import annotations

import json

import pytest
import respx

from .conftest import KEY, assert_no_key
from waterfall.providers.apollo import ApolloProvider
from waterfall.providers.base import (
    AuthFailed,
    Forgotten,
    QuotaExhausted,
    RateLimited,
    Rejected,
    Status,
    Transient,
)
from waterfall.providers.findymail import FindymailProvider
from waterfall.providers.lusha import LushaProvider
from waterfall.providers.prospeo import ProspeoProvider

pytestmark = pytest.mark.anyio
APOLLO = "https://api.apollo.io/api/v1/people/match"
LUSHA = "https://api.lusha.com/v2/person"
PROSPEO = "https://api.prospeo.io/enrich-person"


@respx.mock
async def test_apollo_parameters_on_the_query_string_not_the_body(client, person):
    route = respx.post(APOLLO).respond(200, json={"person": {"email": "marie@acme.fr", "email_status": "guessed",
                                                             "extrapolated_email_confidence": 0.8}})
    answer = await ApolloProvider(client, KEY).find_email(person)
    request = route.calls.last.request
    assert request.content == b""
    assert dict(request.url.params) == {"first_name": "Marie", "last_name": "Dupont",
                                        "organization_name": "Acme Conseil", "domain": "acme.fr",
                                        "reveal_personal_emails": "false"}
    assert request.headers["x-api-key"] == KEY
    assert (answer.value, answer.status, answer.credits, answer.confidence) == ("marie@acme.fr", Status.RISKY, 1.0, 0.8)


@respx.mock
async def test_apollo_null_person_is_free_but_a_locked_match_is_billed(client, person):
    respx.post(APOLLO).respond(200, json={"person": None})
    miss = await ApolloProvider(client, KEY).find_email(person)
    assert (miss.value, miss.credits, miss.raw_status) == (None, 0.0, "no_match")
    respx.post(APOLLO).respond(200, json={"person": {"email": "email_not_unlocked@domain.com",
                                                     "email_status": "unavailable"}})
    locked = await ApolloProvider(client, KEY).find_email(person)
    assert (locked.value, locked.credits, locked.raw_status) == (None, 1.0, "unavailable")
    respx.post(APOLLO).respond(200, json={"person": {"email": "m@acme.fr", "email_status": "bounced"}})
    bounced = await ApolloProvider(client, KEY).find_email(person)
    assert (bounced.status, bounced.found) == (Status.INVALID, False)


@respx.mock
async def test_apollo_429_retry_after_http_date_and_seconds(client, person):
    respx.post(APOLLO).respond(429, json={"message": "slow down"}, headers={"Retry-After": "7"})
    with pytest.raises(RateLimited) as info:
        await ApolloProvider(client, KEY).find_email(person)
    assert info.value.retry_after == 7.0
    assert str(info.value) == "apollo: HTTP 429 on POST /api/v1/people/match: slow down"


def lusha_hit(grade="A+", phone_type="Mobile", dnc=False, charged=True):
    return {"contact": {"error": None, "isCreditCharged": charged, "data": {
        "emailAddresses": [{"address": "perso@gmail.com", "type": "private", "emailConfidence": "A+"},
                           {"address": "marie.dupont@acme.fr", "type": "work", "emailConfidence": grade}],
        "phoneNumbers": [{"number": "+33 1 23 45 67 89", "phoneType": phone_type, "doNotCall": dnc}],
        "location": {"countryIso2": "FR"}}}}


@respx.mock
async def test_lusha_email_phone_credits_and_dnc(client, person):
    route = respx.get(LUSHA).respond(200, json=lusha_hit())
    lusha = LushaProvider(client, KEY)
    email = await lusha.find_email(person)
    assert (email.value, email.status, email.credits, email.raw_status) == ("marie.dupont@acme.fr", Status.VALID, 6.0, "A+")
    assert route.calls.last.request.headers["api_key"] == KEY
    assert dict(route.calls.last.request.url.params) == {"firstName": "Marie", "lastName": "Dupont",
                                                         "companyDomain": "acme.fr"}
    route.respond(200, json=lusha_hit(grade="C", phone_type="Direct", dnc=True))
    assert (await lusha.find_email(person)).status is Status.RISKY
    phone = await lusha.find_phone(person)
    assert (phone.value, phone.extra) == ("+33123456789", {"phone_type": "direct", "do_not_call": True})
    route.respond(200, json=lusha_hit(charged=False))
    assert (await lusha.find_email(person)).credits == 0.0
    route.respond(200, json={"contact": {"error": {"name": "EMPTY_DATA"}, "isCreditCharged": False, "data": None}})
    miss = await lusha.find_phone(person)
    assert (miss.value, miss.credits) == (None, 0.0)


@pytest.mark.parametrize("code,exc", [(402, QuotaExhausted), (451, Forgotten), (401, AuthFailed),
                                      (403, AuthFailed), (499, Transient), (500, Transient), (422, Rejected)])
@respx.mock
async def test_lusha_errors(client, person, code, exc):
    respx.get(LUSHA).respond(code, json={"statusCode": code, "message": f"m{code} {KEY}", "errors": []})
    with pytest.raises(exc) as info:
        await LushaProvider(client, KEY).find_email(person)
    assert type(info.value) is exc
    assert_no_key(info.value)  # even when the vendor echoes the key back


@respx.mock
async def test_lusha_429_has_no_retry_after(client, person):
    respx.get(LUSHA).respond(429, json={"statusCode": 429, "message": "Too Many Requests"})
    with pytest.raises(RateLimited) as info:
        await LushaProvider(client, KEY).find_email(person)
    assert info.value.retry_after is None


@respx.mock
async def test_prospeo_hit_body_and_mobile(client, person):
    route = respx.post(PROSPEO).respond(200, json={"error": False, "free_enrichment": False, "person": {
        "email": {"status": "VERIFIED", "revealed": True, "email": "marie.dupont@acme.fr"},
        "mobile": {"status": "VERIFIED", "revealed": True, "mobile": "+33 7 11 22 33 44"}}})
    prospeo = ProspeoProvider(client, KEY)
    email = await prospeo.find_email(person)
    assert (email.value, email.status, email.credits) == ("marie.dupont@acme.fr", Status.VALID, 1.0)
    assert route.calls.last.request.headers["X-KEY"] == KEY
    assert json.loads(route.calls.last.request.content) == {
        "data": {"first_name": "Marie", "last_name": "Dupont", "company_website": "acme.fr"},
        "only_verified_email": False, "enrich_mobile": False, "only_verified_mobile": False}
    phone = await prospeo.find_phone(person)
    assert (phone.value, phone.credits, phone.extra) == ("+33711223344", 10.0, {"phone_type": "mobile"})
    assert json.loads(route.calls.last.request.content)["enrich_mobile"] is True


@respx.mock
async def test_prospeo_masked_and_free_enrichment(client, person):
    respx.post(PROSPEO).respond(200, json={"error": False, "free_enrichment": True, "person": {
        "email": {"status": "VERIFIED", "revealed": False, "email": "marie.*****@acme.fr"}}})
    miss = await ProspeoProvider(client, KEY).find_email(person)
    assert (miss.value, miss.credits, miss.raw_status) == (None, 0.0, "masked")


@pytest.mark.parametrize("http,code,exc", [
    (400, "INSUFFICIENT_CREDITS", QuotaExhausted), (400, "INVALID_API_KEY", AuthFailed),
    (429, "RATE_LIMITED", RateLimited), (400, "INVALID_DATAPOINTS", Rejected), (400, "INVALID_REQUEST", Rejected),
    (500, "INTERNAL_ERROR", Transient), (400, "ACCOUNT_RESTRICTED", AuthFailed)])
@respx.mock
async def test_prospeo_error_codes_over_http_400(client, person, http, code, exc):
    respx.post(PROSPEO).respond(http, json={"error": True, "error_code": code})
    with pytest.raises(exc) as info:
        await ProspeoProvider(client, KEY).find_email(person)
    assert type(info.value) is exc
    assert str(info.value) == f"prospeo: HTTP {http} on POST /enrich-person: {code}"


@respx.mock
async def test_prospeo_no_match_is_a_free_miss(client, person):
    respx.post(PROSPEO).respond(400, json={"error": True, "error_code": "NO_MATCH"})
    miss = await ProspeoProvider(client, KEY).find_email(person)
    assert (miss.value, miss.status, miss.credits, miss.raw_status) == (None, Status.UNKNOWN, 0.0, "NO_MATCH")


@respx.mock
async def test_findymail_find_verify_and_errors(client, person, nodomain):
    route = respx.post("https://app.findymail.com/api/search/name").respond(
        200, json={"contact": {"email": "marie@acme.fr"}})
    findymail = FindymailProvider(client, KEY)
    hit = await findymail.find_email(person)
    assert (hit.value, hit.status, hit.credits) == ("marie@acme.fr", Status.VALID, 1.0)
    assert json.loads(route.calls.last.request.content) == {"name": "Marie Dupont", "domain": "acme.fr"}
    route.respond(200, json={})
    assert (await findymail.find_email(person)).credits == 0.0
    with pytest.raises(Rejected, match="domain is required"):
        await findymail.find_email(nodomain)
    route.respond(402, json={"message": "no credits"})
    with pytest.raises(QuotaExhausted):
        await findymail.find_email(person)
    respx.post("https://app.findymail.com/api/verify").respond(200, json={"email": "x@acme.fr", "verified": False})
    verdict = await findymail.verify_email("x@acme.fr")
    assert (verdict.status, verdict.credits) == (Status.INVALID, 1.0)
