"""HubSpot batch-upsert push against a loopback fake HubSpot."""

from __future__ import annotations

import logging
import time
from datetime import datetime

import httpx
import pytest

from firmo.compliance import suppress
from firmo.crm import HubSpotClient, HubSpotError, hubspot_api, push_hubspot
from firmo.crm.hubspot_api import _retry_after

from .conftest import NOW, frame, golden_leads, lead
from .fake_hubspot import TOKEN, FakeHubSpot


def _upserts(fake, object_type):
    return [body for method, path, body in fake.requests
            if method == "POST" and path == f"/crm/v3/objects/{object_type}/batch/upsert"]


def test_push_companies_then_contacts_then_associations(con, caplog):
    caplog.set_level(logging.DEBUG)
    sleeps = []
    with FakeHubSpot(rate_limit_first=1) as fake, HubSpotClient(TOKEN, base_url=fake.url, sleep=sleeps.append) as client:
        report = push_hubspot(golden_leads(), con=con, client=client, now=NOW)
        assert [path.split("/")[4] for _, path, _ in fake.requests[:3]] == ["companies", "companies", "contacts"]
        assert sleeps == [0.0]  # the 429 was retried after Retry-After: 0
        companies = _upserts(fake, "companies")[-1]["inputs"]
        assert [c["id"] for c in companies] == ["552100554", "732829320", "443061841"]
        assert companies[0] == {"id": "552100554", "idProperty": "siren", "properties": {
            "name": "Acme SAS", "domain": "acme.fr", "address": "12 rue de la Paix", "city": "Paris",
            "zip": "75002", "country": "France",
            "industry": "Programmation, conseil et autres activités informatiques", "numberofemployees": "20",
            "annualrevenue": "3200000", "siren": "552100554", "siret": "55210055400013", "naf_code": "62.01Z"}}
        contacts = _upserts(fake, "contacts")[0]["inputs"]
        assert [c["id"] for c in contacts] == ["jeanne.martin@acme.fr", "anne.roux@eclair.fr"]
        assert contacts[0]["idProperty"] == "email"
        assert contacts[0]["properties"]["mobilephone"] == "+33612345678"
        assert contacts[0]["properties"]["firmo_email_found_at"] == "2026-02-20"
        assert "phone" not in contacts[0]["properties"]  # empty values are not sent
        ids = {k: v["hs_object_id"] for k, v in fake.objects["contacts"].items()}
        cids = {k: v["hs_object_id"] for k, v in fake.objects["companies"].items()}
        assert sorted(fake.associations) == sorted([(ids["jeanne.martin@acme.fr"], cids["552100554"]),
                                                    (ids["anne.roux@eclair.fr"], cids["443061841"])])
    assert (report.companies, report.contacts, report.associations, report.no_email, report.skipped_p) == (
        3, 2, 2, 1, 1)
    assert TOKEN not in caplog.text and TOKEN not in repr(client)
    # both contacts, and the email-less lead whose company was accepted (not pushed again until it changes)
    assert con.execute("SELECT count(*), min(file) FROM exports.ledger WHERE crm = 'hubspot_api'").fetchall() == [
        (3, "api:hubspot")]


def test_second_push_sends_only_changes_and_batches_by_size(con):
    leads = frame(*[lead(email=f"p{i}@acme.fr", last_name=f"N{i}") for i in range(5)])
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url, batch_size=2) as client:
        push_hubspot(leads, con=con, client=client, now=NOW, associate=False)
        assert [len(b["inputs"]) for b in _upserts(fake, "contacts")] == [2, 2, 1]
        fake.requests.clear()
        again = push_hubspot(leads, con=con, client=client, now=datetime(2026, 3, 3), associate=False)
        assert again.skipped_unchanged == 5 and again.contacts == 0
        assert fake.requests == []


def test_partial_failure_is_not_recorded_and_suppressed_never_pushed(con):
    suppress(con, "email", "anne.roux@eclair.fr", reason="opt-out", now=NOW)
    with FakeHubSpot(fail_emails=("jeanne.martin@acme.fr",)) as fake, HubSpotClient(TOKEN, base_url=fake.url) as client:
        report = push_hubspot(golden_leads(), con=con, client=client, now=NOW)
        assert "anne.roux@eclair.fr" not in str(fake.requests)
    assert report.failed == 1 and report.suppressed == 1 and len(report.errors) == 1
    # the refused contact is not recorded (sent again next run); the email-less lead's company was accepted
    assert con.execute("SELECT email FROM exports.ledger").fetchall() == [(None,)]


