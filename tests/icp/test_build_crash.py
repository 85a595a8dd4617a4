"""A build killed (SIGKILL) between the table's commit and the CSV's rename: the next start
rewrites the CSV from the table, so leads.<icp> and data/leads/<icp>.csv agree again."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb

from firmo.icp import build_leads, parse_icp, repair_lead_csvs, resolve
from tests.icp.conftest import OFFICERS, REVENUES, SIGNALS, UNIVERSE
from tests.icp.warehouse import AS_OF, build_warehouse

REPO = Path(__file__).resolve().parents[2]
TECH = {"criteria": {"naf": {"include": ["J"]}}}

# Builds `tech` with max_leads 1 in a child process that SIGKILLs itself when the build renames
# the CSV into place: the table's transaction has committed, the rename never happens.
KILLED_BUILD = textwrap.dedent("""
    import json, os, signal, sys
    from datetime import date
    from pathlib import Path
    import duckdb
    from firmo.icp import build_leads, parse_icp, resolve

    db_file, csv_dir, as_of = sys.argv[1], Path(sys.argv[2]), date.fromisoformat(sys.argv[3])
    real_replace = os.replace
    def replace(src, dst):
        if Path(dst).name == "tech.csv":
            os.kill(os.getpid(), signal.SIGKILL)
        return real_replace(src, dst)
    os.replace = replace
    con = duckdb.connect(db_file)
    build_leads(con, resolve(parse_icp(json.loads(sys.argv[4]), default_name="tech")), as_of=as_of, csv_dir=csv_dir)
""")


def _csv_sirens(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return [row["siren"] for row in csv.DictReader(handle)]


def test_kill_between_commit_and_rename_is_repaired_at_next_start(tmp_path):
    db_file, csv_dir = tmp_path / "wh.duckdb", tmp_path / "leads"
    con = duckdb.connect(str(db_file))
    build_warehouse(con, UNIVERSE, signals=SIGNALS, officers=OFFICERS, revenues=REVENUES)
    build_leads(con, resolve(parse_icp(TECH, default_name="tech")), as_of=AS_OF, csv_dir=csv_dir)
    assert _csv_sirens(csv_dir / "tech.csv") == ["000000001", "000000002", "000000008"]
    con.close()

    child = subprocess.run(
        [sys.executable, "-c", KILLED_BUILD, str(db_file), str(csv_dir), AS_OF.isoformat(),
         json.dumps({**TECH, "max_leads": 1})],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=300)
    assert child.returncode == -9, child.stderr

    con = duckdb.connect(str(db_file))
    # the defect: the committed table is the new one-lead list, the CSV still the old three leads
    assert con.execute("SELECT siren FROM leads.tech ORDER BY rank").fetchall() == [("000000001",)]
    assert _csv_sirens(csv_dir / "tech.csv") == ["000000001", "000000002", "000000008"]
    assert len(list(csv_dir.glob(".tech.csv.*.tmp"))) == 1  # the written, never renamed CSV

    assert repair_lead_csvs(con) == ["tech"]  # what every build (CLI or asset) does first
    assert _csv_sirens(csv_dir / "tech.csv") == ["000000001"]
    assert sorted(p.name for p in csv_dir.iterdir()) == ["tech.csv"]
    rows, size = con.execute("SELECT rows, csv_bytes FROM core.lead_list_builds WHERE icp = 'tech'").fetchall()[0]
    assert (rows, size) == (1, (csv_dir / "tech.csv").stat().st_size)
    assert repair_lead_csvs(con) == []  # agreeing again: nothing to do


def test_a_build_repairs_another_icps_csv_first(tmp_path, universe):
    csv_dir = tmp_path / "leads"
    build_leads(universe, resolve(parse_icp(TECH, default_name="tech")), as_of=AS_OF, csv_dir=csv_dir)
    (csv_dir / "tech.csv").write_text("siren\n999999999\n", encoding="utf-8")  # edited or half-restored
    build_leads(universe, resolve(parse_icp({"criteria": {}}, default_name="all")), as_of=AS_OF, csv_dir=csv_dir)
    assert _csv_sirens(csv_dir / "tech.csv") == ["000000001", "000000002", "000000008"]
    (csv_dir / "tech.csv").unlink()
    assert repair_lead_csvs(universe) == ["tech"]
    assert _csv_sirens(csv_dir / "tech.csv") == ["000000001", "000000002", "000000008"]
