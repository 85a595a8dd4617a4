"""Salesforce push against a loopback Salesforce: JWT bearer / client credentials, sObject
Collections and Bulk API 2.0 upserts by external id, per-record failures retried next run."""

from __future__ import annotations

import base64
import json
import logging
import time
from datetime import datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from firmo.crm.push_salesforce import optional_fields, push_salesforce, required_fields
from firmo.crm.salesforce_api import SalesforceClient, SalesforceError, SalesforceLimitError, to_csv

from .conftest import NOW, frame, golden_leads, lead
from .fake_salesforce import CLIENT_ID, CLIENT_SECRET, USERNAME, FakeSalesforce, V

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PEM = KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()


def client(fake: FakeSalesforce, **kw) -> SalesforceClient:
    kw.setdefault("sleep", lambda s: None)
    return SalesforceClient(client_id=CLIENT_ID, username=USERNAME, private_key=PEM, login_url=fake.url, **kw)


def fake_sf(**kw) -> FakeSalesforce:
    return FakeSalesforce(KEY.public_key(), **kw)


def bodies(fake: FakeSalesforce, method: str, path: str) -> list:
    return [b for m, p, b in fake.requests if m == method and p == f"/services/data/{V}{path}"]


def ledger(con) -> list[tuple]:
    return con.execute(
        "SELECT lead_key, file FROM exports.ledger WHERE crm = 'salesforce_api' ORDER BY lead_key"
    ).fetchall()


ACME_ACCOUNT = {
    "attributes": {"type": "Account"},
    "Name": "Acme SAS",
    "Website": "acme.fr",
    "Industry": "Programmation, conseil et autres activités informatiques",
    "NumberOfEmployees": 20,
    "AnnualRevenue": 3200000,
    "BillingStreet": "12 rue de la Paix",
    "BillingCity": "Paris",
    "BillingPostalCode": "75002",
    "BillingCountry": "France",
    "SIREN__c": "552100554",
    "SIRET__c": "55210055400013",
    "NAF_Code__c": "62.01Z",
}
JEANNE_LEAD = {
    "attributes": {"type": "Lead"},
    "FirstName": "Jeanne",
    "LastName": "Martin",
    "Company": "Acme SAS",
    "Title": "Présidente",
    "Email": "jeanne.martin@acme.fr",
    "MobilePhone": "+33612345678",
    "Street": "12 rue de la Paix",
    "City": "Paris",
    "PostalCode": "75002",
    "Country": "France",
    "Website": "acme.fr",
    "Industry": "Programmation, conseil et autres activités informatiques",
    "NumberOfEmployees": 20,
    "AnnualRevenue": 3200000,
    "LeadSource": "Other",
    "Rating": "Hot",
    "SIREN__c": "552100554",
    "SIRET__c": "55210055400013",
    "NAF_Code__c": "62.01Z",
    "ICP__c": "saas_paris",
    "Score__c": 84,
    "Score_Reasons__c": "NAF 62.01Z in ICP; 20-49 employees",
    "Email_Source__c": "hunter",
    "Email_Found_At__c": "2026-02-20",
    "Phone_Source__c": "lusha",
    "Phone_Found_At__c": "2026-02-21",
    "Email_Key__c": "jeanne.martin@acme.fr",
}


def test_jwt_claims_and_signature_exact():
    at = float(int(time.time()))
    with fake_sf() as fake, client(fake, clock=lambda: at) as sf:
        sf.authenticate()
        assert fake.jwt_headers == [{"alg": "RS256", "typ": "JWT"}]
        assert fake.jwt_claims == [{"iss": CLIENT_ID, "sub": USERNAME, "aud": fake.url, "exp": int(at) + 180}]
        form = fake.requests[0][2]
        assert sorted(form) == ["assertion", "grant_type"]
        assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"


