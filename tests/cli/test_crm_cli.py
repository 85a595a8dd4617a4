"""`firmo suppress / customers / forget / export / purge` on a small hand-built warehouse; `export
--push-hubspot` against the loopback fake HubSpot (tests/crm/fake_hubspot.py)."""

from __future__ import annotations

import csv

import pytest
from typer.testing import CliRunner

from firmo import db
from pipelines.cli import app
from tests.crm.fake_hubspot import TOKEN, FakeHubSpot

runner = CliRunner()


@pytest.fixture()
def warehouse(data_env, tmp_path):
    path = tmp_path / "w.duckdb"
    with db.connection(path) as con:
        con.execute("""CREATE TABLE leads.demo AS SELECT * FROM (VALUES
            ('demo', 1, '443061841', '44306184100047', 'ACME', 'Jeanne', 'Martin', 'Présidente', 'O', TIMESTAMP '2026-11-01 00:00:00'),
            ('demo', 2, '880878145', '88087814500015', 'GANYMEDE', 'Paul', 'Durand', 'Gérant', 'O', TIMESTAMP '2026-11-01 00:00:00'),
            ('demo', 3, '552100554', '55210055400013', 'SECRET SAS', 'Anne', 'Roux', 'Gérante', 'P', TIMESTAMP '2026-11-01 00:00:00')
        ) t(icp, rank, siren, siret, company_name, first_name, last_name, job_title, statut_diffusion, lead_updated_at)""")
        con.execute("""CREATE TABLE leads.demo_enriched AS SELECT *, 'jeanne.martin@acme.fr' AS email, 'valid' AS email_status,
            'hunter' AS email_source, DATE '2026-11-02' AS email_found_at, '+33612345678' AS phone, 'mobile' AS phone_type,
            'lusha' AS phone_source, DATE '2026-11-02' AS phone_found_at, 'acme.fr' AS website_domain
            FROM leads.demo""")
        con.execute("UPDATE leads.demo_enriched SET email = NULL, phone = NULL WHERE siren <> '443061841'")
        # what the export's last gate reads: the registry's state now
        con.execute("""CREATE TABLE core.companies AS SELECT * FROM (VALUES ('443061841', true, true),
            ('880878145', true, true), ('552100554', false, true)) t(siren, diffusible, active)""")
    return path


def run(*args: str):
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def rows_of(folder, crm):
    files = sorted((folder / "demo" / crm).glob("*.csv"))
    return [row for f in files for row in csv.DictReader(f.open(encoding="utf-8"))]


def test_export_reads_the_enriched_list_then_only_what_changed(warehouse, tmp_path):
    out = tmp_path / "exports"
    code, text = run("export", "--db", str(warehouse), "--out", str(out))
    assert code == 0, text
    assert text.splitlines()[1].split() == ["hubspot", "2", "0", "1"]
    assert "1 non-diffusible" in text
    sf = rows_of(out, "salesforce")
    assert [(r["LastName"], r["Email"], r["MobilePhone"]) for r in sf] == [
        ("Martin", "jeanne.martin@acme.fr", "+33612345678"), ("Durand", "", "")]
    code, text = run("export", "--db", str(warehouse), "--out", str(out), "--crm", "hubspot")
    assert text.splitlines()[1].split() == ["hubspot", "0", "2", "0"]


def test_suppressed_company_is_not_exported(warehouse, tmp_path):
    assert run("suppress", "siren", "880 878 145", "--db", str(warehouse))[1].strip() == "added to the suppression list"
    assert run("suppress", "siren", "880878145", "--db", str(warehouse))[1].strip() == "already on the suppression list"
    code, text = run("export", "--db", str(warehouse), "--out", str(tmp_path / "x"), "--crm", "pipedrive")
    assert code == 0 and "1 suppressed" in text
    assert text.splitlines()[1].split() == ["pipedrive", "1", "0", "1"]


def test_suppress_usage_and_bad_values(warehouse):
    assert run("suppress", "--db", str(warehouse))[0] == 2
    code, text = run("suppress", "siren", "12345", "--db", str(warehouse))
    assert code == 2 and "siren" in text.lower()


