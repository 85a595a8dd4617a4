"""Pipedrive push (search, then create or update) against a loopback fake Pipedrive."""

from __future__ import annotations

import logging
import time
from datetime import datetime

import httpx
import pytest

from firmo.compliance import forget, suppress
from firmo.crm.layouts import PIPEDRIVE
from firmo.crm.pipedrive_api import PipedriveClient, PipedriveError, retry_after
from firmo.crm.push_pipedrive import push_pipedrive
from firmo.crm.tables import ensure_tables

from .conftest import NOW, frame, golden_leads, lead
from .fake_pipedrive import PRESET_FIELD, TOKEN, FakePipedrive

LATER = datetime(2026, 3, 3, 8, 0, 0)
FAST = {"requests_per_2s": 10_000, "searches_per_2s": 10_000}  # the window is tested on its own below


def client_for(fake: FakePipedrive, **kw) -> PipedriveClient:
    return PipedriveClient(TOKEN, base_url=fake.url, **{**FAST, **kw})


def _paths(requests, method):
    return [path for m, path, _, _ in requests if m == method]


def test_first_push_golden_bodies(con, caplog):
    caplog.set_level(logging.DEBUG)
    sleeps: list[float] = []
    with FakePipedrive(rate_limit_first=1) as fake, client_for(fake, sleep=sleeps.append) as client:
        report = push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        siren, siret, score = (fake.custom_key("organizationFields", n) for n in ("SIREN", "SIRET", "firmo score"))
        fonction, linkedin = (fake.custom_key("personFields", n) for n in ("Fonction", "LinkedIn"))
        assert all(len(k) == 40 for k in (siren, siret, score, fonction, linkedin))
        assert sleeps == [0.0]  # the 429 was retried after x-ratelimit-reset: 0
        # fields: listed (two cursor pages each), then created once
        assert fake.calls("POST", "/api/v2/organizationFields") == [
            {"field_name": "SIREN", "field_type": "varchar"},
            {"field_name": "SIRET", "field_type": "varchar"},
            {"field_name": "firmo score", "field_type": "double"},
        ]
        assert fake.calls("POST", "/api/v2/personFields") == [
            {"field_name": "Fonction", "field_type": "varchar"},
            {"field_name": "LinkedIn", "field_type": "varchar"},
        ]
        assert [
            q.get("cursor") for m, p, q, _ in fake.requests if p == "/api/v2/organizationFields" and m == "GET"
        ] == [None, None, "2"]  # the 429, then page 1 and page 2
        search = [q for _, p, q, _ in fake.requests if p == "/api/v2/itemSearch/field"]
        assert search[0] == {
            "entity_type": "organization",
            "field": siren,
            "term": "552100554",
            "match": "exact",
            "limit": "100",
        }
        orgs = fake.calls("POST", "/api/v2/organizations")
        assert orgs[0] == {
            "name": "Acme SAS",
            "address": {"value": "12 rue de la Paix, 75002 Paris, France"},
            "custom_fields": {siren: "552100554", siret: "55210055400013", score: 84.0},
        }
        assert orgs[1] == {
            "name": 'Dupont, Fils & "Cie"',
            "address": {"value": "69003 Lyon, France"},
            "custom_fields": {siren: "732829320", siret: "73282932000074", score: 55.0},
        }
        acme = next(i for i, o in fake.organizations.items() if o["name"] == "Acme SAS")
        persons = fake.calls("POST", "/api/v2/persons")
        assert persons[0] == {
            "name": "Jeanne Martin",
            "org_id": acme,
            "emails": [{"value": "jeanne.martin@acme.fr", "primary": True, "label": "work"}],
            "phones": [{"value": "+33612345678", "primary": True, "label": "mobile"}],
            "custom_fields": {fonction: "Présidente", linkedin: "https://www.linkedin.com/in/jeanne-martin-4b2a/"},
        }
        # Luc Dupont has no email, and his organisation was created in this run: no name search
        assert [q["term"] for _, p, q, _ in fake.requests if p == "/api/v2/persons/search"] == [
            "jeanne.martin@acme.fr",
            "anne.roux@eclair.fr",
        ]
        # the persons were created in this run: no lead list read (they have no lead yet)
        assert [p for m, p, _, _ in fake.requests if m == "GET" and p == "/v1/leads"] == []
        jeanne = next(i for i, p in fake.persons.items() if p["name"] == "Jeanne Martin")
        leads = fake.calls("POST", "/v1/leads")
        assert leads[0] == {
            "title": "Acme SAS - Jeanne Martin",
            "person_id": jeanne,
            "organization_id": acme,
            "origin_id": "firmo:552100554",
        }
        lead_id = next(iter(fake.leads))
        assert fake.calls("POST", "/v1/notes")[0] == {
            "content": "<p>NAF 62.01Z in ICP<br>20-49 employees<br>Email: hunter (2026-02-20)<br>"
            "Phone: lusha (2026-02-21)</p>",
            "lead_id": lead_id,
            "org_id": acme,
        }
        assert all(r[0] != "GET" or r[1] != "/v1/notes" for r in fake.requests)  # fresh leads: no note lookup
    assert (report.organizations_created, report.persons_created, report.leads_created, report.notes) == (3, 3, 3, 3)
    assert (report.fields_created, report.pushed, report.skipped_p, report.failed) == (5, 3, 1, 0)
    # crm_sync.md §3.6 costs: fields 75 (the 429'd list counted: whether Pipedrive charges it is not
    # documented, so the meter errs high) + 70 a lead with an email (2 searches 40, org 5, person 5,
    # lead 10, note 10) + 50 for Luc Dupont (no person search)
    assert report.tokens_spent == 265
    assert TOKEN not in caplog.text and TOKEN not in repr(client)
    assert con.execute("SELECT count(*), min(file) FROM exports.ledger WHERE crm = 'pipedrive_api'").fetchall() == [
        (3, "api:pipedrive")
    ]
    assert con.execute("SELECT entity, count(*) FROM exports.crm_ids GROUP BY 1 ORDER BY 1").fetchall() == [
        ("lead", 3),
        ("note", 3),
        ("organization", 3),
        ("person", 3),
    ]


