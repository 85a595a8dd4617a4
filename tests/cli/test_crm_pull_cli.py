"""`firmo crm pull hubspot` against the loopback fake HubSpot (tests/crm/fake_hubspot.py): the
read-back's counts, the Service Key as the credential, and the next export leaving out the won
account."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from firmo import db
from pipelines.cli import app
from tests.crm.fake_hubspot import SERVICE_KEY, TOKEN, FakeHubSpot

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
    code, text = run("crm", "pull", "salesforce", "--db", str(warehouse))
    assert code == 2 and "read-back is available for hubspot only" in text
