"""The workspace's JSON API and pages through Starlette's TestClient, on the small warehouse of
conftest.py (the ICP tests' universe: of its 10 companies, 6 are leads; 6 is P, 7 ceased, 9 in
collective proceedings and 10 struck off are never leads)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import duckdb
import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from firmo import db
from firmo.compliance.prospecting import OPPOSITION_REASON, P_REASON
from firmo.icp import preview
from firmo.workspace import privacy, queries
from firmo.workspace.snapshot import Reader, WarehouseMissing
from pipelines.workspace_app import create_app
from tests.icp.warehouse import AS_OF
from tests.workspace.conftest import settings_for

NAF_62 = "criteria:\n  naf:\n    include: ['62']\n"


def test_preview_counts_tiers_and_top_leads(client):
    answer = client.post("/api/icp/preview", content=NAF_62)
    assert answer.status_code == 200
    data = answer.json()
    assert (data["icp"], data["as_of"], data["total"]) == ("preview", "2025-06-30", 2)
    assert data["tiers"] == {"hot": 0, "warm": 2, "cold": 0}
    assert data["by_region"] == [{"value": "Auvergne-Rhône-Alpes", "count": 1}, {"value": "Île-de-France", "count": 1}]
    assert data["by_naf_division"] == [{"value": "62 division 62", "count": 2}]
    assert data["by_headcount_band"] == [{"value": "10 à 19 salariés", "count": 1}, {"value": "20 à 49 salariés", "count": 1}]
    assert [(x["rank"], x["siren"], x["score"], x["tier"]) for x in data["top"]] == [
        (1, "000000001", 64, "warm"), (2, "000000002", 45, "warm")]
    assert data["top"][0]["score_reasons"] == ["NAF 62.01Z in division 62", "augmentation de capital 4 weeks ago"]
    assert data["notices"] == [
        "criteria.naf.include: 62 read as NAF rév. 2 (criteria.naf.nomenclature: naf_rev2); write 'naf2025:62' for NAF 2025"]


def test_preview_takes_json_and_matches_the_cli_function(client, warehouse):
    answer = client.post("/api/icp/preview?name=everyone", json={"criteria": {}})
    data = answer.json()
    assert (answer.status_code, data["icp"], data["total"]) == (200, "everyone", 6)
    assert data["tiers"] == {"hot": 1, "warm": 0, "cold": 5}
    assert [(x["siren"], x["score"]) for x in data["top"]] == [
        ("000000001", 73), ("000000002", 36), ("000000003", 24), ("000000004", 0), ("000000005", 0), ("000000008", 0)]
    # the function `firmo icp preview` calls gives the same counts
    icp = queries.icp_from_text('{"criteria": {}}', "everyone")
    with duckdb.connect(str(warehouse / "data" / "firmo.duckdb"), read_only=True) as con:
        cli = preview(con, icp, as_of=AS_OF, top=50)
    assert (cli.total, cli.tier_counts()) == (data["total"], data["tiers"])
    assert [{"value": v, "count": n} for v, n in cli.counts["region"]] == data["by_region"]
    assert list(cli.top["siren"]) == [x["siren"] for x in data["top"]]


def test_preview_errors_are_the_checks_of_icp_check_per_field(client):
    answer = client.post("/api/icp/preview", content="criteria:\n  naf:\n    include: ['99.99Z']\n  regions: [Atlantide]\n")
    assert answer.status_code == 422
    assert answer.json() == {"errors": [
        {"field": "criteria.naf.include", "message": "unknown NAF rév. 2 code '99.99Z' (did you mean '99.00Z'?)"},
        {"field": "criteria.regions", "message": "unknown région 'Atlantide'"},
    ]}
    shape = client.post("/api/icp/preview", content="criteria:\n  sizes: [1]\n").json()["errors"]
    assert [e["field"] for e in shape] == ["criteria.sizes"]
    assert shape[0]["message"].startswith("unknown key; allowed: naf, headcount,")
    assert client.post("/api/icp/preview", content="a: &x 1\nb: *x\n").json() == {"errors": [{"field": "(file)", "message":
        "line 1: YAML anchor &x is not allowed in an ICP file (anchors and aliases can blow a small file up to "
        "gigabytes); write the values out"}]}
    assert client.post("/api/icp/preview", content="name: x\n").json()["errors"][0]["field"] == "criteria"
    big = client.post("/api/icp/preview", content="#" * (300 * 1024))
    assert (big.status_code, big.json()) == (422, {"errors": [{"field": "(file)", "message": "body is over 256 KiB: not an ICP"}]})


def test_leads_page_filters_sorts_pages_and_masks(client):
    data = client.get("/api/leads/tech").json()
    assert (data["table"], data["total"], data["limit"], data["offset"]) == ("leads.tech_enriched", 2, 50, 0)
    assert [(x["rank"], x["siren"], x["score"], x["email"], x["phone"]) for x in data["leads"]] == [
        (1, "000000001", 64, "j***@acme.fr", "+33***89"), (2, "000000002", 45, None, None)]
    sirens = lambda query: [x["siren"] for x in client.get(f"/api/leads/tech?{query}").json()["leads"]]  # noqa: E731
    assert sirens("sort=-rank") == ["000000002", "000000001"]
    assert sirens("sort=score") == ["000000002", "000000001"]
    assert sirens("min_score=50") == ["000000001"]
    assert sirens("has_email=true") == ["000000001"]
    assert sirens("has_email=false") == ["000000002"]
    assert sirens("region=Auvergne-Rhône-Alpes") == ["000000002"]
    assert sirens("signal_type=capital_increase") == ["000000001"]
    assert sirens("tier=hot") == []
    page = client.get("/api/leads/tech?limit=1&offset=1").json()
    assert (page["total"], [x["siren"] for x in page["leads"]]) == (2, ["000000002"])
    assert client.get("/api/leads/tech?tier=lukewarm").json() == {"error": "tier: one of hot, warm, cold"}
    assert client.get("/api/leads/tech?sort=siren").status_code == 422
    assert client.get("/api/leads/tech?min_score=high").json() == {"error": "min_score: a whole number, got 'high'"}
    missing = client.get("/api/leads/nope")
    assert (missing.status_code, missing.json()["error"]) == (
        404, "no lead list 'nope': build it (firmo icp build icps/nope.yaml)")
    assert client.get("/api/leads/Robert';DROP").status_code == 404


def test_company_page_facts_officers_signals_scores_contact(client):
    data = client.get("/api/companies/000000001").json()
    assert data["name"] == "ACME 000000001"
    facts = {f["field"]: (f["value"], f["source"], f["as_of"]) for f in data["facts"]}
    assert facts["naf_code"] == ("62.01Z", "sirene", None)
    assert facts["naf2025_code"] == ("62.10Y", "correspondence", None)
    assert facts["revenue"] == (2000000, "inpi", "2024-12-31")
    assert facts["address"] == ("1 RUE DE LA PAIX 75001 Paris", "sirene", None)
    assert [(o["role_label"], o["given_names"], o["family_name"]) for o in data["officers"]] == [
        ("Président de SAS", "Jeanne Marie", "MARTIN")]
    assert [(s["signal_type"], s["signal_date"], s["source"], s["evidence_url"]) for s in data["signals"]] == [
        ("capital_increase", "2025-06-01", "bodacc",
         "https://www.bodacc.fr/pages/annonces-commerciales-detail/?q.id=id:A202506011234")]
    [score] = data["scores"]
    assert (score["icp"], score["fit_score"], score["intent_score"], score["score"], score["tier"]) == (
        "tech", 85, 32, 64, "warm")
    assert score["bant_timing"] == "last signal 4 weeks ago (intent 32/100)"
    [contact] = data["contacts"]
    assert (contact["email"], contact["email_source"], contact["email_found_at"]) == (
        "j***@acme.fr", "dropcontact", "2025-06-02T09:00:00")
    assert (contact["phone"], contact["phone_source"], contact["phone_found_at"]) == (
        "+33***89", "kaspr", "2025-06-03T10:00:00")
    hidden = client.get("/api/companies/000000006")  # P unit: never shown
    assert (hidden.status_code, hidden.json()) == (404, {"error": "000000006 is not shown: " + P_REASON})
    assert client.get("/api/companies/999999999").json() == {"error": "no company 999999999 in the warehouse"}
    assert client.get("/api/companies/12").status_code == 404


def test_reveal_is_per_field_and_logged(warehouse):
    log_file = warehouse / "data" / "workspace.duckdb"
    before = len(privacy.reveals(log_file))
    with TestClient(create_app(settings_for(warehouse), as_of=AS_OF)) as c:
        [contact] = c.get("/api/companies/000000001?reveal=email").json()["contacts"]
        assert (contact["email"], contact["phone"]) == ("jeanne.martin@acme.fr", "+33***89")
        [contact] = c.get("/api/companies/000000001?reveal=email&reveal=phone").json()["contacts"]
        assert (contact["email"], contact["phone"]) == ("jeanne.martin@acme.fr", "+33 1 23 45 67 89")
        assert c.get("/api/companies/000000001?reveal=siren").json() == {"error": "reveal: one of email, phone, got siren"}
        # a reveal on a list is not a thing: the list stays masked
        assert c.get("/api/leads/tech?reveal=email").json()["leads"][0]["email"] == "j***@acme.fr"
    logged = [(who, siren, field, client) for _, who, siren, field, client in privacy.reveals(log_file)[before:]]
    assert logged == [("local", "000000001", "email", "testclient"), ("local", "000000001", "email", "testclient"),
                      ("local", "000000001", "phone", "testclient")]


def test_masks():
    assert privacy.mask_email("jeanne.martin@acme.fr") == "j***@acme.fr"
    assert privacy.mask_email("nodomain") == "***"
    assert privacy.mask_phone("+33 1 23 45 67 89") == "+33***89"
    assert privacy.mask_phone("01 23 45 67 89") == "01***89"
    assert (privacy.mask_email(None), privacy.mask_phone("")) == (None, "")


def test_token_bearer_cookie_and_the_reveal_log_label(warehouse, caplog):
    settings = settings_for(warehouse, FIRMO_UI_TOKEN="s3cret-ui-token", FIRMO_UI_TOKEN_LABEL="sales-lyon")
    log_file = warehouse / "data" / "workspace.duckdb"
    before = len(privacy.reveals(log_file))
    with TestClient(create_app(settings, as_of=AS_OF)) as c:
        refused = c.get("/api/leads/tech")
        assert (refused.status_code, refused.json()) == (
            401, {"error": "token required: Authorization: Bearer <FIRMO_UI_TOKEN>"})
        assert c.get("/api/leads/tech", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/openapi.json").status_code == 401
        page = c.get("/", follow_redirects=False)
        assert (page.status_code, page.headers["location"]) == (303, "/login?next=/")
        ok = c.get("/api/leads/tech", headers={"Authorization": "Bearer s3cret-ui-token"})
        assert (ok.status_code, ok.json()["total"]) == (200, 2)
        assert c.post("/login", data={"token": "nope"}).status_code == 401
        login = c.post("/login?next=/leads/tech", data={"token": "s3cret-ui-token"}, follow_redirects=False)
        assert (login.status_code, login.headers["location"]) == (303, "/leads/tech")
        cookie = login.cookies["firmo_ui"]
        assert "s3cret" not in cookie and "s3cret" not in login.headers["set-cookie"]
        assert c.get("/api/companies/000000001?reveal=phone").status_code == 200  # the cookie is sent
    who = [(w, f) for _, w, _, f, _ in privacy.reveals(log_file)[before:]]
    assert who == [("sales-lyon", "phone")]
    assert "s3cret-ui-token" not in caplog.text


def test_pages_list_icps_and_leads(client):
    index = client.get("/")
    assert index.status_code == 200
    assert '<a href="/leads/tech">tech</a>' in index.text
    assert "criteria.regions: unknown région &#39;Atlantide&#39;" in index.text
    leads = client.get("/leads/tech")
    assert leads.status_code == 200
    assert '<p id="total">2 leads</p>' in leads.text
    assert "j***@acme.fr" in leads.text and "jeanne.martin" not in leads.text
    assert client.get("/leads/nope").status_code == 404


def test_every_route_is_in_the_openapi_schema(client):
    schema = client.get("/openapi.json").json()
    assert schema["openapi"] == "3.1.0"
    app = client.app
    documented = {(path, method.upper()) for path, ops in schema["paths"].items() for method in ops}
    api_routes = {(r.path, m) for r in app.routes if isinstance(r, Route) for m in (r.methods or ())
                  if m != "HEAD" and (r.path.startswith("/api/") or r.path == "/openapi.json")}
    assert api_routes == documented


def test_reads_the_published_snapshot_first(tmp_path):
    """The read link (firmo.analytics.publish_snapshot) before the working file, the snapshots last."""
    data = tmp_path / "data"
    (data / "snapshots").mkdir(parents=True)
    for name in ("firmo-20250101T000000Z.duckdb", "firmo-20250201T000000Z.duckdb"):
        (data / "snapshots" / name).touch()
    reader = Reader.from_settings(settings_for(tmp_path))
    assert reader.candidates() == [data / "firmo.duckdb", data / "snapshots" / "firmo-20250201T000000Z.duckdb",
                                   data / "snapshots" / "firmo-20250101T000000Z.duckdb"]
    (data / "firmo_read.duckdb").symlink_to("snapshots/firmo-20250201T000000Z.duckdb")
    assert reader.candidates()[:2] == [data / "firmo_read.duckdb", data / "firmo.duckdb"]
    with pytest.raises(WarehouseMissing, match="no warehouse at"), Reader.from_settings(
        settings_for(tmp_path / "empty")
    ).read():
        pass


def test_a_busy_warehouse_falls_back_to_the_newest_snapshot(warehouse, tmp_path):
    """A writer holding the working file: the reader takes the newest copy in snapshots/."""
    data = tmp_path / "data"
    (data / "snapshots").mkdir(parents=True)
    working = data / "firmo.duckdb"
    writer = duckdb.connect(str(working))  # another process would hold the lock; here, a write connection
    try:
        db.ensure_schemas(writer)
        shutil.copyfile(warehouse / "data" / "firmo.duckdb", data / "snapshots" / "firmo-20250630T000000Z.duckdb")
        script = (
            "import sys; from pathlib import Path; from firmo.settings import Settings;"
            "from firmo.workspace.snapshot import Reader;"
            f"r = Reader.from_settings(Settings.from_env({{'FIRMO_DATA_DIR': {str(data)!r}}}));"
            "cm = r.read(); con = cm.__enter__();"
            "print(con.execute('SELECT count(*) FROM leads.tech').fetchall()[0][0])"
        )
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
        assert (out.returncode, out.stdout.strip()) == (0, "2"), out.stderr
    finally:
        writer.close()


def test_the_app_does_not_import_dagster():
    script = "import sys, pipelines.workspace_app, pipelines.cli_serve; print('dagster' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert (out.returncode, out.stdout.strip()) == (0, "False"), out.stderr


def test_an_rne_opposition_after_the_build_hides_the_lead_and_the_company(warehouse, tmp_path):
    """000000002 opposes commercial use in the RNE after leads.tech was built: gone at once."""
    shutil.copytree(warehouse / "icps", tmp_path / "icps")
    (tmp_path / "data").mkdir()
    shutil.copyfile(warehouse / "data" / "firmo.duckdb", tmp_path / "data" / "firmo.duckdb")
    with duckdb.connect(str(tmp_path / "data" / "firmo.duckdb")) as con:
        con.execute("CREATE TABLE inpi.companies AS SELECT * FROM (VALUES ('000000001', true), ('000000002', false))"
                    " t(siren, diffusion_commerciale)")
    with TestClient(create_app(settings_for(tmp_path), as_of=AS_OF)) as c:
        data = c.get("/api/leads/tech").json()
        assert (data["total"], [x["siren"] for x in data["leads"]]) == (1, ["000000001"])
        hidden = c.get("/api/companies/000000002")
        assert (hidden.status_code, hidden.json()) == (404, {"error": "000000002 is not shown: " + OPPOSITION_REASON})
        assert c.get("/api/companies/000000001").status_code == 200


def test_a_reveal_that_cannot_be_logged_is_not_shown(warehouse, tmp_path):
    shutil.copytree(warehouse / "icps", tmp_path / "icps")
    (tmp_path / "data").mkdir()
    shutil.copyfile(warehouse / "data" / "firmo.duckdb", tmp_path / "data" / "firmo.duckdb")
    (tmp_path / "data" / "workspace.duckdb").mkdir()  # the log file cannot be opened
    with TestClient(create_app(settings_for(tmp_path), as_of=AS_OF), raise_server_exceptions=False) as c:
        answer = c.get("/api/companies/000000001?reveal=email")
        assert answer.status_code == 500
        assert "jeanne.martin" not in answer.text
        assert c.get("/api/companies/000000001").json()["contacts"][0]["email"] == "j***@acme.fr"
