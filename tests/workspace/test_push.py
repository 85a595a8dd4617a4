"""The lead explorer's "Push to CRM" (POST /api/leads/{icp}/push) against the loopback fake
HubSpot (tests/crm/fake_hubspot.py): the dry run first, then the push through
firmo.crm.api_push (the code of `firmo export --push hubspot`), recorded in exports.ledger, and
a CRM the settings do not configure refused in one line, nothing written."""

from __future__ import annotations

import shutil

import duckdb
from starlette.testclient import TestClient

from pipelines.workspace_app import create_app
from tests.crm.fake_hubspot import TOKEN, FakeHubSpot
from tests.icp.warehouse import AS_OF
from tests.workspace.conftest import settings_for


def _ledger(root):
    with duckdb.connect(str(root / "data" / "firmo.duckdb"), read_only=True) as con:
        if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'exports' "
                           "AND table_name = 'ledger'").fetchone()[0]:
            return []
        return con.execute("SELECT crm, icp, siren, email, file FROM exports.ledger ORDER BY siren").fetchall()


def test_push_a_lead_list_to_hubspot_after_its_dry_run(warehouse, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(warehouse, root)
    with FakeHubSpot() as fake:
        settings = settings_for(root, HUBSPOT_ACCESS_TOKEN=TOKEN, FIRMO_HUBSPOT_BASE_URL=fake.url)
        with TestClient(create_app(settings, as_of=AS_OF)) as c:
            page = c.get("/leads/tech").text
            assert '<option value="hubspot">hubspot</option>' in page and "push-none" not in page
            dry = c.post("/api/leads/tech/push", json={"crm": "hubspot", "dry_run": True}).json()
            assert fake.requests == [] and _ledger(root) == []  # a dry run: no call, nothing recorded
            assert (dry["crm"], dry["dry_run"], dry["no_email"], dry["skipped_unchanged"]) == ("hubspot", True, 1, 0)
            assert dry["planned"] == ["create company 000000002 (ACME 000000002)", "add note to company 000000002"]
            assert dry["would"] == {"add note": 1, "create company": 1}
            pushed = c.post("/api/leads/tech/push", json={"crm": "hubspot"}).json()
            # the ledger's new-or-changed rule: the second push sends nothing
            again = c.post("/api/leads/tech/push", json={"crm": "hubspot"}).json()
            missing = c.post("/api/leads/nope/push", json={"crm": "hubspot"})
        companies = {siren: props["name"] for siren, props in fake.objects["companies"].items()}
        upserts = [p for m, p, _ in fake.requests if m == "POST" and p.endswith("/batch/upsert")]
    counts = ("dry_run", "companies", "contacts", "associations", "notes", "no_email", "failed", "refused",
              "skipped_unchanged", "suppressed", "customers")
    assert [pushed[k] for k in counts] == [False, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    assert [again[k] for k in counts] == [False, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
    assert companies == {"000000002": "ACME 000000002"}  # 000000001: its phone is refused (exports.rejects)
    assert upserts == ["/crm/v3/objects/companies/batch/upsert"]
    assert _ledger(root) == [("hubspot_api", "tech", "000000002", None, "api:hubspot")]
    with duckdb.connect(str(root / "data" / "firmo.duckdb"), read_only=True) as con:
        assert con.execute("SELECT source_file, reason, raw FROM exports.rejects").fetchall() == [(
            "lead list (push_hubspot input)",
            "phone is not an E.164 number (+, country code, digits only, e.g. +33612345678)",
            '{"icp": "tech", "siren": "000000001", "company_name": "ACME 000000001"}')]
    assert (missing.status_code, missing.json()) == (
        404, {"error": "no lead list for ICP 'nope': build it first (firmo icp build icps/nope.yaml)"})


def test_a_crm_not_configured_is_refused_in_one_line(warehouse, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(warehouse, root)
    with TestClient(create_app(settings_for(root), as_of=AS_OF)) as c:  # no CRM credential in Settings
        assert "push-none" in c.get("/leads/tech").text
        for crm, variable in (("hubspot", "no HubSpot token: set HUBSPOT_ACCESS_TOKEN (or HUBSPOT_SERVICE_KEY)"),
                              ("pipedrive", "no Pipedrive token: set FIRMO_PIPEDRIVE_API_TOKEN"),
                              ("salesforce", "no Salesforce consumer key: set FIRMO_SALESFORCE_CLIENT_ID")):
            for dry_run in (True, False):
                answer = c.post("/api/leads/tech/push", json={"crm": crm, "dry_run": dry_run})
                assert (answer.status_code, answer.json()) == (422, {"error": f"{crm} is not configured: {variable}"})
        bad = c.post("/api/leads/tech/push", json={"crm": "excel"})
        assert (bad.status_code, bad.json()) == (422, {"error": "crm: one of hubspot, pipedrive, salesforce, got 'excel'"})
        assert c.post("/api/leads/tech/push", data={"crm": "hubspot"}).status_code == 415
    assert _ledger(root) == []
