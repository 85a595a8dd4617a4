"""`firmo crm pull {hubspot,salesforce,pipedrive}` against the loopback fakes (tests/crm/fake_*.py):
the read-back's counts, the Service Key as HubSpot's credential, the next export leaving out the won
account or the disqualified lead; `firmo crm check pipedrive`."""

from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

from firmo import db
from pipelines.cli import app
from tests.crm.fake_hubspot import SERVICE_KEY, TOKEN, FakeHubSpot
from tests.crm.fake_pipedrive import TOKEN as PIPEDRIVE_TOKEN
from tests.crm.fake_pipedrive import FakePipedrive
from tests.crm.fake_salesforce import CLIENT_ID, USERNAME, FakeSalesforce
from tests.crm.test_salesforce_push import KEY, PEM

runner = CliRunner()


@pytest.fixture()
def warehouse(data_env, tmp_path):
    path = tmp_path / "w.duckdb"
    with db.connection(path) as con:
        con.execute("""CREATE TABLE leads.demo AS SELECT * FROM (VALUES
            ('demo', 1, '443061841', '44306184100047', 'ACME', 'Jeanne', 'Martin', 'Présidente', 'O', TIMESTAMP '2026-11-01 00:00:00'),
            ('demo', 2, '880878145', '88087814500015', 'GANYMEDE', 'Paul', 'Durand', 'Gérant', 'O', TIMESTAMP '2026-11-01 00:00:00')
        ) t(icp, rank, siren, siret, company_name, first_name, last_name, job_title, statut_diffusion, lead_updated_at)""")
        con.execute("""CREATE TABLE core.companies AS SELECT * FROM (VALUES ('443061841', true, true),
            ('880878145', true, true)) t(siren, diffusible, active)""")
    return path


def run(*args: str):
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("variable,credential", [("HUBSPOT_ACCESS_TOKEN", TOKEN), ("HUBSPOT_SERVICE_KEY", SERVICE_KEY)])
def test_pull_then_export_leaves_the_won_account_out(warehouse, tmp_path, monkeypatch, variable, credential):
    with FakeHubSpot() as fake:
        monkeypatch.setenv(variable, credential)
        monkeypatch.setenv("FIRMO_HUBSPOT_BASE_URL", fake.url)
        acme = fake.seed("companies", {"name": "ACME", "siren": "443061841"})
        deal = fake.seed("deals", {"dealstage": "closedwon", "hs_is_closed_won": "true"})
        fake.link("deals", deal, "companies", acme)
        code, text = run("crm", "pull", "hubspot", "--db", str(warehouse))
        assert code == 0, text
        assert text.splitlines() == [
            "hubspot: 1 accounts, 0 contacts, 1 deals read (modified since the last pull); accounts matched to a "
            "SIREN: 1 by siren, 0 unmatched",
            "  1 won accounts are customers (never exported), 0 records disqualified (left out of the exports), "
            "0 validated by sales (exports.crm_validated)",
        ]
        assert credential not in text
        code, text = run("crm", "pull", "hubspot", "--db", str(warehouse))
        assert "hubspot: 1 accounts, 0 contacts, 1 deals read" in text  # the boundary records only (GTE cursor)
    code, text = run("export", "--db", str(warehouse), "--out", str(tmp_path / "x"), "--crm", "hubspot")
    assert code == 0, text
    assert text.splitlines()[1].split() == ["hubspot", "1", "0", "1"]
    assert "1 customers, 0 disqualified in a CRM, 0 duplicates" in text


def test_pull_without_credential_names_both_variables(warehouse):
    code, text = run("crm", "pull", "hubspot", "--db", str(warehouse))
    assert code == 2
    assert "no HubSpot token: set HUBSPOT_ACCESS_TOKEN (or HUBSPOT_SERVICE_KEY)" in text
    code, text = run("crm", "pull", "zoho", "--db", str(warehouse))
    assert code == 2 and "zoho: read-back is available for hubspot, salesforce, pipedrive" in text
    code, text = run("crm", "pull", "pipedrive", "--db", str(warehouse))
    assert (code, text.strip()) == (2, "no Pipedrive token: set FIRMO_PIPEDRIVE_API_TOKEN")


