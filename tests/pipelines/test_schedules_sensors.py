"""Nightly schedule, new-file sensor and the automation that re-derives what changed."""

from __future__ import annotations

import json
import os
from datetime import datetime
from zoneinfo import ZoneInfo

from dagster import DagsterInstance, build_schedule_context, build_sensor_context

from firmo.db import connection as db_connection
from pipelines import sensors
from pipelines.schedules import nightly_schedule

PARIS = ZoneInfo("Europe/Paris")


def schedule_context(when: datetime):
    from pipelines.definitions import build_definitions

    return build_schedule_context(scheduled_execution_time=when, repository_def=build_definitions().get_repository_def())


def test_nightly_asks_for_yesterdays_bodacc_day_and_the_daily_changes(data_env):
    context = schedule_context(datetime(2026, 11, 23, 2, 30, tzinfo=PARIS))
    (request,) = nightly_schedule.evaluate_tick(context).run_requests
    assert (request.partition_key, request.run_key, request.tags["firmo/trigger"]) == (
        "2026-11-22", "nightly:2026-11-22", "nightly")
    assert nightly_schedule.job_name == "nightly"
    assert nightly_schedule.execution_timezone == "Europe/Paris"


def test_nightly_before_the_first_partition_is_skipped(data_env):
    context = schedule_context(datetime(2024, 1, 1, 2, 30, tzinfo=PARIS))
    result = nightly_schedule.evaluate_tick(context)
    assert result.run_requests == [] and "before the first BODACC partition" in result.skip_message


def tick(cursor=None):
    from pipelines.definitions import build_definitions

    defs = build_definitions()  # the daemon gives a sensor the code location's resources
    context = build_sensor_context(cursor=cursor, instance=DagsterInstance.ephemeral(), definitions=defs,
                                   resources=defs.resources)
    return sensors.registry_files_sensor.evaluate_tick(context)


def test_new_monthly_file_triggers_its_reload_once(data_env, tmp_path, monkeypatch):
    files = {name: tmp_path / f"{name}.parquet" for name in ("ul", "et", "ratios")}
    for path in files.values():
        path.write_bytes(b"v1")
    monkeypatch.setattr(sensors, "watched_files", lambda sources: {
        "sirene_unites_legales": (str(files["ul"]), "sirene_reload"),
        "sirene_etablissements": (str(files["et"]), "sirene_reload"),
        "inpi_ratios": (str(files["ratios"]), "inpi_reload"),
    })
    first = tick()
    assert sorted(r.job_name for r in first.run_requests) == ["inpi_reload", "sirene_reload"]
    assert sorted(json.loads(first.cursor)) == ["inpi_ratios", "sirene_etablissements", "sirene_unites_legales"]

    again = tick(first.cursor)
    assert again.run_requests == [] and again.skip_message == "no new registry file"

    files["ratios"].write_bytes(b"version 2")  # a new monthly ratios export
    os.utime(files["ratios"], (1_900_000_000, 1_900_000_000))
    third = tick(first.cursor)
    assert [(r.job_name, r.tags["firmo/trigger"]) for r in third.run_requests] == [("inpi_reload", "new file: inpi_ratios")]


def test_unreachable_source_does_not_crash_the_tick(data_env, monkeypatch):
    monkeypatch.setattr(sensors, "watched_files", lambda sources: {"inpi_ratios": ("https://example.invalid/x.csv", "inpi_reload")})

    def refuse(source):
        raise ConnectionError("no network")

    monkeypatch.setattr(sensors, "stamp_of", refuse)
    result = tick(json.dumps({"inpi_ratios": "old"}))
    assert result.run_requests == [] and result.skip_message == "no new registry file"


def test_every_schedule_and_sensor_is_in_the_code_location(data_env):
    from pipelines.definitions import build_definitions

    repo = build_definitions().get_repository_def()
    assert {s.name for s in repo.schedule_defs} == {"nightly_schedule", "open_data_schedule", "decp_delta_schedule",
                                                    "job_change_recheck_schedule", "crm_contact_recheck_schedule",
                                                    "alert_digest_schedule"}
    assert {"icp_files_sensor", "registry_files_sensor"} <= {s.name for s in repo.sensor_defs}


