"""`firmo watch` and `firmo alerts`: the watchlist by hand, from a file and from a CRM read-back;
the outbox listed; a test message through the fake Slack; refusals as one line."""

from __future__ import annotations

from datetime import datetime

from typer.testing import CliRunner

from firmo import db
from firmo.loopback import LoopbackServer
from pipelines.cli import app

from .fakes import SLACK_PATH, slack_app

runner = CliRunner()


def run(*args: str):
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_watch_add_list_remove(tmp_path, monkeypatch):
    monkeypatch.setenv("FIRMO_DB", str(tmp_path / "w.duckdb"))
    csv = tmp_path / "accounts.csv"
    csv.write_text("siren,name\n100000002,Beta\n", encoding="utf-8")
    assert run("watch", "add", "100000001", "10000000300012") == (
        0,
        "watching 2 more account(s) (0 already watched); 2 in all\n",
    )
    assert run("watch", "add", "--file", str(csv)) == (0, "watching 1 more account(s) (0 already watched); 3 in all\n")
    with db.connection(tmp_path / "w.duckdb") as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS exports")
        con.execute("CREATE TABLE exports.crm_accounts (crm VARCHAR, siren VARCHAR)")
        con.execute(
            "INSERT INTO exports.crm_accounts VALUES ('hubspot', '100000001'), ('hubspot', '100000004'), ('hubspot', NULL)"
        )
    assert run("watch", "add", "--from-crm", "hubspot") == (
        0,
        "watching 1 more account(s) (1 already watched); 4 in all\n",
    )
    code, out = run("watch", "list")
    assert code == 0
    assert [line.split("  ")[:2] for line in out.splitlines()[:-1]] == [
        ["100000001", "manual"],
        ["100000002", "file:accounts.csv"],
        ["100000003", "manual"],
        ["100000004", "crm:hubspot"],
    ]
    assert run("watch", "remove", "100000003") == (0, "stopped watching 1 account(s)\n")
    code, out = run("watch", "add", "12345")
    assert (code, out) == (1, "firmo: SIREN 1: '12345' is not a SIREN (9 digits)\n")
    code, out = run("watch", "add", "100000001", "--file", str(csv))
    assert (code, out) == (1, "firmo: firmo watch add: give SIRENs, --file or --from-crm (one of them)\n")


def test_alerts_list_and_test(tmp_path, monkeypatch):
    path = tmp_path / "w.duckdb"
    monkeypatch.setenv("FIRMO_DB", str(path))
    assert run("alerts", "list", "--since", "2026-03-01") == (0, "0 alert deliveries since 2026-03-01\n")
    with db.connection(path) as con:
        con.execute(
            "INSERT INTO alerts.outbox VALUES ('acme/watched/100000001/x', 'slack', 'acme', 'watched', '100000001', "
            "'{}', 'undelivered', 5, 'slack: HTTP 404 no_service', ?, NULL)",
            [datetime(2026, 3, 10, 9, 30)],
        )
    assert run("alerts", "list", "--since", "2026-03-01") == (
        0,
        "2026-03-10 09:30  acme  watched  100000001  slack  undelivered  attempts 5  (slack: HTTP 404 no_service)\n"
        "1 alert deliveries since 2026-03-01\n",
    )
    assert run("alerts", "list", "--since", "last week") == (
        1,
        "firmo: --since 'last week': give a day (YYYY-MM-DD) or a number of days (7d)\n",
    )
    assert run("alerts", "test", "--channel", "webhook") == (
        1,
        "firmo: webhook is not configured: set FIRMO_ALERT_WEBHOOK_URL and FIRMO_ALERT_WEBHOOK_SECRET\n",
    )
    state: dict = {}
    with LoopbackServer(slack_app(state)) as server:
        monkeypatch.setenv("FIRMO_ALERT_SLACK_WEBHOOK_URL", server.url + SLACK_PATH)
        assert run("alerts", "test", "--channel", "slack") == (0, "slack: test message sent\n")
        monkeypatch.setenv("FIRMO_ALERT_SLACK_WEBHOOK_URL", server.url + "/services/wrong")
        code, out = run("alerts", "test", "--channel", "slack")
    assert (code, out) == (1, "firmo: slack test failed: slack: HTTP 404 Not Found\n")
    assert "xoxsecretpart" not in out and "wrong" not in out
    assert state["messages"][0]["text"] == "[firmo] test: test message"