def test_wrong_token_is_an_error_that_does_not_leak_it(con):
    with FakeHubSpot() as fake, HubSpotClient("wrong-secret-token", base_url=fake.url) as client:
        with pytest.raises(HubSpotError) as err:
            push_hubspot(golden_leads(), con=con, client=client, now=NOW)
    assert "401" in str(err.value) and "wrong-secret-token" not in str(err.value)


def test_missing_token(monkeypatch):
    """The client takes its token as an argument only: one in the environment is not read."""
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
    with pytest.raises(HubSpotError, match="no HubSpot token: set HUBSPOT_ACCESS_TOKEN"):
        HubSpotClient()


def test_persistent_429_gives_up_with_backoff():
    sleeps = []
    with FakeHubSpot(rate_limit_first=10) as fake, HubSpotClient(TOKEN, base_url=fake.url, max_retries=2,
                                                                  sleep=sleeps.append) as client:
        with pytest.raises(HubSpotError, match="429"):
            client.upsert("contacts", [{"id": "a@b.fr", "idProperty": "email", "properties": {}}])
    assert sleeps == [0.0, 0.0]


def test_burst_window_stamped_at_the_response_is_never_overrun(monkeypatch):
    """The client counts a request from its response, never earlier than HubSpot (here the fake, on
    arrival) counted it: with no margin, windows run full back to back and draw no 429. The
    window is shortened to 0.5 s so the test is quick; the client keeps no other margin."""
    monkeypatch.setattr(hubspot_api, "BURST_WINDOW", 0.5)
    with FakeHubSpot(burst=(20, 0.5)) as fake, HubSpotClient(TOKEN, base_url=fake.url, requests_per_10s=20,
                                                             max_retries=0) as client:
        started = time.monotonic()
        for i in range(101):
            client.upsert("contacts", [{"id": f"p{i}@c.fr", "idProperty": "email", "properties": {}}])
        elapsed = time.monotonic() - started
    assert fake.throttled == 0 and len(fake.requests) == 101
    assert 2.5 <= elapsed < 4.5  # 5 full windows of 20 after the first: at least 5 x 0.5 s


def test_backoff_without_retry_after():
    bare = httpx.Response(429)
    assert [_retry_after(bare, a) for a in (0, 1, 2, 9)] == [1.0, 2.0, 4.0, 60.0]
    assert _retry_after(httpx.Response(429, headers={"Retry-After": "7"}), 0) == 7.0


def test_dry_run_makes_no_call_says_create_or_update_and_masks_emails(con):
    dry = push_hubspot(golden_leads(), con=con, client=None, now=NOW, dry_run=True)
    assert dry.planned == [
        "create company 552100554 (Acme SAS)",
        "add note to company 552100554",
        "create contact j***@acme.fr, associated with 552100554",
        'create company 732829320 (Dupont, Fils & "Cie")',
        "add note to company 732829320",
        "create company 443061841 (Boulangerie Éclair)",
        "add note to company 443061841",
        "create contact a***@eclair.fr, associated with 443061841",
    ]
    assert dict(dry.would) == {"create company": 3, "add note": 3, "create contact": 2}
    assert (dry.no_email, dry.skipped_p) == (1, 1)
    assert con.execute("SELECT count(*) FROM exports.ledger").fetchone() == (0,)
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as client:
        push_hubspot(golden_leads(), con=con, client=client, now=NOW)
        fake.requests.clear()
        changed = frame(lead(score=91), *golden_leads().to_dicts()[1:])
        again = push_hubspot(changed, con=con, client=None, now=datetime(2026, 3, 3), dry_run=True)
        assert fake.requests == []
    assert again.planned == [
        "update company 552100554 (Acme SAS)",
        "add note to company 552100554",  # a new score: a new note body
        "update contact j***@acme.fr, associated with 552100554",
    ]
    assert again.skipped_unchanged == 2


def test_crash_between_acceptance_and_record_creates_no_duplicate(con):
    """HubSpot accepted companies, contacts and notes; firmo died before its ledger commit and
    before the note ids were written (the notes still pending in the outbox): the next run
    upserts by SIREN and email (updates), and finds each note by its marker on the company."""
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as client:
        first = push_hubspot(golden_leads(), con=con, client=client, now=NOW)
        note_ids = con.execute("SELECT siren, note_id FROM exports.crm_notes ORDER BY 1").fetchall()
        con.execute("DELETE FROM exports.ledger")
        con.execute("UPDATE exports.crm_notes SET note_id = ''")
        fake.requests.clear()
        again = push_hubspot(golden_leads(), con=con, client=client, now=datetime(2026, 3, 3))
        assert (len(fake.objects["companies"]), len(fake.objects["contacts"]), len(fake.objects["notes"])) == (3, 2, 3)
        assert [p for m, p, _ in fake.requests if p == "/crm/v3/objects/notes"] == []
        assert [p for m, p, _ in fake.requests if "notes" in p] == [
            "/crm/v4/associations/companies/notes/batch/read", "/crm/v3/objects/notes/batch/read"]
    assert (first.notes, again.notes, again.companies, again.contacts) == (3, 0, 3, 2)
    assert con.execute("SELECT siren, note_id FROM exports.crm_notes ORDER BY 1").fetchall() == note_ids
    assert con.execute("SELECT count(*) FROM exports.ledger").fetchone() == (3,)


