"""The workspace keeps a read-only connection on the published snapshot between requests
(firmo.workspace.snapshot._Warm), so DuckDB's buffer pool stays warm, follows the read link when a
run publishes a new copy, and never holds the working file: a run in another process can always
open it for writing."""

from __future__ import annotations

import subprocess
import sys

import duckdb

from firmo.workspace.snapshot import READ_LINK, Reader
from tests.workspace.conftest import settings_for


def _warehouse(path, value: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t AS SELECT ? AS v", [value])


def _publish(data, name: str) -> None:
    link = data / READ_LINK
    link.unlink(missing_ok=True)
    link.symlink_to(f"snapshots/{name}")


def _a_run_can_write(path) -> bool:
    """Another process opens `path` read-write (what a run does), as DuckDB refuses while a
    process holds it open."""
    script = f"import duckdb; duckdb.connect({str(path)!r}).execute('CREATE TABLE IF NOT EXISTS w (x INT)')"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120).returncode == 0


def _read(reader: Reader) -> int:
    with reader.read() as con:
        return con.execute("SELECT v FROM t").fetchall()[0][0]


def test_the_snapshot_stays_open_between_requests_and_follows_the_link(tmp_path):
    data = tmp_path / "data"
    (data / "snapshots").mkdir(parents=True)
    _warehouse(data / "firmo.duckdb", 0)
    _warehouse(data / "snapshots" / "firmo-20250601T000000Z.duckdb", 1)
    _warehouse(data / "snapshots" / "firmo-20250701T000000Z.duckdb", 2)
    _publish(data, "firmo-20250601T000000Z.duckdb")
    reader = Reader.from_settings(settings_for(tmp_path))

    assert [_read(reader), _read(reader)] == [1, 1]
    held = reader.warm.con
    assert reader.warm.key is not None
    assert reader.warm.key[0] == str(data / "snapshots" / "firmo-20250601T000000Z.duckdb")
    assert held is not None and held.execute("SELECT v FROM t").fetchall() == [(1,)]
    assert _a_run_can_write(data / "firmo.duckdb")  # the working file is free while the snapshot is held

    _publish(data, "firmo-20250701T000000Z.duckdb")  # a run published a new copy
    assert _read(reader) == 2
    assert reader.warm.key[0] == str(data / "snapshots" / "firmo-20250701T000000Z.duckdb")
    assert reader.warm.con is not held
    assert _a_run_can_write(data / "snapshots" / "firmo-20250601T000000Z.duckdb")  # the old copy let go


def test_without_a_published_snapshot_nothing_is_held(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    _warehouse(data / "firmo.duckdb", 7)
    reader = Reader.from_settings(settings_for(tmp_path))
    assert _read(reader) == 7
    assert (reader.warm.key, reader.warm.con) == (None, None)
    assert _a_run_can_write(data / "firmo.duckdb")