def test_alerts_test_hubspot_writes_a_note_on_a_matched_company(tmp_path, monkeypatch):
    from tests.crm.fake_hubspot import TOKEN, FakeHubSpot

    path = tmp_path / "w.duckdb"
    monkeypatch.setenv("FIRMO_DB", str(path))
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("HUBSPOT_SERVICE_KEY", raising=False)
    assert run("alerts", "test", "--channel", "hubspot") == (
        1,
        "firmo: hubspot is not configured: set HUBSPOT_ACCESS_TOKEN (or HUBSPOT_SERVICE_KEY)\n",
    )
    assert run("alerts", "test", "--channel", "slack", "--siren", "100000001") == (
        1,
        "firmo: --siren is for --channel hubspot, salesforce or pipedrive (the record the test goes on)\n",
    )
    with FakeHubSpot() as fake:
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("FIRMO_HUBSPOT_BASE_URL", fake.url)
        assert run("alerts", "test", "--channel", "hubspot") == (
            1,
            "firmo: hubspot test: no HubSpot company is matched to a SIREN (run `firmo crm pull hubspot` first)\n",
        )
        beta = fake.seed("companies", {"name": "BETA SAS", "siren": "100000002"})
        alpha = fake.seed("companies", {"name": "ALPHA SA", "siren": "100000001"})
        with db.connection(path) as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS exports")
            con.execute(
                "CREATE TABLE exports.crm_accounts (crm VARCHAR, crm_id VARCHAR, siren VARCHAR, "
                "match_confidence DOUBLE, modified_at TIMESTAMP, deleted_at TIMESTAMP)"
            )
            con.executemany(
                "INSERT INTO exports.crm_accounts VALUES (?, ?, ?, 1.0, NULL, NULL)",
                [("hubspot", beta, "100000002"), ("hubspot", alpha, "100000001"), ("salesforce", "001A", "100000003")],
            )
        assert run("alerts", "test", "--channel", "hubspot") == (
            0,
            f"hubspot: test note written on company {alpha} (SIREN 100000001)\n",
        )
        assert run("alerts", "test", "--channel", "hubspot", "--siren", "100000002") == (
            0,
            f"hubspot: test note written on company {beta} (SIREN 100000002)\n",
        )
        assert run("alerts", "test", "--channel", "hubspot", "--siren", "100000003") == (
            1,
            "firmo: hubspot test: no HubSpot company is matched to SIREN '100000003'\n",
        )
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-eu1-wrong-secret")
        code, out = run("alerts", "test", "--channel", "hubspot")
    assert (code, out) == (
        1,
        "firmo: hubspot test failed: HubSpot note refused: HubSpot POST /crm/v3/objects/notes -> 401: "
        "Authentication credentials not found\n",
    )
    assert "wrong-secret" not in out
    assert [n["associations"][0]["to"]["id"] for n in fake.notes] == [alpha, beta]
    body = fake.notes[0]["properties"]["hs_note_body"].splitlines()
    assert body[0] == "[firmo] test: test message"
    assert body[-1].startswith("firmo alert test/")


def _matched(path, rows):
    with db.connection(path) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS exports")
        con.execute(
            "CREATE TABLE IF NOT EXISTS exports.crm_accounts (crm VARCHAR, crm_id VARCHAR, siren VARCHAR, "
            "match_confidence DOUBLE, modified_at TIMESTAMP, deleted_at TIMESTAMP)"
        )
        con.executemany("INSERT INTO exports.crm_accounts VALUES (?, ?, ?, 1.0, NULL, NULL)", rows)


