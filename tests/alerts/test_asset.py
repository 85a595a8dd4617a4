"""The `alerts` asset in the code location: evaluates the ICP files' rules, delivers to the fake
Slack, and shows per-rule counts, deliveries by channel and failures as metadata."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dagster import materialize

from assets.alerts import alerts
from assets.resources import (
    AlertingResource,
    EmailAlertResource,
    HubSpotResource,
    PathsResource,
    PipedriveResource,
    SalesforceResource,
    SlackAlertResource,
    WarehouseResource,
    WebhookAlertResource,
)
from firmo import db
from firmo.loopback import LoopbackServer
from firmo.settings import Settings
from pipelines.definitions import build_definitions

from .conftest import COMPANIES, leads, signal
from .fakes import SLACK_PATH, slack_app

ICP = """criteria: {}
alerts:
  - signal_types: [capital_increase]
  - enters_tier: hot
    channels: [slack, email]
"""


def _setup(path):
    con = db.connect(path)
    con.execute("CREATE TABLE core.companies (siren VARCHAR, name VARCHAR, diffusible BOOLEAN, active BOOLEAN)")
    con.executemany("INSERT INTO core.companies VALUES (?, ?, ?, ?)", [[s, *v] for s, v in COMPANIES.items()])
    con.execute(
        "CREATE TABLE core.signals (siren VARCHAR, signal_type VARCHAR, signal_date DATE, strength DOUBLE, "
        "polarity VARCHAR, label VARCHAR, evidence VARCHAR, source VARCHAR, source_ref VARCHAR)"
    )
    return con


def test_alerts_asset(tmp_path):
    (tmp_path / "icps").mkdir()
    (tmp_path / "icps" / "acme.yaml").write_text(ICP, encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    today = datetime.now(UTC).date()
    con = _setup(warehouse)
    leads(con, [("100000001", 50, "warm")])
    con.close()
    state: dict = {}
    with LoopbackServer(slack_app(state)) as server:
        resources = {
            "warehouse": WarehouseResource(database=str(warehouse)),
            "paths": PathsResource(
                data_dir=str(tmp_path), exports_dir=str(tmp_path / "x"), icp_dir=str(tmp_path / "icps")
            ),
            "alerting": AlertingResource(),
            "alert_slack": SlackAlertResource(webhook_url=server.url + SLACK_PATH),
            "alert_email": EmailAlertResource(),
            "alert_webhook": WebhookAlertResource(),
            "hubspot": HubSpotResource(),
            "salesforce": SalesforceResource(),
            "pipedrive": PipedriveResource(),
        }
        first = materialize([alerts], resources=resources)
        meta = first.asset_materializations_for_node("alerts")[0].metadata
        assert (meta["alerts"].value, meta["baseline ICPs"].value) == (0, "acme")
        con = db.connect(warehouse)
        leads(con, [("100000001", 80, "hot")])
        signal(con, "100000001", "capital_increase", today - timedelta(days=1), "K1")
        con.close()
        second = materialize([alerts], resources=resources)
    meta = second.asset_materializations_for_node("alerts")[0].metadata
    assert meta["alerts"].value == 2
    assert meta["alerts per rule"].value == (
        "| icp | rule | alerts |\n|---|---|---|\n| acme | enters_tier_hot | 1 |\n| acme | signal_capital_increase | 1 |"
    )
    assert meta["deliveries by channel"].value == (
        "| channel | sent | failed | undelivered |\n|---|---|---|---|\n| email | 0 | 1 | 0 |\n| slack | 2 | 0 | 0 |"
    )
    assert meta["failures"].value.endswith(
        f"| acme/enters_tier_hot/100000001/hot@{today.isoformat()} | email | failed | 1 | channel email is not configured |"
    )
    assert [m["text"] for m in state["messages"]] == [
        "[firmo] acme: ALPHA SAS is now hot (score 80)",
        "[firmo] acme: ALPHA SAS: capital increase",
    ]


def test_code_location_has_alerts(tmp_path):
    defs = build_definitions(Settings.from_env({"FIRMO_DATA_DIR": str(tmp_path)}))
    spec = defs.get_assets_def("alerts").specs_by_key[next(iter(defs.get_assets_def("alerts").keys))]
    assert spec.tags["layer"] == "delivery"
    assert {"alert_slack", "alert_email", "alert_webhook", "alerting"} <= set(defs.resources)


def test_alert_delivery_job(tmp_path):
    defs = build_definitions(Settings.from_env({"FIRMO_DATA_DIR": str(tmp_path)}))
    job = defs.resolve_job_def("alert_delivery")
    assert [n.name for n in job.graph.nodes] == ["alerts"]
    # a job named like the asset it runs made the repository refuse to list its jobs
    assert "alert_delivery" in {j.name for j in defs.get_repository_def().get_all_jobs()}