def test_immediate_rerun_makes_no_call(con):
    with FakePipedrive() as fake, client_for(fake) as client:
        push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        fake.requests.clear()
        again = push_pipedrive(golden_leads(), con=con, client=client, now=LATER)
        assert fake.requests == []
    assert (again.skipped_unchanged, again.pushed, again.tokens_spent) == (3, 0, 0)


def test_field_keys_remembered_and_reused(con):
    with FakePipedrive() as fake, client_for(fake) as client:
        push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        keys = con.execute("SELECT entity, field_name, field_key FROM exports.crm_fields ORDER BY 1, 2").fetchall()
        assert keys == [
            ("organization", "SIREN", fake.custom_key("organizationFields", "SIREN")),
            ("organization", "SIRET", fake.custom_key("organizationFields", "SIRET")),
            ("organization", "firmo score", fake.custom_key("organizationFields", "firmo score")),
            ("person", "Fonction", fake.custom_key("personFields", "Fonction")),
            ("person", "LinkedIn", fake.custom_key("personFields", "LinkedIn")),
        ]
        fake.requests.clear()
        changed = frame(lead(score=91), *golden_leads().to_dicts()[1:])
        report = push_pipedrive(changed, con=con, client=client, now=LATER)
        assert [p for _, p, _, _ in fake.requests if "Fields" in p] == []  # keys read from exports.crm_fields
        acme = int(
            con.execute(
                "SELECT crm_id FROM exports.crm_ids WHERE entity = 'organization' AND firmo_key = '552100554'"
            ).fetchone()[0]
        )
        assert _paths(fake.writes(), "PATCH") == [
            f"/api/v2/organizations/{acme}",
            f"/api/v2/persons/{acme + 1}",
            f"/v1/leads/{next(iter(fake.leads))}",
        ]
        assert (
            fake.calls("PATCH", f"/api/v2/organizations/{acme}")[0]["custom_fields"][
                fake.custom_key("organizationFields", "firmo score")
            ]
            == 91.0
        )
        assert len(fake.organizations) == 3 and len(fake.notes) == 3  # the note text did not change
    assert (report.organizations_updated, report.persons_updated, report.leads_updated, report.notes) == (1, 1, 1, 0)
    assert report.skipped_unchanged == 2


def test_fields_found_by_name_in_a_fresh_warehouse(con):
    """A warehouse that lost exports.crm_fields finds the fields by name: none is created twice."""
    with FakePipedrive() as fake, client_for(fake) as client:
        push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        con.execute("DELETE FROM exports.crm_fields")
        con.execute("DELETE FROM exports.ledger")
        fake.requests.clear()
        push_pipedrive(golden_leads(), con=con, client=client, now=LATER)
        assert [p for m, p, _, _ in fake.requests if "Fields" in p and m == "POST"] == []
    assert con.execute("SELECT count(*), count(*) FILTER (field_key = '') FROM exports.crm_fields").fetchone() == (
        5,
        0,
    )  # the 5 keys