def test_a_key_salesforce_does_not_know_is_refused_without_leaking_it():
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with (
        fake_sf() as fake,
        SalesforceClient(client_id=CLIENT_ID, username=USERNAME, private_key=PEM, login_url=fake.url) as sf,
    ):
        fake.public_key = other.public_key()
        with pytest.raises(SalesforceError) as err:
            sf.authenticate()
    assert str(err.value) == "Salesforce token request -> 400: invalid_grant: invalid assertion signature"
    assert "PRIVATE KEY" not in repr(sf)


def test_client_credentials_on_the_my_domain_host():
    with fake_sf() as fake:
        with SalesforceClient(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, instance_url=fake.url) as sf:
            assert sf.describe("Account")["name"] == "Account"
        assert fake.requests[0][2] == {"grant_type": "client_credentials"}
        bad = SalesforceClient(client_id=CLIENT_ID, client_secret="wrong-secret-99", instance_url=fake.url)
        with bad, pytest.raises(SalesforceError, match="invalid_client") as err:
            bad.describe("Account")
        assert "wrong-secret-99" not in str(err.value)
    with pytest.raises(SalesforceError, match="My Domain URL: set FIRMO_SALESFORCE_INSTANCE_URL"):
        SalesforceClient(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, instance_url="https://login.salesforce.com")
    with pytest.raises(SalesforceError, match="set FIRMO_SALESFORCE_PRIVATE_KEY .* or FIRMO_SALESFORCE_CLIENT_SECRET"):
        SalesforceClient(client_id=CLIENT_ID)


def test_small_batch_goes_through_collections_with_golden_bodies(con, caplog):
    caplog.set_level(logging.DEBUG)
    with fake_sf() as fake, client(fake) as sf:
        report = push_salesforce(golden_leads(), con=con, client=sf, now=NOW)
        accounts = bodies(fake, "PATCH", "/composite/sobjects/Account/SIREN__c")
        leads = bodies(fake, "PATCH", "/composite/sobjects/Lead/Email_Key__c")
        assert len(accounts) == 1 and len(leads) == 1 and bodies(fake, "POST", "/jobs/ingest") == []
        assert accounts[0]["allOrNone"] is False
        assert [r["SIREN__c"] for r in accounts[0]["records"]] == ["552100554", "732829320", "443061841"]
        assert accounts[0]["records"][0] == ACME_ACCOUNT
        assert accounts[0]["records"][1] == {  # empty values left out: never blank a field sales filled
            "attributes": {"type": "Account"},
            "Name": 'Dupont, Fils & "Cie"',
            "Industry": "Activités des sièges sociaux ; conseil de gestion",
            "NumberOfEmployees": 10000,
            "BillingCity": "Lyon",
            "BillingPostalCode": "69003",
            "BillingCountry": "France",
            "SIREN__c": "732829320",
            "SIRET__c": "73282932000074",
            "NAF_Code__c": "70.22Z",
        }
        assert [r["Email_Key__c"] for r in leads[0]["records"]] == ["jeanne.martin@acme.fr", "anne.roux@eclair.fr"]
        assert leads[0]["records"][0] == JEANNE_LEAD  # no Status: an upsert would reset the one sales set
        assert fake.by_key("Lead", "anne.roux@eclair.fr")["Email"] == "anne.roux@eclair.fr"
        secrets = (PEM.splitlines()[1], *fake.tokens)
    assert (report.accounts, report.persons, report.created_accounts, report.created_persons) == (3, 2, 3, 2)
    assert (report.no_email, report.skipped_p, report.failed, report.recorded, report.bulk_jobs) == (1, 1, 0, 3, 0)
    assert ledger(con) == [
        ("443061841|anne.roux@eclair.fr", "api:salesforce"),
        ("552100554|jeanne.martin@acme.fr", "api:salesforce"),
        ("732829320|name:luc dupont", "api:salesforce"),
    ]
    assert not any(s in caplog.text or s in repr(sf) for s in secrets)


