"""`firmo crm check | push salesforce` against the loopback Salesforce (tests/crm/fake_salesforce.py),
configured through the settings' environment variables only."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from firmo import db
from pipelines.cli import app
from tests.crm.fake_salesforce import CLIENT_ID, USERNAME, FakeSalesforce
from tests.crm.test_salesforce_push import KEY, PEM

runner = CliRunner()


@pytest.fixture()
def warehouse(data_env, tmp_path):
    path = tmp_path / "w.duckdb"
    with db.connection(path) as con:
        con.execute("""CREATE TABLE leads.demo_enriched AS SELECT * FROM (VALUES
            ('demo', 1, '443061841', '44306184100047', 'ACME', 'Jeanne', 'Martin', 'Présidente', 'O',
             TIMESTAMP '2026-11-01 00:00:00', 'jeanne.martin@acme.fr', 'acme.fr'),
            ('demo', 2, '880878145', '88087814500015', 'GANYMEDE', 'Paul', 'Durand', 'Gérant', 'O',
             TIMESTAMP '2026-11-01 00:00:00', NULL, NULL)
        ) t(icp, rank, siren, siret, company_name, first_name, last_name, job_title, statut_diffusion,
            lead_updated_at, email, website_domain)""")
        con.execute("CREATE TABLE leads.demo AS SELECT * EXCLUDE (email, website_domain) FROM leads.demo_enriched")
        con.execute("""CREATE TABLE core.companies AS SELECT * FROM (VALUES ('443061841', true, true),
            ('880878145', true, true)) t(siren, diffusible, active)""")
    return path


@pytest.fixture()
def salesforce(monkeypatch):
    with FakeSalesforce(KEY.public_key(), missing_fields=("Lead.Score__c",)) as fake:
        for var, value in {
            "FIRMO_SALESFORCE_LOGIN_URL": fake.url,
            "FIRMO_SALESFORCE_CLIENT_ID": CLIENT_ID,
            "FIRMO_SALESFORCE_USERNAME": USERNAME,
            "FIRMO_SALESFORCE_PRIVATE_KEY": PEM,
        }.items():
            monkeypatch.setenv(var, value)
        yield fake


def run(*args: str):
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_check_lists_the_fields_and_the_missing_one(salesforce):
    code, text = run("crm", "check", "salesforce")
    assert code == 1
    assert text.splitlines()[:4] == [
        "Account: needs SIREN__c, SIRET__c, NAF_Code__c",
        "Lead: needs Email_Key__c, SIREN__c, SIRET__c, NAF_Code__c, ICP__c, Score__c, Score_Reasons__c, "
        "Email_Source__c, Email_Found_At__c, Phone_Source__c, Phone_Found_At__c",
        "Lead.LinkedIn_URL__c (optional): missing, not pushed",
        "  Lead.Score__c: missing",
    ]
    salesforce.missing_fields.clear()
    code, text = run("crm", "check", "salesforce")
    assert (code, text.splitlines()[-2:]) == (
        0, ["Lead.LinkedIn_URL__c (optional): present, pushed", "every field is there: ready to push"])
    assert PEM.splitlines()[1] not in text


def test_dry_run_then_push_then_nothing_left(warehouse, salesforce):
    code, text = run("crm", "push", "salesforce", "--dry-run", "--db", str(warehouse))
    assert code == 0, text
    assert text.splitlines() == [
        "salesforce API, dry run: 2 leads would be upserted (0 unchanged); no call made",
        "  would upsert Account SIREN__c=443061841 (ACME); Lead Email_Key__c=j***@acme.fr [new]",
        "  would upsert Account SIREN__c=880878145 (GANYMEDE); no email: Account only [new]",
    ]
    assert salesforce.requests == []
    code, text = run("crm", "push", "salesforce", "--db", str(warehouse))
    assert code == 0, text
    assert text.strip() == (
        "salesforce API: 2 accounts (2 new, 0 linked to an existing one), 1 Leads (1 new, 0 found by email) upserted; "
        "0 bulk jobs, 3 API calls; 0 unchanged, 1 without email (account only), 0 failed, 2 recorded"
    )
    salesforce.requests.clear()
    code, text = run("crm", "push", "salesforce", "--db", str(warehouse))
    assert code == 0 and "0 accounts" in text and "2 unchanged" in text
    assert salesforce.requests == []


def test_missing_settings_and_unknown_crm(warehouse, monkeypatch):
    monkeypatch.delenv("FIRMO_SALESFORCE_CLIENT_ID", raising=False)
    code, text = run("crm", "push", "salesforce", "--db", str(warehouse))
    assert (code, text.strip()) == (2, "no Salesforce consumer key: set FIRMO_SALESFORCE_CLIENT_ID")
    code, text = run("crm", "check", "zoho")
    assert (code, text.strip()) == (2, "zoho: not a CRM this command knows (one of salesforce, pipedrive)")
    code, text = run("crm", "push", "pipedrive")
    assert (code, text.strip()) == (2, "pipedrive: not a CRM this command knows (one of salesforce)")


def test_export_push_salesforce_writes_the_files_then_pushes(warehouse, salesforce, tmp_path):
    out = tmp_path / "exports"
    code, text = run(
        "export", "--db", str(warehouse), "--out", str(out), "--crm", "salesforce", "--push", "salesforce", "--dry-run"
    )
    assert code == 0, text
    assert text.splitlines()[0] == "salesforce API, dry run: 2 leads would be upserted (0 unchanged); no call made"
    assert salesforce.requests == [] and not out.exists()
    code, text = run("export", "--db", str(warehouse), "--out", str(out), "--crm", "salesforce", "--push", "salesforce")
    assert code == 0, text
    assert text.splitlines()[1].split() == ["salesforce", "2", "0", "1"]
    assert "salesforce API: 2 accounts (2 new" in text
    assert sorted(salesforce.index["Account"]) == ["443061841", "880878145"]
    code, text = run("export", "--db", str(warehouse), "--push", "zoho")
    assert code == 2 and "--push zoho: not one of hubspot, pipedrive, salesforce" in text