def test_search_finds_existing_org_and_person(con):
    """Sales already have Acme (SIREN field filled in) and Jeanne: they are updated, not duplicated."""
    with FakePipedrive() as fake, client_for(fake) as client:
        code = "946947d1b02fd3ef20798d6112ec5d895a686a21"
        fake.fields["organizationFields"].append(
            {"field_name": "SIREN", "field_code": code, "field_type": "varchar", "is_custom_field": True}
        )
        fake.organizations[17] = {"id": 17, "name": "ACME", "owner_id": 5, "custom_fields": {code: "552100554"}}
        fake.persons[18] = {
            "id": 18,
            "name": "J. Martin",
            "org_id": 17,
            "emails": [{"value": "Jeanne.Martin@acme.fr", "primary": True}],
        }
        report = push_pipedrive(frame(lead()), con=con, client=client, now=NOW)
        assert fake.calls("POST", "/api/v2/organizationFields") == [
            {"field_name": "SIRET", "field_type": "varchar"},
            {"field_name": "firmo score", "field_type": "double"},
        ]
        assert fake.calls("POST", "/api/v2/organizations") == [] and fake.calls("POST", "/api/v2/persons") == []
        assert fake.calls("PATCH", "/api/v2/organizations/17")[0]["custom_fields"][code] == "552100554"
        assert fake.calls("PATCH", "/api/v2/persons/18")[0]["org_id"] == 17
        assert fake.organizations[17]["owner_id"] == 5  # the seller keeps the account
        assert [(x["person_id"], x["organization_id"]) for x in fake.leads.values()] == [(18, 17)]
    assert (report.organizations_updated, report.persons_updated, report.leads_created) == (1, 1, 1)
    assert con.execute("SELECT field_key FROM exports.crm_fields WHERE field_name = 'SIREN'").fetchone() == (code,)


def test_refused_record_retried_next_run(con):
    suppress(con, "email", "anne.roux@eclair.fr", reason="opt-out", now=NOW)
    with FakePipedrive(fail_emails=("jeanne.martin@acme.fr",)) as fake, client_for(fake) as client:
        report = push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        assert "anne.roux@eclair.fr" not in str(fake.requests)
        assert report.failed == 1 and report.suppressed == 1 and report.pushed == 1
        assert report.errors == [
            {
                "siren": "552100554",
                "status": 400,
                "error": "Pipedrive POST /api/v2/persons -> 400: Person could not be saved.",
            }
        ]
        assert con.execute("SELECT lead_key FROM exports.ledger").fetchall() == [("732829320|name:luc dupont",)]
        fake.fail_emails.clear()
        fake.requests.clear()
        again = push_pipedrive(golden_leads(), con=con, client=client, now=LATER)
        # Acme's organisation was accepted the first time: the id map finds it, no second one
        assert _paths(fake.writes(), "POST") == ["/api/v2/persons", "/v1/leads", "/v1/notes"]
        assert len(fake.organizations) == 2
    assert (again.pushed, again.skipped_unchanged, again.organizations_updated, again.persons_created) == (1, 1, 1, 1)
    assert con.execute("SELECT count(*) FROM exports.ledger").fetchone() == (2,)


def test_crash_between_acceptance_and_record_makes_no_duplicate(con):
    """Pipedrive accepted everything, firmo died before writing its id map and ledger: the next run
    finds each record again (SIREN field, email, the lead's origin_id, the note's text)."""
    with FakePipedrive() as fake, client_for(fake) as client:
        push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        con.execute("DELETE FROM exports.crm_ids")
        con.execute("DELETE FROM exports.ledger")
        fake.requests.clear()
        report = push_pipedrive(golden_leads(), con=con, client=client, now=LATER)
        assert _paths(fake.writes(), "POST") == []
        assert (len(fake.organizations), len(fake.persons), len(fake.leads), len(fake.notes)) == (3, 3, 3, 3)
        assert len(_paths(fake.requests, "GET")) == 3 * 4  # org, person, lead and note look-ups per lead
        acme = next(i for i, o in fake.organizations.items() if o["name"] == "Acme SAS")
        assert [q for _, p, q, _ in fake.requests if p == "/api/v2/persons/search"][1] == {
            "term": "Luc Dupont",  # no email: by name within the organisation found by its SIREN
            "fields": "name",
            "exact_match": "true",
            "organization_id": str(acme + 4),
        }
    assert (report.organizations_updated, report.persons_updated, report.leads_updated, report.notes) == (3, 3, 3, 0)
    assert con.execute("SELECT entity, count(*) FROM exports.crm_ids GROUP BY 1 ORDER BY 1").fetchall() == [
        ("lead", 3),
        ("note", 3),
        ("organization", 3),
        ("person", 3),
    ]