def test_immediate_rerun_makes_no_call_and_dry_run_makes_none(con):
    with fake_sf() as fake, client(fake) as sf:
        dry = push_salesforce(golden_leads(), con=con, client=sf, now=NOW, dry_run=True)
        assert fake.requests == [] and ledger(con) == []
        assert dry.planned == [
            "upsert Account SIREN__c=552100554 (Acme SAS); Lead Email_Key__c=j***@acme.fr [new]",
            'upsert Account SIREN__c=732829320 (Dupont, Fils & "Cie"); no email: Account only [new]',
            "upsert Account SIREN__c=443061841 (Boulangerie Éclair); Lead Email_Key__c=a***@eclair.fr [new]",
        ]
        push_salesforce(golden_leads(), con=con, client=sf, now=NOW)
        fake.requests.clear()
        again = push_salesforce(golden_leads(), con=con, client=sf, now=datetime(2026, 3, 3))
        assert fake.requests == [] and again.skipped_unchanged == 3 and again.recorded == 0
        changed = golden_leads().with_columns(score=99)
        dry = push_salesforce(changed, con=con, client=sf, now=datetime(2026, 3, 3), dry_run=True)
        assert fake.requests == [] and len(dry.planned) == 3 and dry.planned[0].endswith("[changed]")


def test_contact_mode_links_the_contact_to_its_account(con):
    with fake_sf() as fake, client(fake) as sf:
        report = push_salesforce(golden_leads(), con=con, client=sf, now=NOW, lead_object="Contact")
        contacts = bodies(fake, "PATCH", "/composite/sobjects/Contact/Email_Key__c")[0]["records"]
        assert contacts[0] == {
            "attributes": {"type": "Contact"},
            "FirstName": "Jeanne",
            "LastName": "Martin",
            "Title": "Présidente",
            "Email": "jeanne.martin@acme.fr",
            "MobilePhone": "+33612345678",
            "ICP__c": "saas_paris",
            "Score__c": 84,
            "Score_Reasons__c": "NAF 62.01Z in ICP; 20-49 employees",
            "Email_Source__c": "hunter",
            "Email_Found_At__c": "2026-02-20",
            "Phone_Source__c": "lusha",
            "Phone_Found_At__c": "2026-02-21",
            "Account": {"SIREN__c": "552100554"},
            "Email_Key__c": "jeanne.martin@acme.fr",
        }
        acme = fake.index["Account"]["552100554"]
        assert fake.by_key("Contact", "jeanne.martin@acme.fr")["AccountId"] == acme
    assert (report.persons, report.recorded) == (2, 3)