def test_forget_erases_everywhere_and_names_the_files_already_exported(warehouse, tmp_path):
    out = tmp_path / "exports"
    run("export", "--db", str(warehouse), "--out", str(out), "--crm", "hubspot")
    code, text = run("forget", "jeanne.martin@acme.fr", "--db", str(warehouse))
    assert code == 0, text
    assert "leads.demo_enriched.email" in text and "suppressed from now on" in text
    assert "Already exported in these files" in text
    with db.connection(warehouse, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM leads.demo_enriched WHERE email = 'jeanne.martin@acme.fr'").fetchall() == [(0,)]


def test_customers_file_blocks_their_company(warehouse, tmp_path):
    listing = tmp_path / "customers.csv"
    listing.write_text("siren,name\n443061841,ACME\nnot-a-siren,X\n")
    code, text = run("customers", str(listing), "--db", str(warehouse))
    assert (code, text.strip()) == (0, "2 values read, 1 customers written, 1 lines rejected")
    code, text = run("export", "--db", str(warehouse), "--out", str(tmp_path / "x"), "--crm", "hubspot")
    assert "1 customers" in text


def test_export_without_lead_lists_is_a_clear_error(data_env, tmp_path):
    code, text = run("export", "--db", str(tmp_path / "empty.duckdb"))
    assert code == 2 and "no lead list yet" in text


def test_purge_reports_per_rule(warehouse):
    code, text = run("purge", "--db", str(warehouse))
    assert code == 0 and "exports.ledger" in text


# --------------------------------------------------------------------------- --push-hubspot

def _hubspot_upserts(fake, object_type):
    return [body for method, path, body in fake.requests
            if method == "POST" and path == f"/crm/v3/objects/{object_type}/batch/upsert"]


def _api_ledger(path):
    with db.connection(path, read_only=True) as con:
        return con.execute("SELECT lead_key, siren, email, file FROM exports.ledger WHERE crm = 'hubspot_api' "
                           "ORDER BY lead_key").fetchall()


@pytest.fixture()
def hubspot(monkeypatch):
    with FakeHubSpot() as fake:
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("FIRMO_HUBSPOT_BASE_URL", fake.url)
        yield fake


def test_push_hubspot_upserts_companies_and_contacts_then_only_what_changed(warehouse, tmp_path, hubspot):
    out = tmp_path / "exports"
    code, text = run("export", "--db", str(warehouse), "--out", str(out), "--crm", "hubspot", "--push-hubspot")
    assert code == 0, text
    assert text.splitlines()[1].split() == ["hubspot", "2", "0", "1"]  # the CSV files are still written
    assert ("hubspot API: 2 companies, 1 contacts upserted, 1 associations; 0 unchanged, "
            "1 without email (company only), 0 failed") in text
    # companies by SIREN (the P unit never leaves), contacts by email, then the association
    assert [[c["id"] for c in b["inputs"]] for b in _hubspot_upserts(hubspot, "companies")] == [
        ["443061841", "880878145"]]
    assert [[(c["id"], c["idProperty"]) for c in b["inputs"]] for b in _hubspot_upserts(hubspot, "contacts")] == [
        [("jeanne.martin@acme.fr", "email")]]
    assert set(hubspot.objects["companies"]) == {"443061841", "880878145"}
    assert hubspot.associations == [(hubspot.objects["contacts"]["jeanne.martin@acme.fr"]["hs_object_id"],
                                     hubspot.objects["companies"]["443061841"]["hs_object_id"])]
    assert _api_ledger(warehouse) == [("443061841|jeanne.martin@acme.fr", "443061841", "jeanne.martin@acme.fr",
                                       "api:hubspot"),
                                      ("880878145|name:paul durand", "880878145", None, "api:hubspot")]
    assert TOKEN not in text

    hubspot.requests.clear()
    code, text = run("export", "--db", str(warehouse), "--out", str(out), "--crm", "hubspot", "--push-hubspot")
    assert code == 0, text
    assert text.splitlines()[1].split() == ["hubspot", "0", "2", "0"]
    assert "hubspot API: 0 companies, 0 contacts upserted, 0 associations; 2 unchanged" in text
    # nothing changed: neither the contact nor the email-less lead's company is sent again
    assert hubspot.requests == []
    assert len(_api_ledger(warehouse)) == 2


def test_push_hubspot_without_token_names_the_variable_and_writes_nothing(warehouse, tmp_path, monkeypatch):
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    out = tmp_path / "exports"
    code, text = run("export", "--db", str(warehouse), "--out", str(out), "--push-hubspot")
    assert code == 2 and "HUBSPOT_ACCESS_TOKEN" in text
    assert not out.exists()
    with db.connection(warehouse, read_only=True) as con:
        assert not db.table_exists(con, "exports.ledger") or \
            con.execute("SELECT count(*) FROM exports.ledger").fetchall() == [(0,)]


def test_push_hubspot_refused_token_fails_without_leaking_it(warehouse, tmp_path, hubspot, monkeypatch):
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-eu1-wrong-secret-987")
    code, text = run("export", "--db", str(warehouse), "--out", str(tmp_path / "x"), "--crm", "hubspot",
                     "--push-hubspot")
    assert code == 1 and "401" in text and "next run sends it again" in text
    assert "pat-eu1-wrong-secret-987" not in text
    assert _api_ledger(warehouse) == []
    assert rows_of(tmp_path / "x", "hubspot")  # the files were written before the push


def test_push_hubspot_reports_refused_records_and_retries_them(warehouse, tmp_path, monkeypatch):
    with FakeHubSpot(fail_emails=("jeanne.martin@acme.fr",)) as fake:
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("FIRMO_HUBSPOT_BASE_URL", fake.url)
        args = ("export", "--db", str(warehouse), "--out", str(tmp_path / "x"), "--crm", "hubspot", "--push-hubspot")
        code, text = run(*args)
        assert code == 0, text
        assert "0 contacts upserted" in text and "1 failed" in text
        assert "HubSpot refused 1 records (VALIDATION_ERROR); they are retried next run" in text
        assert [row[0] for row in _api_ledger(warehouse)] == ["880878145|name:paul durand"]  # company accepted
        fake.fail_emails.clear()
        code, text = run(*args)
    assert "1 contacts upserted" in text and "0 failed" in text
    assert [row[0] for row in _api_ledger(warehouse)] == ["443061841|jeanne.martin@acme.fr", "880878145|name:paul durand"]
