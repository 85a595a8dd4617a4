"""The near-real-time intake through Dagster: the sensor asks for one poll per FIRMO_POLL_MINUTES
slot; the job reads the stand-in RNE, BODACC and API Sirene (loopback), applies what they
published since the last poll and re-scores the SIRENs touched in the ICP's leads table."""

from __future__ import annotations

import copy
import json
from unittest import mock

from dagster import DagsterInstance, build_sensor_context

from assets.poll import registry_poll_job
from assets.resources import (
    AlertingResource,
    EmailAlertResource,
    HubSpotResource,
    PathsResource,
    PipedriveResource,
    RneApiResource,
    SalesforceResource,
    SireneApiResource,
    SlackAlertResource,
    WarehouseResource,
    WebhookAlertResource,
)
from firmo import db
from firmo.loopback import LoopbackServer
from firmo.reference import load_reference
from pipelines import sensors
from sources.bodacc.fake import FakeBodacc
from sources.inpi.fake import FakeRne
from sources.sirene.fake import FakeSirene
from tests.alerts.fakes import SLACK_PATH, slack_app
from tests.bodacc.conftest import ods_record
from tests.icp.test_incremental_poll import AS_OF, RNE_1, RNE_2, A, B, nightly, stock
from tests.sirene_api.sirene_api_payloads import UL_016750697

KEY = "insee-k3y-never-logged"


NO_ALERT_CHANNELS = {"alerting": AlertingResource(), "alert_slack": SlackAlertResource(), "hubspot": HubSpotResource(),
                     "alert_email": EmailAlertResource(), "alert_webhook": WebhookAlertResource(),
                     "salesforce": SalesforceResource(), "pipedrive": PipedriveResource()}


def test_the_sensor_asks_once_per_slot():
    poll = sensors.registry_poll_sensor(5)
    assert poll.minimum_interval_seconds == 300
    with mock.patch.object(sensors.time, "time", return_value=1_764_590_000.0):  # 2025-12-01T11:53:20Z
        first = poll.evaluate_tick(build_sensor_context(instance=DagsterInstance.ephemeral()))
        again = poll.evaluate_tick(build_sensor_context(cursor=first.cursor, instance=DagsterInstance.ephemeral()))
    assert [(r.run_key, r.tags["firmo/poll_id"]) for r in first.run_requests] == [
        ("poll:20251201T1150Z", "20251201T1150Z")]
    assert (first.cursor, again.run_requests, again.skip_message) == (
        "5881966", [], "already polled in this 5-minute slot")


def test_a_poll_run_applies_the_new_records_and_rescores(data_env, tmp_path, samples_dir):
    icp_dir = tmp_path / "icps"
    icp_dir.mkdir()
    (icp_dir / "poll.yaml").write_text(
        "criteria:\n  decision_makers: []\n  naf: {include: [J, M]}\nmax_leads: 100\n", encoding="utf-8")
    warehouse = data_env / "w.duckdb"
    with db.connection(warehouse) as con:
        load_reference(con)
        stock(tmp_path, con)
        nightly(con, tmp_path)
    diff = json.loads((samples_dir / "inpi" / "rne_companies_diff.json").read_text())
    for item in diff:
        item["company"]["updatedAt"] = AS_OF.isoformat() + item["company"]["updatedAt"][10:]
    rne, bodacc, sirene = FakeRne(items=diff), FakeBodacc(), FakeSirene(KEY)
    bodacc.publish([ods_record("A202610201", AS_OF.isoformat(), "radiation", siren=B)])
    unit = copy.deepcopy(UL_016750697)
    unit["dateDernierTraitementUniteLegale"] = AS_OF.isoformat() + "T09:00:00.000"
    sirene.publish_unites_legales([unit])
    with rne.server() as r, bodacc.server() as b, sirene.server() as s, \
            mock.patch("assets.poll.datetime") as clock:
        clock.now.return_value.date.return_value = AS_OF
        result = registry_poll_job.execute_in_process(
            instance=DagsterInstance.ephemeral(),
            tags={"firmo/poll_id": "p1"},
            run_config={"ops": {"registry_poll": {"config": {"bodacc_export": FakeBodacc.base(b)}}}},
            resources={
                "warehouse": WarehouseResource(database=str(warehouse)),
                "paths": PathsResource(data_dir=str(data_env), exports_dir=str(tmp_path / "exports"),
                                       icp_dir=str(icp_dir)),
                "rne_api": RneApiResource(username="me", password="pw", base_url=r.url),
                "sirene_api": SireneApiResource(api_key=KEY, base_url=s.url),
                **NO_ALERT_CHANNELS,
            })
    assert result.success
    with db.connection(warehouse, read_only=True) as con:
        assert con.execute("SELECT source, siren FROM ops.poll_touched WHERE poll_id = 'p1' ORDER BY ALL").fetchall() == [
            ("bodacc", B), ("rne", RNE_2), ("rne", RNE_1), ("sirene", "016750697")]
        assert con.execute("SELECT source, records FROM ops.poll_cursors ORDER BY 1").fetchall() == [
            ("bodacc", 1), ("rne", 2), ("sirene", 1)]
        # B struck off: out of the list; the officers of the RNE companies are their contacts now
        assert con.execute("SELECT count(*) FROM leads.poll WHERE siren = ?", [B]).fetchall() == [(0,)]
        assert con.execute("SELECT siren, list_transform(contacts, lambda c: c.family_name) FROM core.prospects "
                           "WHERE siren IN (?, ?) ORDER BY 1", [RNE_2, RNE_1]).fetchall() == [
            (RNE_2, ["MARTIN", "ROBERT", None]), (RNE_1, ["MICHEL"])]
        assert con.execute("SELECT siren, tier FROM leads.poll ORDER BY rank").fetchall()[-2:] == [
            (RNE_2, "cold"), (RNE_1, "cold")]
    records = "".join(str(e) for e in result.all_events)
    assert KEY not in records