def test_dry_run_makes_no_write_call(con):
    with FakePipedrive() as fake, client_for(fake) as client:
        report = push_pipedrive(golden_leads(), con=con, client=client, now=NOW, dry_run=True)
        assert fake.writes() == []
        assert report.planned == [
            "create organization field 'SIREN' (varchar)",
            "create organization field 'SIRET' (varchar)",
            "create organization field 'firmo score' (double)",
            "create person field 'Fonction' (varchar)",
            "create person field 'LinkedIn' (varchar)",
            "create organization 552100554",
            "create person 552100554|j***@acme.fr",
            "create lead 552100554|j***@acme.fr",
            "add note to lead 552100554|j***@acme.fr",
            "create organization 732829320",
            "create person 732829320|name:l*** d***",
            "create lead 732829320|name:l*** d***",
            "add note to lead 732829320|name:l*** d***",
            "create organization 443061841",
            "create person 443061841|a***@eclair.fr",
            "create lead 443061841|a***@eclair.fr",
            "add note to lead 443061841|a***@eclair.fr",
        ]
        assert con.execute("SELECT count(*) FROM exports.ledger").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM exports.crm_fields").fetchone() == (0,)
        push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        fake.requests.clear()
        changed = frame(lead(score=91), *golden_leads().to_dicts()[1:])
        dry = push_pipedrive(changed, con=con, client=client, now=LATER, dry_run=True)
        assert fake.requests == [] and dry.planned == [
            "update organization 552100554",
            "update person 552100554|j***@acme.fr",
            "update lead 552100554|j***@acme.fr",
        ]


def test_token_budget_stops_and_next_run_goes_on(con):
    with FakePipedrive() as fake:
        with client_for(fake, token_budget=170) as client:
            report = push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        # fields 65 + Acme 70; Dupont's org search, org and person (30) fit, its lead (10) would not
        assert report.stopped == "Pipedrive token budget reached (165 of 170 spent)"
        assert (report.pushed, report.not_reached, report.tokens_spent) == (1, 2, 165)
        assert con.execute("SELECT count(*) FROM exports.ledger").fetchone() == (1,)
        with client_for(fake) as client:
            again = push_pipedrive(golden_leads(), con=con, client=client, now=LATER)
        assert (again.pushed, again.skipped_unchanged) == (2, 1)
        # Dupont's organisation and person, created before the stop, were found again in the id map
        assert (len(fake.organizations), len(fake.persons), len(fake.leads)) == (3, 3, 3)


def test_wrong_token_stops_without_leaking_it(con):
    with FakePipedrive() as fake, PipedriveClient("wrong-secret-token", base_url=fake.url) as client:
        with pytest.raises(PipedriveError) as err:
            push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        assert fake.requests[0][2] == {"limit": "500"}  # the token is a header, never in the URL
    assert "401" in str(err.value) and "wrong-secret-token" not in str(err.value)
    assert con.execute("SELECT count(*) FROM exports.ledger").fetchone() == (0,)


def test_missing_token(monkeypatch):
    monkeypatch.setenv("FIRMO_PIPEDRIVE_API_TOKEN", TOKEN)  # not read: the token is an argument
    with pytest.raises(PipedriveError, match="no Pipedrive token: set FIRMO_PIPEDRIVE_API_TOKEN"):
        PipedriveClient()


def test_persistent_429_gives_up():
    sleeps: list[float] = []
    with (
        FakePipedrive(rate_limit_first=10) as fake,
        client_for(fake, max_retries=2, sleep=sleeps.append) as client,
        pytest.raises(PipedriveError, match="429: Too many requests"),
    ):
        client.list_fields("organization")
    assert sleeps == [0.0, 0.0]


