"""Dagster: the ICP partition sensor and a materialization of icp_leads for one partition."""

from __future__ import annotations

import json

import duckdb
import pytest
from dagster import DagsterInstance, Definitions, build_sensor_context, instance_for_test, materialize

from assets.icp import icp_files, icp_files_sensor, icp_leads, prospects

from assets.partitions import icp_partitions
from firmo.settings import Settings
from assets.resources import WarehouseResource, resources_from_settings
from tests.icp.conftest import OFFICERS, REVENUES, SIGNALS, UNIVERSE
from tests.icp.warehouse import AS_OF, build_warehouse


@pytest.fixture()
def icp_folder(tmp_path, monkeypatch):
    folder = tmp_path / "icps"
    folder.mkdir()
    monkeypatch.setenv("FIRMO_ICP_DIR", str(folder))
    return folder


def tick(instance: DagsterInstance, cursor: str | None = None):
    resources = {**resources_from_settings(Settings.from_env()), "warehouse": WarehouseResource(database=":memory:")}
    definitions = Definitions(assets=[prospects, icp_leads], sensors=[icp_files_sensor], resources=resources)
    # instance_ref, as the daemon gives it: Dagster then checks run requests against the partitions
    # that exist once this tick's add/delete requests are applied
    with build_sensor_context(instance_ref=instance.get_ref(), cursor=cursor, definitions=definitions,
                              resources=resources) as context:
        result = icp_files_sensor.evaluate_tick(context)
    for request in result.dynamic_partitions_requests or []:  # what the daemon would do
        if type(request).__name__ == "AddDynamicPartitionsRequest":
            instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
        else:
            for key in request.partition_keys:
                instance.delete_dynamic_partition(request.partitions_def_name, key)
    return result


def test_sensor_adds_runs_and_removes_partitions_as_files_come_and_go(icp_folder):
    with instance_for_test() as instance:
        result = tick(instance)
        assert (result.run_requests, result.dynamic_partitions_requests) == ([], [])
        (icp_folder / "saas.yaml").write_text("criteria: {}\nmax_leads: 10\n")
        (icp_folder / "btp.yml").write_text("criteria: {}\nmax_leads: 20\n")
        (icp_folder / "Bad Name.yaml").write_text("max_leads: 20\n")
        (icp_folder / "notes.txt").write_text("not an ICP")
        result = tick(instance, result.cursor)
        assert sorted(r.partition_key for r in result.run_requests) == ["btp", "saas"]
        assert sorted(instance.get_dynamic_partitions("icp")) == ["btp", "saas"]
        cursor = result.cursor
        assert sorted(json.loads(cursor)) == ["btp", "saas"]

        result = tick(instance, cursor)  # nothing changed: no run, no partition request
        assert (result.run_requests, result.dynamic_partitions_requests) == ([], [])

        (icp_folder / "saas.yaml").write_text("criteria: {}\nmax_leads: 11\n")
        (icp_folder / "btp.yml").unlink()
        result = tick(instance, result.cursor)
        assert [r.partition_key for r in result.run_requests] == ["saas"]
        assert result.run_requests[0].run_key.startswith("saas:")
        assert instance.get_dynamic_partitions("icp") == ["saas"]


def test_icp_files_lists_usable_names(icp_folder):
    (icp_folder / "a_1.yaml").write_text("")
    (icp_folder / "2b.yaml").write_text("")
    (icp_folder / "c.YAML.bak").write_text("")
    assert list(icp_files(icp_folder)) == ["a_1"]


def test_materialize_icp_leads_for_one_partition(icp_folder, tmp_path, data_env):
    db_file = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(db_file))
    build_warehouse(con, UNIVERSE, signals=SIGNALS, officers=OFFICERS, revenues=REVENUES)
    con.close()
    (icp_folder / "tech.yaml").write_text("criteria:\n  naf: {include: [J]}\n", encoding="utf-8")
    with instance_for_test() as instance:
        instance.add_dynamic_partitions(icp_partitions.name, ["tech"])
        result = materialize(
            [prospects, icp_leads], partition_key="tech", instance=instance,
            resources={**resources_from_settings(Settings.from_env()), "warehouse": WarehouseResource(database=str(db_file))},
            run_config={"ops": {"icp_leads": {"config": {"as_of": AS_OF.isoformat()}}}},
            selection=[icp_leads],
        )
        assert result.success
        meta = result.asset_materializations_for_node("icp_leads")[0].metadata
        assert (meta["dagster/row_count"].value, meta["hot"].value, meta["warm"].value, meta["cold"].value) == (3, 0, 1, 2)
        assert "Île-de-France" in meta["selected per région"].value
    con = duckdb.connect(str(db_file), read_only=True)
    assert con.execute("SELECT siren FROM leads.tech ORDER BY rank").fetchall() == [
        ("000000001",), ("000000002",), ("000000008",)]
    con.close()
    assert (data_env / "leads" / "tech.csv").is_file()


def test_sensor_skips_a_bad_file_with_its_reason_and_runs_the_others(icp_folder):
    from tests.icp.test_icp_files import ANCHOR_ERROR, billion_laughs

    with instance_for_test() as instance:
        (icp_folder / "saas.yaml").write_text("criteria: {naf: {include: [J]}}\n")
        (icp_folder / "btp.yaml").write_text("criteria: {naf: {include: [F]}}\n")
        (icp_folder / "laughs.yaml").write_text(billion_laughs())
        result = tick(instance)
        assert sorted(r.partition_key for r in result.run_requests) == ["btp", "saas"]
        assert {r.tags["firmo/skipped_icp_files"] for r in result.run_requests} == {"laughs.yaml"}
        assert result.skip_message is None
        assert sorted(instance.get_dynamic_partitions("icp")) == ["btp", "saas"]  # no partition for it
        assert sorted(json.loads(result.cursor)) == ["btp", "saas"]

        (icp_folder / "empty.yaml").write_text("")
        result = tick(instance, result.cursor)  # nothing new to run: the tick says why it skipped
        assert result.run_requests == []
        assert result.skip_message == (
            "skipped ICP files: empty.yaml: the file is empty; an ICP file says what it selects (write "
            f"`criteria: {{}}` to select every company); laughs.yaml: {ANCHOR_ERROR}")

        (icp_folder / "laughs.yaml").write_text("criteria: {regions: [Bretagne]}\n")  # fixed: it runs
        (icp_folder / "empty.yaml").unlink()
        result = tick(instance, result.cursor)
        assert [(r.partition_key, "firmo/skipped_icp_files" in r.tags) for r in result.run_requests] == [
            ("laughs", False)]
        assert sorted(instance.get_dynamic_partitions("icp")) == ["btp", "laughs", "saas"]

        (icp_folder / "saas.yaml").write_text("criteria: {naf: {include: [J9]}}\n")  # broken after a good run
        result = tick(instance, result.cursor)
        assert result.run_requests == [] and "saas.yaml: criteria.naf.include: 'J9' is not a NAF" in \
            result.skip_message
        assert sorted(instance.get_dynamic_partitions("icp")) == ["btp", "laughs", "saas"]  # its list stays