def test_alerts_test_salesforce_writes_a_task_on_a_matched_account(tmp_path, monkeypatch):
    from tests.crm.fake_salesforce import CLIENT_ID, CLIENT_SECRET, FakeSalesforce

    path = tmp_path / "w.duckdb"
    monkeypatch.setenv("FIRMO_DB", str(path))
    for var in ("FIRMO_SALESFORCE_CLIENT_ID", "FIRMO_SALESFORCE_CLIENT_SECRET", "FIRMO_SALESFORCE_PRIVATE_KEY"):
        monkeypatch.delenv(var, raising=False)
    assert run("alerts", "test", "--channel", "salesforce") == (
        1,
        "firmo: salesforce is not configured: set FIRMO_SALESFORCE_CLIENT_ID with FIRMO_SALESFORCE_PRIVATE_KEY "
        "or FIRMO_SALESFORCE_CLIENT_SECRET\n",
    )
    with FakeSalesforce() as fake:
        monkeypatch.setenv("FIRMO_SALESFORCE_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("FIRMO_SALESFORCE_CLIENT_SECRET", CLIENT_SECRET)
        monkeypatch.setenv("FIRMO_SALESFORCE_INSTANCE_URL", fake.url)
        assert run("alerts", "test", "--channel", "salesforce") == (
            1,
            "firmo: salesforce test: no Salesforce Account is matched to a SIREN "
            "(run `firmo crm pull salesforce` first)\n",
        )
        account = fake.seed("Account", {"Name": "ALPHA SA", "SIREN__c": "100000001"})
        _matched(path, [("salesforce", account, "100000001"), ("hubspot", "42", "100000000")])
        assert run("alerts", "test", "--channel", "salesforce") == (
            0,
            f"salesforce: test Task written on Account {account} (SIREN 100000001)\n",
        )
        _matched(path, [("salesforce", "001S7000000000404", "100000002")])
        code, out = run("alerts", "test", "--channel", "salesforce", "--siren", "100000002")
    assert (code, out) == (
        1,
        "firmo: salesforce test failed: Salesforce Task refused: Salesforce POST /sobjects/Task -> 400: "
        "INVALID_CROSS_REFERENCE_KEY: invalid cross reference id\n",
    )
    (task,) = fake.tasks.values()
    assert {k: v for k, v in task.items() if k not in ("Description", "ActivityDate")} == {
        "WhatId": account,
        "Subject": "[firmo] test: test message",
        "Status": "Not Started",
        "Priority": "Low",
    }
    assert task["Description"].splitlines()[-1].startswith("firmo alert test/")


def test_alerts_test_pipedrive_writes_a_note_on_a_matched_organization(tmp_path, monkeypatch):
    from tests.crm.fake_pipedrive import TOKEN, FakePipedrive

    path = tmp_path / "w.duckdb"
    monkeypatch.setenv("FIRMO_DB", str(path))
    monkeypatch.delenv("FIRMO_PIPEDRIVE_API_TOKEN", raising=False)
    assert run("alerts", "test", "--channel", "pipedrive") == (
        1,
        "firmo: pipedrive is not configured: set FIRMO_PIPEDRIVE_API_TOKEN\n",
    )
    with FakePipedrive() as fake:
        monkeypatch.setenv("FIRMO_PIPEDRIVE_API_TOKEN", TOKEN)
        monkeypatch.setenv("FIRMO_PIPEDRIVE_API_URL", fake.url)
        org = fake.seed("organizations", {"name": "ALPHA SA"})
        _matched(path, [("pipedrive", str(org), "100000001")])
        assert run("alerts", "test", "--channel", "pipedrive", "--siren", "100000009") == (
            1,
            "firmo: pipedrive test: no Pipedrive organization is matched to SIREN '100000009'\n",
        )
        assert run("alerts", "test", "--channel", "pipedrive") == (
            0,
            f"pipedrive: test note written on organization {org} (SIREN 100000001)\n",
        )
    (note,) = fake.notes.values()
    assert note["org_id"] == org
    assert note["content"].startswith("<p>[firmo] test: test message</p><p>firmo test message (SIREN 100000001, -)</p>")
    assert note["content"].endswith("</p>") and "<p>firmo alert test/" in note["content"]