def test_retry_delay_and_burst_window():
    assert retry_after(httpx.Response(429, headers={"Retry-After": "7", "x-ratelimit-reset": "2"}), 0) == 7.0
    assert retry_after(httpx.Response(429, headers={"x-ratelimit-reset": "2"}), 0) == 2.0
    assert [retry_after(httpx.Response(429), a) for a in (0, 1, 2, 9)] == [1.0, 2.0, 4.0, 60.0]
    sleeps: list[float] = []
    with (
        FakePipedrive() as fake,
        PipedriveClient(TOKEN, base_url=fake.url, searches_per_2s=2, sleep=sleeps.append) as client,
    ):
        for _ in range(3):
            client.find_by_field("organization", PRESET_FIELD["field_code"], "552100554")
    assert len(sleeps) == 1 and 1.6 < sleeps[0] <= 2.0  # the third search waits for the 2-s window


def test_burst_window_stamped_at_the_response_is_never_overrun():
    """The client counts a request from its response, never earlier than Pipedrive (here the fake,
    on arrival) counted it: full 2-s windows back to back, no margin, no 429."""
    with (
        FakePipedrive(burst=(20, 4), page_size=500) as fake,
        PipedriveClient(TOKEN, base_url=fake.url, requests_per_2s=20, searches_per_2s=4, max_retries=0) as client,
    ):
        started = time.monotonic()
        for i in range(61):
            if i % 5:
                client.list_fields("organization")
            else:
                client.find_by_field("organization", PRESET_FIELD["field_code"], "552100554")
        elapsed = time.monotonic() - started
    assert fake.throttled == 0 and len(fake.requests) == 61
    assert 6.0 <= elapsed < 9.0  # 3 full windows of 20 after the first: at least 3 x 2 s


def test_forget_erases_the_remembered_crm_ids(con):
    with FakePipedrive() as fake, client_for(fake) as client:
        push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
    result = forget(con, "Jeanne.Martin@acme.fr", now=LATER)
    assert result.erased["exports.crm_ids.email"] == 3  # her person, lead and note ids
    assert con.execute("SELECT DISTINCT email FROM exports.crm_ids WHERE email IS NOT NULL").fetchall() == [
        ("anne.roux@eclair.fr",)
    ]


def test_lead_disqualified_in_a_crm_is_not_pushed(con):
    """The read-back's holds are the push's too: a contact sales disqualified 10 days ago stays out."""
    ensure_tables(con)
    con.execute(
        "INSERT INTO exports.crm_contacts (crm, crm_id, email, crm_validated, disqualified_since, pulled_at) "
        "VALUES ('hubspot', '7', 'jeanne.martin@acme.fr', false, TIMESTAMP '2026-02-20 10:00:00', ?)",
        [NOW],
    )
    with FakePipedrive() as fake, client_for(fake) as client:
        report = push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        assert "jeanne.martin@acme.fr" not in str(fake.requests)
    assert (report.crm_disqualified, report.pushed) == (1, 2)


def test_search_lag_does_not_duplicate_within_a_run(con):
    """Pipedrive's search may lag behind a create (§3.3): a second contact of the same company in
    the same run finds the organisation in the id map, not through the (still empty) search."""
    leads = frame(lead(), lead(email="paul.durand@acme.fr", first_name="Paul", last_name="Durand"))
    with FakePipedrive(search_lag=100) as fake, client_for(fake) as client:
        report = push_pipedrive(leads, con=con, client=client, now=NOW)
        assert len(fake.calls("POST", "/api/v2/organizations")) == 1
        assert [q["term"] for _, p, q, _ in fake.requests if p == "/api/v2/itemSearch/field"] == ["552100554"]
        assert {p["org_id"] for p in fake.persons.values()} == set(fake.organizations)
    assert (report.organizations_created, report.organizations_updated, report.persons_created) == (1, 0, 2)


def test_record_merged_away_by_sales_is_found_again(con):
    """Sales merged Acme into another organisation (its id now answers 404): the stale id is
    dropped from the map, the SIREN search finds the survivor, which is updated; nothing created."""
    with FakePipedrive() as fake, client_for(fake) as client:
        push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        code = fake.custom_key("organizationFields", "SIREN")
        old = next(i for i, o in fake.organizations.items() if o["name"] == "Acme SAS")
        del fake.organizations[old]
        fake.organizations[500] = {"id": 500, "name": "ACME (merged)", "custom_fields": {code: "552100554"}}
        fake.requests.clear()
        report = push_pipedrive(frame(lead(score=91)), con=con, client=client, now=LATER)
        assert _paths(fake.writes(), "PATCH")[:2] == [f"/api/v2/organizations/{old}", "/api/v2/organizations/500"]
        assert fake.calls("POST", "/api/v2/organizations") == []
        assert fake.persons[old + 1]["org_id"] == 500
    assert (report.pushed, report.failed, report.organizations_updated) == (1, 0, 1)
    assert con.execute(
        "SELECT crm_id FROM exports.crm_ids WHERE entity = 'organization' AND firmo_key = '552100554'"
    ).fetchone() == ("500",)


