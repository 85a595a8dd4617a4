"""The ICP builder: the form's round trip on every shipped ICP, the NAF search, the save with its
diff and atomic write, and the pages of the builder, the lead explorer and the lead."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from firmo.compliance.normalise import list_value
from firmo.icp.config import load_yaml_text, parse_icp
from firmo.workspace import builder
from pipelines.workspace_app import create_app
from tests.icp.warehouse import AS_OF
from tests.workspace.conftest import settings_for

SHIPPED = sorted((Path(__file__).resolve().parents[2] / "icps").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_round_trip_yaml_form_yaml_is_lossless(path, tmp_path):
    text = path.read_text(encoding="utf-8")
    data = load_yaml_text(text)
    back = builder.from_form(builder.to_form(data))
    assert back == data
    # and the text written parses to the same ICP, its leading comments kept
    (tmp_path / path.name).write_text(text, encoding="utf-8")
    _, new, _ = builder.proposed(tmp_path, path.stem, back)
    assert new.startswith(builder.header_of(text))
    assert parse_icp(load_yaml_text(new), default_name=path.stem) == parse_icp(data, default_name=path.stem)


def test_form_rules_empty_means_default_and_blocks_and_personas():
    form = {c.path: "" for c in builder.CONTROLS}
    assert builder.from_form(form) == {"criteria": {}}
    form |= {
        "criteria.headcount.min": "10",
        "criteria.revenue.max": "2.5e6",
        "criteria.regions": "Bretagne, Normandie",
        "criteria.hiring": "true",
        "criteria.employer_only": "true",
        "scoring.signal_weights.job_offers": "50",
        "criteria.decision_makers": "Gérant\nfinance/head",
    }
    assert builder.from_form(form) == {
        "criteria": {
            "headcount": {"min": 10},
            "revenue": {"max": 2500000.0},
            "regions": ["Bretagne", "Normandie"],
            "employer_only": True,
            "hiring": {},
            "decision_makers": ["Gérant", {"function": "finance", "seniority": "head"}],
        },
        "scoring": {"signal_weights": {"job_offers": 50}},
    }
    # what no control covers rides along in `rest`
    data = {"criteria": {}, "alerts": [{"enters_tier": "hot", "channels": ["slack"]}]}
    assert builder.to_form(data)["rest"] == '{"alerts": [{"enters_tier": "hot", "channels": ["slack"]}]}'
    assert builder.from_form(builder.to_form(data)) == data


def test_naf_search_over_both_nomenclatures(client):
    data = client.get("/api/naf?q=boulang").json()
    assert [(r["code"], r["nomenclature"]) for r in data["results"]] == [
        ("10.71B", "naf_rev2"),
        ("10.71C", "naf_rev2"),
        ("10.71H", "naf2025"),
    ]
    assert data["results"][1]["label"] == "Boulangerie et boulangerie-pâtisserie"
    assert [r["value"] for r in client.get("/api/naf?q=62.01").json()["results"]] == ["62.01Z"]
    assert client.get("/api/naf?q=").json()["results"] == []


def test_save_shows_the_diff_then_writes_atomically(warehouse):
    icps = warehouse / "icps"
    with TestClient(create_app(settings_for(warehouse), as_of=AS_OF)) as c:
        body = {"criteria": {"naf": {"include": ["62"]}, "headcount": {"min": 10}}}
        dry = c.post("/api/icps/saved_one", json=body).json()
        assert (dry["changed"], dry["written"]) == (True, False)
        assert not (icps / "saved_one.yaml").exists()
        assert dry["diff"].splitlines()[2:] == [
            "@@ -0,0 +1,4 @@",
            "+criteria:",
            "+  naf:",
            "+    include: ['62']",
            "+  headcount: {min: 10}",
        ]
        done = c.post("/api/icps/saved_one?write=true", json=body).json()
        assert done["written"] is True
        assert (
            icps / "saved_one.yaml"
        ).read_text() == "criteria:\n  naf:\n    include: ['62']\n  headcount: {min: 10}\n"
        assert [p.name for p in icps.iterdir() if p.name.startswith(".")] == []  # no temporary file left
        again = c.post("/api/icps/saved_one?write=true", json=body).json()
        assert (again["changed"], again["written"], again["diff"]) == (False, False, "")
        bad = c.post("/api/icps/saved_one?write=true", json={"criteria": {"regions": ["Atlantide"]}})
        assert (bad.status_code, bad.json()) == (
            422,
            {"errors": [{"field": "criteria.regions", "message": "unknown région 'Atlantide'"}]},
        )
        assert c.post("/api/icps/Bad-Name", json=body).json()["errors"][0]["field"] == "name"
        page = c.get("/icp/saved_one")
        assert page.status_code == 200
        assert 'name="criteria.headcount.min" data-kind="number" value="10"' in page.text
        assert c.get("/icp/new").status_code == 200
        assert c.get("/static/builder.js").status_code == 200
        (icps / "saved_one.yaml").unlink()


def test_lead_explorer_and_lead_pages(client):
    page = client.get("/leads/tech?sort=-score")
    assert page.status_code == 200
    assert page.text.index("000000001") < page.text.index("000000002")
    assert "2 leads" in page.text
    assert client.get("/leads/tech?sort=score").text.index("000000002") < client.get(
        "/leads/tech?sort=score"
    ).text.index("000000001")
    filtered = client.get("/leads/tech?has_email=false").text
    assert '<td><a href="/companies/000000002">' in filtered and "/companies/000000001" not in filtered
    assert client.get("/leads/tech?tier=lukewarm").status_code == 422
    lead = client.get("/companies/000000001")
    assert lead.status_code == 200
    assert "ACME 000000001" in lead.text and "j***@acme.fr" in lead.text and "jeanne.martin" not in lead.text
    assert "https://www.bodacc.fr/pages/annonces-commerciales-detail/?q.id=id:A202506011234" in lead.text
    assert client.get("/companies/000000006").status_code == 404


def test_actions_go_through_the_cli_functions(warehouse, tmp_path):
    import shutil

    import duckdb

    root = tmp_path / "ws"
    shutil.copytree(warehouse, root)
    with TestClient(create_app(settings_for(root), as_of=AS_OF)) as c:
        post = lambda path: c.post(path, json={})  # noqa: E731
        assert post("/api/companies/000000002/watch").json() == {
            "action": "watch", "siren": "000000002", "changed": True, "message": "watched"}
        assert post("/api/companies/000000002/watch").json()["message"] == "already watched"
        assert post("/api/companies/000000002/unwatch").json()["message"] == "no longer watched"
        assert post("/api/companies/000000002/customer").json()["message"] == "marked as a customer"
        assert post("/api/companies/000000003/suppress").json()["message"] == "on the suppression list"
        assert post("/api/companies/000000003/suppress").json()["message"] == "already on the suppression list"
        assert post("/api/companies/000000003/hug").json() == {
            "error": "action: one of suppress, suppress_contact, customer, watch, unwatch, got 'hug'"}
        assert post("/api/companies/000000001/suppress_contact").json()["message"] == (
            "contact's email and phone on the suppression list")
        assert post("/api/companies/000000002/suppress_contact").json()["message"] == "no enriched contact to suppress"
        assert post("/api/companies/12/watch").status_code == 404
        # a form another site posts is refused: only JSON
        assert c.post("/api/companies/000000003/watch", data={"x": "1"}).status_code == 415
        assert c.post("/api/icps/x", content="criteria: {}").status_code == 415
        # while a run holds the working file, nothing is written
        holder = duckdb.connect(str(root / "data" / "firmo.duckdb"))
        try:
            import subprocess
            import sys

            code = (
                "from firmo.workspace import actions;from firmo.workspace.snapshot import Reader;"
                "from tests.workspace.conftest import settings_for;from pathlib import Path;"
                f"r=Reader.from_settings(settings_for(Path({str(root)!r})));"
                "\ntry:\n actions.run(r,'watch','000000004',who='t')\nexcept Exception as e: print(type(e).__name__, e)"
            )
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
            assert out.stdout.strip() == (
                "WarehouseBusy a run is writing the warehouse: watch not done, retry after it"), out.stderr
        finally:
            holder.close()
    with duckdb.connect(str(root / "data" / "firmo.duckdb"), read_only=True) as con:
        assert con.execute("SELECT siren, source FROM alerts.watchlist").fetchall() == []
        assert con.execute("SELECT kind, value FROM exports.customers").fetchall() == [("siren", "000000002")]
        assert con.execute("SELECT kind, value, reason, source FROM exports.suppression ORDER BY kind").fetchall() == [
            ("email", list_value("email", "jeanne.martin@acme.fr"), "contact suppressed from the workspace",
             "firmo workspace (local)"),
            ("phone", list_value("phone", "+33 1 23 45 67 89"), "contact suppressed from the workspace",
             "firmo workspace (local)"),
            ("siren", "000000003", "suppressed from the workspace", "firmo workspace (local)")]


def test_export_a_lead_list_through_the_cli_function(warehouse, tmp_path):
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(warehouse, root)
    settings = settings_for(root, FIRMO_EXPORTS_DIR=str(tmp_path / "exports"))
    with TestClient(create_app(settings, as_of=AS_OF)) as c:
        first = c.post("/api/leads/tech/export", json={"crm": "hubspot"}).json()
        [written] = first.pop("files")["hubspot"]
        assert written.startswith("tech/hubspot/hubspot_tech_") and written.endswith("_part001.csv")
        body = (tmp_path / "exports" / written).read_text()
        assert ("ACME 000000002" in body, "ACME 000000001" in body) == (True, False)
        nothing = {"non_diffusible": 0, "opposed": 0, "inactive": 0, "suppressed": 0, "customers": 0,
                   "crm_disqualified": 0, "duplicates": 0, "rejected": 1, "retired": 0}  # reason in exports.rejects
        assert first == {"icp": "tech", "exported": {"hubspot": 1}, "unchanged": {"hubspot": 0}, "not_exported": nothing}
        # incremental: the second export sends nothing new (exports.ledger)
        again = c.post("/api/leads/tech/export", json={"crm": ["hubspot"]}).json()
        assert (again["exported"], again["unchanged"], again["files"]) == ({"hubspot": 0}, {"hubspot": 1}, {"hubspot": []})
        bad = c.post("/api/leads/tech/export", json={"crm": "excel"})
        assert (bad.status_code, bad.json()) == (422, {"error": "crm: one of hubspot, salesforce, pipedrive, got excel"})
        missing = c.post("/api/leads/nope/export", json={})
        assert missing.status_code == 404
        assert c.post("/api/leads/tech/export", data={"crm": "hubspot"}).status_code == 415
