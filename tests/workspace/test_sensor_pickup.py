"""An ICP saved from the workspace's builder ("Save": POST /api/icps/{name}?write=true writes
icps/<name>.yaml) is picked up by the Dagster sensor that watches the ICP folder
(assets.icp.icp_files_sensor, in the code location through pipelines.sensors.all_sensors): the
next tick adds its partition and requests its lead list, keyed by the saved file's content."""

from __future__ import annotations

import contextlib
import hashlib
import json

from dagster import AssetKey, build_sensor_context, instance_for_test
from starlette.testclient import TestClient

from pipelines.workspace_app import create_app
from tests.icp.warehouse import AS_OF
from tests.workspace.conftest import TECH, settings_for


def test_an_icp_saved_in_the_workspace_is_added_and_run_by_the_icp_sensor(warehouse, data_env, tmp_path, monkeypatch):
    with contextlib.ExitStack() as stack:
        _saved_then_ticked(stack, warehouse, tmp_path, monkeypatch)


def _saved_then_ticked(stack, warehouse, tmp_path, monkeypatch):
    from assets.icp import icp_files_sensor
    from assets.partitions import icp_partitions
    from pipelines.definitions import build_definitions
    from pipelines.sensors import all_sensors

    assert icp_files_sensor in all_sensors()
    folder = tmp_path / "icps"
    folder.mkdir()
    (folder / "tech.yaml").write_text(TECH)  # the ICP already built
    monkeypatch.setenv("FIRMO_ICP_DIR", str(folder))  # the code location's paths resource: the same folder
    instance = stack.enter_context(instance_for_test())
    instance.add_dynamic_partitions(icp_partitions.name, ["tech"])

    def tick(cursor):
        # as the daemon runs it: the code location's resources, an instance_ref (the run requests
        # are then checked against the partitions)
        defs = build_definitions()
        with build_sensor_context(
            cursor=cursor, instance_ref=instance.get_ref(), definitions=defs, resources=defs.resources
        ) as ctx:
            return icp_files_sensor.evaluate_tick(ctx)

    tech = hashlib.sha256(TECH.encode()).hexdigest()[:16]
    before = tick(json.dumps({"tech": tech}))  # the sensor has seen tech.yaml: nothing to do
    assert (before.run_requests, before.dynamic_partitions_requests) == ([], [])

    body = {"criteria": {"naf": {"include": ["62"]}, "headcount": {"min": 10}}}
    settings = settings_for(warehouse, FIRMO_ICP_DIR=str(folder))
    with TestClient(create_app(settings, as_of=AS_OF)) as c:
        saved = c.post("/api/icps/saas_lyon?write=true", json=body).json()
    assert (saved["file"], saved["written"]) == ("saas_lyon.yaml", True)
    text = "criteria:\n  naf:\n    include: ['62']\n  headcount: {min: 10}\n"
    assert (folder / "saas_lyon.yaml").read_text() == text
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]

    after = tick(before.cursor)
    [run] = after.run_requests
    assert (run.partition_key, run.run_key, run.asset_selection) == ("saas_lyon", f"saas_lyon:{digest}",
                                                                     [AssetKey("icp_leads")])
    assert run.tags == {"dagster/partition": "saas_lyon", "dagster/sensor_name": "icp_files_sensor"}
    [added] = after.dynamic_partitions_requests
    assert (added.partitions_def_name, added.partition_keys) == ("icp", ["saas_lyon"])
    assert json.loads(after.cursor) == {"saas_lyon": digest, "tech": tech}
    # the daemon applies the request; the next tick has nothing left to do
    instance.add_dynamic_partitions(icp_partitions.name, added.partition_keys)
    again = tick(after.cursor)
    assert (again.run_requests, again.dynamic_partitions_requests) == ([], [])