def test_past_the_threshold_a_bulk_job_runs_its_whole_lifecycle(con):
    leads = frame(
        *[
            lead(siren=s, siret=f"{s}00011", email=f"p{i}@acme.fr", last_name=f"N{i}")
            for i, s in enumerate(("552100554", "732829320", "443061841", "880878145"))
        ]
    )
    with (
        fake_sf(lock_once=("p1@acme.fr",), fail_keys={"p3@acme.fr": "REQUIRED_FIELD_MISSING"}) as fake,
        client(fake, bulk_threshold=3) as sf,
    ):
        report = push_salesforce(leads, con=con, client=sf, now=NOW)
        jobs = bodies(fake, "POST", "/jobs/ingest")
        assert jobs[0] == {
            "object": "Account",
            "externalIdFieldName": "SIREN__c",
            "contentType": "CSV",
            "operation": "upsert",
            "lineEnding": "LF",
            "columnDelimiter": "COMMA",
        }
        assert [j["object"] for j in jobs] == ["Account", "Lead"]
        csv_text = bodies(fake, "PUT", "/jobs/ingest/7505g0000000001/batches")[0]
        assert csv_text.splitlines()[0] == (
            "Name,Website,Industry,NumberOfEmployees,AnnualRevenue,BillingStreet,"
            "BillingCity,BillingPostalCode,BillingCountry,SIREN__c,SIRET__c,NAF_Code__c"
        )
        assert csv_text.splitlines()[1] == (
            "Acme SAS,acme.fr,"
            '"Programmation, conseil et autres activités informatiques",20,3200000,'
            "12 rue de la Paix,Paris,75002,France,552100554,55210055400011,62.01Z"
        )
        assert bodies(fake, "PATCH", "/jobs/ingest/7505g0000000001") == [{"state": "UploadComplete"}]
        assert len(bodies(fake, "GET", "/jobs/ingest/7505g0000000001")) == 2  # InProgress, then JobComplete
        # the locked lead is retried through Collections (one record, under the threshold)
        retried = bodies(fake, "PATCH", "/composite/sobjects/Lead/Email_Key__c")
        assert [[r["Email_Key__c"] for r in b["records"]] for b in retried] == [["p1@acme.fr"]]
    assert (report.accounts, report.persons, report.bulk_jobs, report.failed, report.recorded) == (4, 3, 2, 1, 3)
    assert report.errors == [
        {
            "object": "Lead",
            "key": "p3@acme.fr",
            "statusCode": "REQUIRED_FIELD_MISSING",
            "message": "refused by a validation rule",
        }
    ]
    assert [k for k, _ in ledger(con)] == ["443061841|p2@acme.fr", "552100554|p0@acme.fr", "732829320|p1@acme.fr"]


def test_per_record_failure_is_retried_next_run_and_only_it(con):
    with fake_sf(fail_keys={"anne.roux@eclair.fr": "FIELD_CUSTOM_VALIDATION_EXCEPTION"}) as fake, client(fake) as sf:
        first = push_salesforce(golden_leads(), con=con, client=sf, now=NOW)
        assert (first.failed, first.recorded) == (1, 2)
        fake.fail_keys.clear()
        fake.requests.clear()
        second = push_salesforce(golden_leads(), con=con, client=sf, now=datetime(2026, 3, 3))
        sent = [
            [r[k] for r in b["records"]]
            for k, b in [("SIREN__c", b) for b in bodies(fake, "PATCH", "/composite/sobjects/Account/SIREN__c")]
            + [("Email_Key__c", b) for b in bodies(fake, "PATCH", "/composite/sobjects/Lead/Email_Key__c")]
        ]
        assert sent == [["443061841"], ["anne.roux@eclair.fr"]]
        assert (second.failed, second.recorded, second.skipped_unchanged, second.created_accounts) == (0, 1, 2, 0)
    assert len(ledger(con)) == 3


def test_crash_between_acceptance_and_record_creates_no_duplicate(con):
    with fake_sf() as fake, client(fake) as sf:
        push_salesforce(golden_leads(), con=con, client=sf, now=NOW)
        con.execute("DELETE FROM exports.ledger")  # what a crash before the ledger commit leaves
        again = push_salesforce(golden_leads(), con=con, client=sf, now=NOW)
        assert (len(fake.records["Account"]), len(fake.records["Lead"])) == (3, 2)
    assert (again.accounts, again.created_accounts, again.persons, again.created_persons) == (3, 0, 2, 0)
    assert len(ledger(con)) == 3


def test_duplicate_rule_links_the_existing_account_never_force_creates(con):
    with fake_sf() as fake, client(fake) as sf:
        existing = fake.seed("Account", {"Name": "ACME", "Website": "acme.fr", "OwnerId": "005S7seller"})
        report = push_salesforce(golden_leads(), con=con, client=sf, now=NOW)
        assert fake.index["Account"]["552100554"] == existing
        assert fake.records["Account"][existing]["OwnerId"] == "005S7seller"  # sales keep their owner
        assert fake.records["Account"][existing]["Name"] == "Acme SAS"
        assert len(fake.records["Account"]) == 3
    assert (report.linked_duplicates, report.failed, report.recorded, report.errors) == (1, 0, 3, [])