def test_pull_salesforce_then_export_leaves_the_disqualified_lead_out(warehouse, tmp_path, monkeypatch):
    with FakeSalesforce(KEY.public_key()) as fake:
        for var, value in {
            "FIRMO_SALESFORCE_LOGIN_URL": fake.url,
            "FIRMO_SALESFORCE_CLIENT_ID": CLIENT_ID,
            "FIRMO_SALESFORCE_USERNAME": USERNAME,
            "FIRMO_SALESFORCE_PRIVATE_KEY": PEM,
        }.items():
            monkeypatch.setenv(var, value)
        # disqualified today (the export runs now: a hold starting on the fake's clock would be over)
        fake.seed(
            "Lead",
            {"Company": "ACME", "SIREN__c": "443061841", "Status": "Closed - Not Converted"},
            modstamp_ms=int(time.time() * 1000),
        )
        code, text = run("crm", "pull", "salesforce", "--db", str(warehouse))
    assert code == 0, text
    assert text.splitlines() == [
        "salesforce: 1 accounts, 0 contacts, 0 deals read (modified since the last pull); accounts matched to a "
        "SIREN: 1 by siren, 0 unmatched",
        "  0 won accounts are customers (never exported), 1 records disqualified (left out of the exports), "
        "0 validated by sales (exports.crm_validated)",
    ]
    code, text = run("export", "--db", str(warehouse), "--out", str(tmp_path / "x"), "--crm", "salesforce")
    assert code == 0, text
    assert "0 customers, 1 disqualified in a CRM, 0 duplicates" in text


def test_pull_pipedrive_and_check_its_fields(warehouse, monkeypatch):
    with FakePipedrive() as fake:
        monkeypatch.setenv("FIRMO_PIPEDRIVE_API_TOKEN", PIPEDRIVE_TOKEN)
        monkeypatch.setenv("FIRMO_PIPEDRIVE_API_URL", fake.url)
        code, text = run("crm", "check", "pipedrive")
        assert code == 0, text
        assert text.splitlines() == [
            "organization field 'SIREN' (varchar): missing",
            "organization field 'SIRET' (varchar): missing",
            "organization field 'firmo score' (double): missing",
            "person field 'Fonction' (varchar): missing",
            "person field 'LinkedIn' (varchar): missing",
            "5 field(s) missing: the first push creates them (the token's user needs the right)",
        ]
        fake.fields["organizationFields"].append(
            {"field_name": "SIREN", "field_code": "a" * 40, "field_type": "varchar", "is_custom_field": True}
        )
        org = fake.seed("organizations", {"name": "GANYMEDE", "custom_fields": {"a" * 40: "880878145"}})
        fake.seed("deals", {"title": "Ganymede", "org_id": org, "status": "won"})
        code, text = run("crm", "check", "pipedrive")
        assert text.splitlines()[0] == f"organization field 'SIREN' (varchar): {'a' * 40}"
        monkeypatch.setenv("FIRMO_PIPEDRIVE_DISQUALIFIED", "archived,maybe")
        code, text = run("crm", "pull", "pipedrive", "--db", str(warehouse))
        assert (code, text.strip()) == (
            2,
            "FIRMO_PIPEDRIVE_DISQUALIFIED: 'maybe' is not a rule (archived, lost, label:<name>)",
        )
        monkeypatch.delenv("FIRMO_PIPEDRIVE_DISQUALIFIED")
        code, text = run("crm", "pull", "pipedrive", "--db", str(warehouse))
        assert code == 0, text
        assert PIPEDRIVE_TOKEN not in text
    assert text.splitlines()[0] == (
        "pipedrive: 1 accounts, 0 contacts, 1 deals read (modified since the last pull); accounts matched to a "
        "SIREN: 1 by siren, 0 unmatched"
    )
    assert text.splitlines()[1].startswith("  1 won accounts are customers")