def test_the_code_location_polls_every_firmo_poll_minutes(data_env, monkeypatch):
    from firmo.settings import Settings
    from pipelines.definitions import build_definitions

    monkeypatch.setenv("FIRMO_POLL_MINUTES", "3")
    repo = build_definitions(Settings.from_env()).get_repository_def()
    poll = repo.get_sensor_def("registry_poll_sensor")
    assert (poll.minimum_interval_seconds, poll.job_name) == (180, "registry_poll_job")
    assert repo.get_job("registry_poll_job").name == "registry_poll_job"


def test_a_capital_increase_published_between_two_polls_reaches_slack_once(data_env, tmp_path, samples_dir):
    """End to end on loopback: the first poll is the ICP's silent baseline; BODACC then publishes a
    capital increase of a lead, the next poll applies it, re-scores it and posts it to the fake
    Slack; re-running the job (same poll id, then a new one) posts nothing more."""
    icp_dir = tmp_path / "icps"
    icp_dir.mkdir()
    (icp_dir / "poll.yaml").write_text(
        "criteria:\n  decision_makers: []\n  naf: {include: [J, M]}\nmax_leads: 100\n"
        "alerts:\n  - signal_types: [capital_increase, new_decision_maker]\n", encoding="utf-8")
    warehouse = data_env / "w.duckdb"
    with db.connection(warehouse) as con:
        load_reference(con)
        stock(tmp_path, con)
        nightly(con, tmp_path)
    rne, bodacc, sirene = FakeRne(), FakeBodacc(), FakeSirene(KEY)
    bodacc.publish([ods_record("A202610201", AS_OF.isoformat(), "radiation", siren=B)])
    slack: dict = {}
    with rne.server() as r, bodacc.server() as b, sirene.server() as s, LoopbackServer(slack_app(slack)) as hook, \
            mock.patch("assets.poll.datetime") as clock:
        clock.now.return_value.date.return_value = AS_OF

        def poll(poll_id):
            result = registry_poll_job.execute_in_process(
                instance=DagsterInstance.ephemeral(),
                tags={"firmo/poll_id": poll_id},
                run_config={"ops": {"registry_poll": {"config": {"bodacc_export": FakeBodacc.base(b)}}}},
                resources={
                    "warehouse": WarehouseResource(database=str(warehouse)),
                    "paths": PathsResource(data_dir=str(data_env), exports_dir=str(tmp_path / "exports"),
                                           icp_dir=str(icp_dir)),
                    "rne_api": RneApiResource(username="me", password="pw", base_url=r.url),
                    "sirene_api": SireneApiResource(api_key=KEY, base_url=s.url),
                    **NO_ALERT_CHANNELS,
                    "alert_slack": SlackAlertResource(webhook_url=hook.url + SLACK_PATH),
                })
            assert result.success

        poll("p1")  # B struck off: the first evaluation of the ICP, a baseline, sends nothing
        assert slack.get("messages", []) == []
        capital = json.dumps({"personne": {"typePersonne": "pm", "denomination": "ACME",
                                           "numeroImmatriculation": {"numeroIdentification": A},
                                           "capital": {"montantCapital": "50000"}}})
        bodacc.publish([ods_record("A202611011", AS_OF.isoformat(), "modification", siren=A, listepersonnes=capital,
                                   modificationsgenerales=json.dumps({"descriptif": "Augmentation du capital social"}))])
        poll("p2")
        poll("p2")  # the same run again: the cursor is past the notice
        poll("p3")
    assert [m["text"] for m in slack["messages"]] == [f"[firmo] poll: SOCIETE {A}: capital increase"]
    with db.connection(warehouse, read_only=True) as con:
        assert con.execute("SELECT siren, channel, state, attempts FROM alerts.outbox").fetchall() == [
            (A, "slack", "sent", 1)]
        assert con.execute("SELECT poll_id, siren FROM ops.poll_touched WHERE poll_id <> 'p1'").fetchall() == [
            ("p2", A)]