def test_lock_row_retried_then_left_failed(con):
    with fake_sf(lock_once=("552100554",)) as fake, client(fake, lock_retries=0) as sf:
        report = push_salesforce(golden_leads(), con=con, client=sf, now=NOW)
    assert report.errors[0]["statusCode"] == "UNABLE_TO_LOCK_ROW"
    assert (report.failed, report.recorded) == (1, 2)


def test_request_limit_stops_and_keeps_what_was_accepted(con):
    with fake_sf(write_allowance=1) as fake, client(fake) as sf:
        report = push_salesforce(golden_leads(), con=con, client=sf, now=NOW)
        assert len(fake.writes()) == 2  # accounts accepted, then the lead upsert refused: no hot retry
    assert report.stopped is not None and "REQUEST_LIMIT_EXCEEDED" in report.stopped
    assert [k for k, _ in ledger(con)] == ["732829320|name:luc dupont"]  # the account-only lead
    assert report.failed == 2


def test_expired_session_gets_a_new_token_once_and_429_is_retried(con):
    sleeps = []
    with fake_sf(rate_limit_first=1) as fake, client(fake, sleep=sleeps.append) as sf:
        sf.describe("Account")
        fake.expire_tokens()
        assert sf.describe("Lead")["name"] == "Lead"
        assert [p for m, p, _ in fake.requests].count("/services/oauth2/token") == 2
    assert sleeps == [0.0]


def test_limit_error_is_not_retried():
    with fake_sf(write_allowance=0) as fake, client(fake) as sf:
        with pytest.raises(SalesforceLimitError):
            sf.upsert("Account", "SIREN__c", [{"SIREN__c": "552100554", "Name": "Acme"}])
        assert len(fake.writes()) == 1


def test_failed_bulk_job_reports_unprocessed_rows():
    records = [{"SIREN__c": s, "Name": f"N{s}"} for s in ("552100554", "732829320", "443061841")]
    with fake_sf(bulk_process_limit=1) as fake, client(fake, bulk_threshold=1) as sf:
        result = sf.upsert("Account", "SIREN__c", records)
    assert list(result.ids) == ["552100554"]
    assert sorted((e["key"], e["statusCode"]) for e in result.errors) == [
        ("443061841", "UNPROCESSED"),
        ("732829320", "UNPROCESSED"),
    ]
    assert result.errors[0]["message"] == "batch not processed within 5 min, retried 20 times"


def test_required_fields_from_describe():
    with fake_sf(missing_fields=("Lead.Score__c",), not_unique=("Account.SIREN__c",)) as fake, client(fake) as sf:
        assert required_fields(sf, "Lead") == [
            "Account.SIREN__c: must be External ID and Unique",
            "Lead.Score__c: missing",
        ]
    with fake_sf() as fake, client(fake) as sf:
        assert required_fields(sf, "Contact") == []


def test_csv_flattens_lookups_and_leaves_empty_cells():
    assert to_csv([{"Email_Key__c": "a@b.fr", "Account": {"SIREN__c": "552100554"}, "Phone": None}]) == (
        b"Email_Key__c,Account.SIREN__c,Phone\na@b.fr,552100554,\n"
    )


def test_private_key_from_a_file(tmp_path):
    path = tmp_path / "server.key"
    path.write_text(PEM)
    with (
        fake_sf() as fake,
        SalesforceClient(client_id=CLIENT_ID, username=USERNAME, private_key=str(path), login_url=fake.url) as sf,
    ):
        assert sf.describe("Account")["name"] == "Account"
        header = json.loads(base64.urlsafe_b64decode(fake.requests[0][2]["assertion"].split(".")[0] + "=="))
    assert header == {"alg": "RS256", "typ": "JWT"}