def test_a_pending_note_hubspot_never_received_is_written_once(con):
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as client:
        push_hubspot(golden_leads(), con=con, client=client, now=NOW)
        con.execute("DELETE FROM exports.ledger")
        con.execute("UPDATE exports.crm_notes SET note_id = ''")
        fake.objects["notes"].clear()  # the crash came before HubSpot got the notes
        fake.links.clear()
        again = push_hubspot(golden_leads(), con=con, client=client, now=datetime(2026, 3, 3))
        assert len(fake.objects["notes"]) == 3 and again.notes == 3
        third = push_hubspot(golden_leads(), con=con, client=client, now=datetime(2026, 3, 4), full=True)
        assert len(fake.objects["notes"]) == 3 and third.notes == 0


def test_notes_go_in_batch_creates_and_a_refused_one_stays_pending(con):
    """Notes go 2 a call (batch_size=2) through `notes/batch/create`, never one `POST` each; a
    note HubSpot refuses in a 207 is reported, stays pending in the outbox, and is sent next run."""
    leads = frame(*[lead(siren=s, siret=f"{s}00013", email=f"p{i}@x{i}.fr", website_domain=f"x{i}.fr")
                    for i, s in enumerate(["552100554", "732829320", "443061841"])])
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url, batch_size=2) as client:
        real = fake._note
        fake._note = lambda body: ((400, {"category": "VALIDATION_ERROR", "message": "refused"})
                                   if "[firmo:732829320:" in body["properties"]["hs_note_body"] else real(body))
        first = push_hubspot(leads, con=con, client=client, now=NOW)
        creates = [b for m, p, b in fake.requests if p == "/crm/v3/objects/notes/batch/create"]
        assert [len(b["inputs"]) for b in creates] == [2, 1]
        assert [p for m, p, _ in fake.requests if p == "/crm/v3/objects/notes"] == []
        assert creates[0]["inputs"][0]["associations"] == [{"to": {"id": fake.objects["companies"]["552100554"]["hs_object_id"]},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 190}]}]
        assert (first.notes, first.errors) == (2, [{"category": "NOTE_REFUSED", "message": "refused"}])
        assert con.execute("SELECT siren, note_id = '' FROM exports.crm_notes ORDER BY 1").fetchall() == [
            ("443061841", False), ("552100554", False), ("732829320", True)]
        fake._note = real
        again = push_hubspot(leads, con=con, client=client, now=datetime(2026, 3, 3), full=True)
        assert (again.notes, len(fake.objects["notes"])) == (1, 3)
    assert con.execute("SELECT count(*) FROM exports.crm_notes WHERE note_id = ''").fetchone() == (0,)


def test_linkedin_url_sent_once_the_portal_has_it_and_company_phone_is_the_company_phone(con):
    """`linkedin_url` is a custom contact property: left out while the portal lacks it (404 on its
    definition), sent once it exists; the switchboard goes to the company's `phone`, as the import
    maps `company_phone`."""
    import polars as pl

    leads = frame(lead(linkedin_url="https://www.linkedin.com/in/jeanne-martin-4b2a/")).with_columns(
        pl.lit("+33140000000").alias("company_phone"))
    with FakeHubSpot() as fake, HubSpotClient(TOKEN, base_url=fake.url) as client:
        push_hubspot(leads, con=con, client=client, now=NOW, notes=False)
        assert "linkedin_url" not in _upserts(fake, "contacts")[0]["inputs"][0]["properties"]
        company = _upserts(fake, "companies")[0]["inputs"][0]["properties"]
        assert (company["phone"], "company_phone" in company) == ("+33140000000", False)
        assert [p for m, p, _ in fake.requests if m == "GET"] == ["/crm/v3/properties/contacts/linkedin_url"]
        fake.properties["contacts"].add("linkedin_url")
        push_hubspot(leads, con=con, client=client, now=datetime(2026, 3, 3), notes=False, full=True)
        assert _upserts(fake, "contacts")[1]["inputs"][0]["properties"]["linkedin_url"] == (
            "https://www.linkedin.com/in/jeanne-martin-4b2a/")
        assert fake.objects["contacts"]["jeanne.martin@acme.fr"]["linkedin_url"] == (
            "https://www.linkedin.com/in/jeanne-martin-4b2a/")
