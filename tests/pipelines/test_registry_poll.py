"""The near-real-time intake through Dagster: the sensor asks for one poll per FIRMO_POLL_MINUTES
slot; the job reads the stand-in RNE, BODACC and API Sirene (loopback), applies what they
published since the last poll and re-scores the SIRENs touched in the ICP's leads table."""

from __future__ import annotations

import copy
import json
from unittest import mock

from dagster import DagsterInstance, build_sensor_context

from assets.poll import registry_poll_job
from assets.resources import PathsResource, RneApiResource, SireneApiResource, WarehouseResource
from firmo import db
from pipelines import sensors
from sources.bodacc.fake import FakeBodacc
from sources.inpi.fake import FakeRne
from sources.sirene.fake import FakeSirene
from tests.bodacc.conftest import ods_record
from tests.icp.test_incremental_poll import AS_OF, B, RNE_1, RNE_2, nightly, stock
from tests.sirene_api.sirene_api_payloads import UL_016750697
from firmo.reference import load_reference

KEY = "insee-k3y-never-logged"


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