def test_ambiguous_duplicate_is_left_failed_and_the_contact_waits_for_its_account(con):
    with fake_sf() as fake, client(fake) as sf:
        fake.seed("Account", {"Name": "ACME", "Website": "acme.fr"})
        fake.seed("Account", {"Name": "ACME Lyon", "Website": "acme.fr"})
        report = push_salesforce(golden_leads(), con=con, client=sf, now=NOW, lead_object="Contact")
        contacts = bodies(fake, "PATCH", "/composite/sobjects/Contact/Email_Key__c")[0]["records"]
        assert [c["Email_Key__c"] for c in contacts] == ["anne.roux@eclair.fr"]  # Acme's contact not sent
        assert "552100554" not in fake.index["Account"]
    assert report.errors == [
        {
            "object": "Account",
            "key": "552100554",
            "statusCode": "DUPLICATES_DETECTED",
            "message": "Use one of these records? (no single Account without SIREN__c matches)",
        }
    ]
    assert (report.linked_duplicates, report.failed, report.recorded) == (0, 1, 2)


def test_a_csv_past_the_upload_cap_is_split_into_several_jobs():
    records = [{"SIREN__c": s, "Name": f"N{s}"} for s in ("552100554", "732829320", "443061841")]
    header = b"SIREN__c,Name\n"
    row = b"552100554,N552100554\n"
    with fake_sf() as fake, client(fake, bulk_threshold=1, max_upload_bytes=len(header) + 2 * len(row)) as sf:
        result = sf.upsert("Account", "SIREN__c", records)
        uploads = [b for m, p, b in fake.requests if m == "PUT"]
    assert uploads == [
        "SIREN__c,Name\n552100554,N552100554\n732829320,N732829320\n",
        "SIREN__c,Name\n443061841,N443061841\n",
    ]
    assert (sorted(result.ids), result.bulk_jobs, result.errors) == (
        ["443061841", "552100554", "732829320"],
        ["7505g0000000001", "7505g0000000002"],
        [],
    )


def test_a_lead_sales_already_have_is_given_the_key_and_updated_not_duplicated(con):
    with fake_sf() as fake, client(fake) as sf:
        known = fake.seed("Lead", {"LastName": "Martin", "Email": "Jeanne.Martin@acme.fr", "Status": "Working"})
        report = push_salesforce(golden_leads(), con=con, client=sf, now=NOW)
        assert len(fake.records["Lead"]) == 2
        assert fake.index["Lead"]["jeanne.martin@acme.fr"] == known
        lead_record = fake.records["Lead"][known]
        assert (lead_record["Status"], lead_record["Title"], lead_record["Email_Key__c"]) == (
            "Working",
            "Présidente",
            "jeanne.martin@acme.fr",
        )  # sales' status kept
        queries = [p for m, p, _ in fake.requests if m == "GET" and "/query" in p]
        assert len(queries) == 1
    assert (report.adopted_persons, report.created_persons, report.persons, report.recorded) == (1, 1, 2, 3)



@pytest.mark.parametrize(("has_field", "expected"), [
    (False, None), (True, "https://www.linkedin.com/in/jeanne-martin-4b2a/")])
def test_linkedin_url_is_sent_only_when_the_org_has_the_field(con, has_field, expected):
    """LinkedIn_URL__c is optional: the push reads the person object's describe once and sends the
    profile only when the field is there (an org without it gets the rest, no INVALID_FIELD)."""
    with fake_sf(linkedin_field=has_field) as fake, client(fake) as sf:
        assert optional_fields(sf, "Lead") == {"LinkedIn_URL__c": has_field}
        report = push_salesforce(golden_leads(), con=con, client=sf, now=NOW)
        jeanne = next(r for r in fake.records["Lead"].values() if r["Email_Key__c"] == "jeanne.martin@acme.fr")
        assert (jeanne.get("LinkedIn_URL__c"), report.persons, report.errors) == (expected, 2, [])