def test_crash_between_note_acceptance_and_its_id_adds_no_second_note(con):
    """Pipedrive accepted the note, firmo died before recording its id (the organisation, person and
    lead ids were recorded): the note's intent in the id map makes the next run read the lead's
    notes, find the same text, and add none."""
    with FakePipedrive() as fake, client_for(fake) as client:
        push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        con.execute("UPDATE exports.crm_ids SET entity = 'note_intent' WHERE entity = 'note'")
        con.execute(
            "UPDATE exports.crm_ids SET crm_id = (SELECT crm_id FROM exports.crm_ids l WHERE l.entity = 'lead'"
            " AND exports.crm_ids.firmo_key LIKE l.firmo_key || '#%') WHERE entity = 'note_intent'"
        )
        con.execute("DELETE FROM exports.ledger")
        fake.requests.clear()
        report = push_pipedrive(golden_leads(), con=con, client=client, now=LATER)
        assert _paths(fake.writes(), "POST") == [] and len(fake.notes) == 3
        assert len(_paths(fake.requests, "GET")) == 3  # one read of each lead's notes, no search
    assert report.notes == 0 and report.pushed == 3
    assert con.execute("SELECT entity, count(*) FROM exports.crm_ids GROUP BY 1 ORDER BY 1").fetchall() == [
        ("lead", 3),
        ("note", 3),
        ("organization", 3),
        ("person", 3),
    ]


def test_a_note_intent_pipedrive_never_received_is_sent_once(con):
    with FakePipedrive() as fake, client_for(fake) as client:
        push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        con.execute("UPDATE exports.crm_ids SET entity = 'note_intent' WHERE entity = 'note'")
        con.execute("DELETE FROM exports.ledger")
        fake.notes.clear()  # the crash came before Pipedrive got the notes
        report = push_pipedrive(golden_leads(), con=con, client=client, now=LATER)
        assert len(fake.notes) == 3 and report.notes == 3


def test_linkedin_person_field_created_on_first_use_and_filled(con):
    """The person field 'LinkedIn' is created on first use like the other custom fields, holds the
    profile URL the import file's 'Person - LinkedIn' column carries, and its key is remembered."""
    with FakePipedrive() as fake, client_for(fake) as client:
        push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        key = fake.custom_key("personFields", "LinkedIn")
        assert fake.calls("POST", "/api/v2/personFields")[-1] == {"field_name": "LinkedIn", "field_type": "varchar"}
        url = PIPEDRIVE.build(golden_leads().to_dicts()[0])["Person - LinkedIn"]
        assert url == "https://www.linkedin.com/in/jeanne-martin-4b2a/"
        assert [b["custom_fields"].get(key) for b in fake.calls("POST", "/api/v2/persons")] == [url, None, None]
        fake.requests.clear()
        push_pipedrive(golden_leads(), con=con, client=client, now=LATER, full=True)
        assert [p for _, p, _, _ in fake.requests if "Fields" in p] == []  # the key remembered
        patch = next(
            b
            for m, p, _, b in fake.requests
            if m == "PATCH" and p.startswith("/api/v2/persons/") and b["name"] == "Jeanne Martin"
        )
        assert patch["custom_fields"][key] == url
    assert con.execute("SELECT field_key FROM exports.crm_fields WHERE field_name = 'LinkedIn'").fetchall() == [(key,)]


def test_linkedin_field_sales_created_is_used_not_doubled(con):
    with FakePipedrive() as fake, client_for(fake) as client:
        fake.fields["personFields"].append(
            {"field_name": "LinkedIn", "field_code": "b" * 40, "field_type": "varchar", "is_custom_field": True}
        )
        report = push_pipedrive(golden_leads(), con=con, client=client, now=NOW)
        assert fake.calls("POST", "/api/v2/personFields") == [{"field_name": "Fonction", "field_type": "varchar"}]
        jeanne = next(b for b in fake.calls("POST", "/api/v2/persons") if b["name"] == "Jeanne Martin")
        assert jeanne["custom_fields"]["b" * 40] == "https://www.linkedin.com/in/jeanne-martin-4b2a/"
    assert report.fields_created == 4