def test_first_icp_tick_after_a_full_run_launches_nothing(data_env, tmp_path, monkeypatch):
    """`firmo run` builds every ICP list in the instance `make ui` then opens: the sensor's first
    tick (empty cursor) must start from that state, and still run a file edited since."""
    import shutil

    from dagster import instance_for_test, materialize

    from assets.icp import icp_files, icp_files_sensor, icp_leads, prospects

    from assets.partitions import icp_partitions
    from pipelines.definitions import build_definitions
    from firmo.settings import Settings
    from assets.resources import WarehouseResource, resources_from_settings
    from tests.conftest import REPO_ROOT
    from tests.icp.conftest import OFFICERS, REVENUES, SIGNALS, UNIVERSE
    from tests.icp.warehouse import AS_OF, build_warehouse

    folder = tmp_path / "icps"
    folder.mkdir()
    # the shipped ICP files this registry-only warehouse can build (the open-data ones need their tables)
    for name in ("btp_grand_ouest", "pme_croissance", "saas_tech_pme"):
        shutil.copy(REPO_ROOT / "icps" / f"{name}.yaml", folder)
    monkeypatch.setenv("FIRMO_ICP_DIR", str(folder))
    names = sorted(icp_files(folder))
    assert len(names) == 3
    db_file = tmp_path / "wh.duckdb"
    with db_connection(db_file) as con:
        build_warehouse(con, UNIVERSE, signals=SIGNALS, officers=OFFICERS, revenues=REVENUES)

    def icp_tick(instance, cursor):
        # instance_ref, as the daemon gives it (run requests are then checked against the partitions)
        defs = build_definitions()
        with build_sensor_context(cursor=cursor, instance_ref=instance.get_ref(), definitions=defs,
                                  resources=defs.resources) as context:  # closed: its resources hold the instance
            return icp_files_sensor.evaluate_tick(context)

    with instance_for_test() as instance:
        instance.add_dynamic_partitions(icp_partitions.name, names)  # what firmo run does (pipelines.run.plan)
        for name in names:  # ... then one lead list per ICP, in that instance
            assert materialize([prospects, icp_leads], selection=[icp_leads], partition_key=name, instance=instance,
                               resources={**resources_from_settings(Settings.from_env()),
                                          "warehouse": WarehouseResource(database=str(db_file))},
                               run_config={"ops": {"icp_leads": {"config": {"as_of": AS_OF.isoformat()}}}}).success

        first = icp_tick(instance, None)  # make ui: the sensor starts with no cursor
        assert (first.run_requests, first.dynamic_partitions_requests) == ([], [])
        assert sorted(json.loads(first.cursor)) == names

        edited = folder / "pme_croissance.yaml"
        edited.write_text(edited.read_text(encoding="utf-8") + "\n# tweaked\n", encoding="utf-8")
        after_edit = icp_tick(instance, first.cursor)
        assert [r.partition_key for r in after_edit.run_requests] == ["pme_croissance"]
        # the same edit seen by a sensor that starts afresh: the file differs from what was built
        assert [r.partition_key for r in icp_tick(instance, None).run_requests] == ["pme_croissance"]
        assert icp_tick(instance, after_edit.cursor).run_requests == []


def test_open_data_loads_run_on_monday_mornings_and_the_decp_delta_the_other_weekdays_in_paris_time():
    from pipelines.schedules import decp_delta_schedule, open_data_schedule

    assert [(s.job_name, s.cron_schedule, s.execution_timezone) for s in (open_data_schedule, decp_delta_schedule)] == [
        ("open_data_loads", "30 9 * * 1", "Europe/Paris"),
        ("decp_daily_delta", "30 9 * * 2-5", "Europe/Paris"),
    ]


def test_the_alert_digest_and_the_delivery_retries_run_every_morning_in_paris_time():
    from pipelines.schedules import alert_digest_schedule

    assert (alert_digest_schedule.job_name, alert_digest_schedule.cron_schedule,
            alert_digest_schedule.execution_timezone) == ("alert_delivery", "0 8 * * *", "Europe/Paris")


def test_the_job_change_rechecks_run_monthly_one_run_per_icp():
    from pipelines.schedules import crm_recheck_schedule, job_change_recheck_schedule

    assert [(s.job_name, s.cron_schedule) for s in (job_change_recheck_schedule, crm_recheck_schedule)] == [
        ("recheck_icp_contacts", "0 6 2 * *"), ("recheck_crm_contacts", "0 6 2 * *")]
    from dagster import instance_for_test

    with instance_for_test() as instance:
        instance.add_dynamic_partitions("icp", ["saas", "btp"])
        when = datetime(2026, 12, 2, 6, 0, tzinfo=ZoneInfo("Europe/Paris"))
        requests = job_change_recheck_schedule(build_schedule_context(instance=instance, scheduled_execution_time=when))
    assert [(r.run_key, r.partition_key) for r in requests] == [("recheck:btp:2026-12", "btp"),
                                                                ("recheck:saas:2026-12", "saas")]
