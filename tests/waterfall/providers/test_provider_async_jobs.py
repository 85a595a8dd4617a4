"""Dropcontact, FullEnrich, Icypeas and Enrow: submit + poll cycles against respx mocks."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from .conftest import KEY, assert_no_key
from waterfall.providers.base import AuthFailed, Field, QuotaExhausted, RateLimited, Rejected, Status, Transient
from waterfall.providers.dropcontact import DropcontactProvider, qualify
from waterfall.providers.enrow import EnrowProvider
from waterfall.providers.fullenrich import FullEnrichProvider, wait_hint
from waterfall.providers.icypeas import IcypeasProvider

pytestmark = pytest.mark.anyio
DC = "https://api.dropcontact.com/v1/enrich/all"
FE = "https://app.fullenrich.com/api/v2/contact/enrich/bulk"
NOT_READY = {"success": False, "reason": "Request not ready yet, try again in 30 seconds"}


def dropcontact(client, timeout=1.0):
    return DropcontactProvider(client, KEY, poll_interval=0, poll_timeout=timeout)


@respx.mock
async def test_dropcontact_polls_until_ready(client, person):
    submit = respx.post(DC).respond(200, json={"credits_left": 10, "request_id": "req1", "error": False,
                                               "success": True})
    ready = {"success": True, "error": False, "credits_left": 9, "data": [{
        "email": [{"email": "contact@acme.fr", "qualification": "generic@pro"},
                  {"email": "marie.dupont@acme.fr", "qualification": "nominative@pro"}],
        "mobile_phone": "06 12 34 56 78", "phone": "01 23 45 67 89"}]}
    poll = respx.get(f"{DC}/req1").mock(side_effect=[
        httpx.Response(200, json=NOT_READY), httpx.Response(200, json=NOT_READY),
        httpx.Response(200, json=ready)])
    answer = await dropcontact(client).find_email(person)
    assert (answer.value, answer.status, answer.credits, answer.raw_status) == (
        "marie.dupont@acme.fr", Status.VALID, 1.0, "nominative@pro")
    assert poll.call_count == 3
    sent = submit.calls.last.request
    assert sent.headers["X-Access-Token"] == KEY
    assert json.loads(sent.content) == {"data": [{"first_name": "Marie", "last_name": "Dupont",
                                                  "company": "Acme Conseil", "num_siren": "552100554",
                                                  "website": "acme.fr"}], "siren": False, "language": "en"}
    poll.side_effect = None
    poll.respond(200, json=ready)
    phone = await dropcontact(client).find_phone(person)
    assert (phone.value, phone.status, phone.extra, phone.credits) == (
        "+33612345678", Status.VALID, {"phone_type": "mobile"}, 1.0)


@respx.mock
async def test_dropcontact_not_ready_past_timeout_is_transient(client, person):
    respx.post(DC).respond(200, json={"request_id": "req2", "success": True, "error": False})
    poll = respx.get(f"{DC}/req2").respond(200, json=NOT_READY)
    with pytest.raises(Transient, match="job req2 not ready after 0 s"):
        await dropcontact(client, timeout=0).find_email(person)
    assert poll.call_count == 1


@respx.mock
async def test_dropcontact_403_is_quota_and_generic_only_is_a_miss(client, person):
    respx.post(DC).respond(403, json={"error": True, "reason": "not enough credits", "success": False})
    with pytest.raises(QuotaExhausted) as info:
        await dropcontact(client).find_email(person)
    assert_no_key(info.value)
    respx.post(DC).respond(200, json={"request_id": "r3", "success": True})
    respx.get(f"{DC}/r3").respond(200, json={"success": True, "data": [
        {"email": [{"email": "contact@acme.fr", "qualification": "generic@pro"}]}]})
    miss = await dropcontact(client).find_email(person)
    assert (miss.value, miss.credits, miss.raw_status) == (None, 0.0, "generic@pro")


def test_dropcontact_qualifications():
    assert [qualify(q) for q in ("nominative@pro", "catch_all@pro", "non_validated@pro", "invalid@pro",
                                 "nominative@disposable", "Do_Not_Contact@pro", "generic@pro", "nominative@perso")] == [
        Status.VALID, Status.RISKY, Status.RISKY, Status.INVALID, Status.INVALID, Status.INVALID, None, None]


def fe_result(status="FINISHED", credits=11, email=None, phone=None):
    return {"id": "e1", "status": status, "cost": {"credits": credits}, "data": [{"contact_info": {
        "most_probable_work_email": email, "most_probable_phone": phone}}]}


@respx.mock
async def test_fullenrich_submit_poll_email_and_phone(client, person):
    submit = respx.post(FE).respond(200, json={"enrichment_id": "e1"})
    poll = respx.get(f"{FE}/e1")
    poll.side_effect = [httpx.Response(200, json={"id": "e1", "status": "IN_PROGRESS"}),
                        httpx.Response(200, json=fe_result(credits=1, email={
                            "email": "marie.dupont@acme.fr", "status": "HIGH_PROBABILITY"}))]
    provider = FullEnrichProvider(client, KEY, poll_interval=0)
    answer = await provider.find_email(person)
    assert (answer.value, answer.status, answer.credits, answer.raw_status) == (
        "marie.dupont@acme.fr", Status.RISKY, 1.0, "HIGH_PROBABILITY")
    body = json.loads(submit.calls.last.request.content)
    assert body["name"] == "firmo 552100554"
    assert body["data"][0]["enrich_fields"] == ["contact.work_emails"]
    assert submit.calls.last.request.headers["Authorization"] == f"Bearer {KEY}"
    poll.side_effect = None
    poll.respond(200, json=fe_result(credits=10, phone={"number": "+33 6 12 34 56 78", "region": "FR"}))
    phone = await provider.find_phone(person)
    assert (phone.value, phone.credits, phone.extra) == ("+33612345678", 10.0, {"phone_type": "mobile"})


@pytest.mark.parametrize("status,exc", [("CREDITS_INSUFFICIENT", QuotaExhausted), ("RATE_LIMIT", RateLimited),
                                        ("CANCELED", Rejected), ("UNKNOWN", Transient)])
@respx.mock
async def test_fullenrich_job_statuses(client, person, status, exc):
    respx.post(FE).respond(200, json={"enrichment_id": "e1"})
    respx.get(f"{FE}/e1").respond(200, json=fe_result(status=status))
    with pytest.raises(exc):
        await FullEnrichProvider(client, KEY, poll_interval=0).find_email(person)


@respx.mock
async def test_fullenrich_429_reads_the_message_hint_and_401(client, person):
    respx.post(FE).respond(429, json={"code": "error.rate.limit", "message": "Too many requests. Try again in 1m"})
    with pytest.raises(RateLimited) as info:
        await FullEnrichProvider(client, KEY).find_email(person)
    assert info.value.retry_after == 60.0
    assert (wait_hint("try again in 30s"), wait_hint("later")) == (30.0, None)
    respx.post(FE).respond(401, json={"code": "error.api.key", "message": "bad"})
    with pytest.raises(AuthFailed, match="error.api.key"):
        await FullEnrichProvider(client, KEY).find_email(person)


@respx.mock
async def test_icypeas_search_then_read(client, person):
    start = respx.post("https://app.icypeas.com/api/email-search").respond(
        200, json={"success": True, "item": {"_id": "k1", "status": "NONE"}})
    read = respx.post("https://app.icypeas.com/api/bulk-single-searchs/read")
    read.side_effect = [
        httpx.Response(200, json={"success": True, "items": [{"_id": "k1", "status": "IN_PROGRESS"}]}),
        httpx.Response(200, json={"success": True, "items": [{"_id": "k1", "status": "FOUND", "results": {
            "emails": [{"email": "marie.dupont@acme.fr", "certainty": "probable", "mxProvider": "google"}]}}]})]
    answer = await IcypeasProvider(client, KEY, poll_interval=0).find_email(person)
    assert (answer.value, answer.status, answer.credits, answer.raw_status) == (
        "marie.dupont@acme.fr", Status.RISKY, 1.0, "probable")
    assert start.calls.last.request.headers["Authorization"] == KEY
    assert json.loads(start.calls.last.request.content)["domainOrCompany"] == "acme.fr"
    assert json.loads(read.calls.last.request.content) == {"id": "k1"}
    for status, expected in [("NOT_FOUND", None), ("INSUFFICIENT_FUNDS", QuotaExhausted), ("BAD_INPUT", Rejected)]:
        read.side_effect = None
        read.respond(200, json={"success": True, "items": [{"_id": "k1", "status": status}]})
        if expected is None:
            miss = await IcypeasProvider(client, KEY, poll_interval=0).find_email(person)
            assert (miss.value, miss.credits, miss.raw_status) == (None, 0.0, "NOT_FOUND")
        else:
            with pytest.raises(expected):
                await IcypeasProvider(client, KEY, poll_interval=0).find_email(person)


@respx.mock
async def test_enrow_pending_then_completed_and_402(client, person):
    respx.post("https://api.enrow.io/email/find/single").respond(200, json={"id": "s1", "status": "pending"})
    respx.get("https://api.enrow.io/email/find/single/s1").respond(200, json={
        "id": "s1", "status": "completed", "email": "mdupont@acme.fr", "qualification": "valid", "credits_used": 1})
    answer = await EnrowProvider(client, KEY, poll_interval=0).find_email(person)
    assert (answer.value, answer.status, answer.credits) == ("mdupont@acme.fr", Status.VALID, 1.0)
    respx.post("https://api.enrow.io/email/find/single").respond(
        402, json={"error": "InsufficientBalance", "message": "no", "status": 402})
    with pytest.raises(QuotaExhausted, match="InsufficientBalance"):
        await EnrowProvider(client, KEY).find_email(person)
    respx.post("https://api.enrow.io/email/find/single").respond(
        429, json={"error": "TooManyRequests", "message": "Rate limit exceeded", "status": 429},
        headers={"Retry-After": "2"})
    with pytest.raises(RateLimited) as info:
        await EnrowProvider(client, KEY).find_email(person)
    assert info.value.retry_after == 2.0


async def test_async_providers_declare_fields(client):
    assert DropcontactProvider.fields == {Field.EMAIL, Field.PHONE}
    assert FullEnrichProvider.fields == {Field.EMAIL, Field.PHONE}
    with pytest.raises(NotImplementedError):
        await EnrowProvider(client, KEY).verify_email("a@b.fr")
