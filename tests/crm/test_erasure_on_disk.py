"""`firmo forget` and `firmo purge` reach the disk: after them, neither the working DuckDB file nor
the analysts' snapshot (`firmo_read.duckdb`) holds the erased bytes, free blocks included."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone

import duckdb
import pytest
from typer.testing import CliRunner

from firmo import db
from firmo.analytics import READ_LINK, publish_snapshot
from firmo.compliance.compaction import CompactionError, compact_database
from pipelines.cli import app

EMAIL = b"jeanne.martin@acme.fr"
runner = CliRunner()


@pytest.fixture()
def working(data_env):
    """The working file as a run leaves it (an enriched list, the cache, provenance), with two
    snapshots published, as two runs would."""
    path = data_env / "firmo.duckdb"
    with db.connection(path) as con:
        con.execute("""CREATE TABLE leads.demo_enriched AS SELECT * FROM (VALUES
            ('demo', 1, '443061841', 'ACME', 'Jeanne', 'Martin', 'Présidente', 'hot', 80, 'acme.fr',
             'jeanne.martin@acme.fr', 'valid', 'hunter', DATE '2026-11-02', '+33612345678', 'mobile', 'lusha',
             DATE '2026-11-02'),
            ('demo', 2, '880878145', 'GANYMEDE', 'Paul', 'Durand', 'Gérant', 'warm', 60, 'ganymede.fr',
             'paul.durand@ganymede.fr', 'valid', 'hunter', DATE '2022-01-02', NULL, NULL, NULL, NULL)
        ) t(icp, rank, siren, company_name, first_name, last_name, job_title, tier, score, website_domain, email,
            email_status, email_source, email_found_at, phone, phone_type, phone_source, phone_found_at)""")
        con.execute("""CREATE TABLE waterfall.cache AS SELECT * FROM (VALUES
            ('jeanne.martin@acme.fr', 'hunter', TIMESTAMP '2026-11-02 08:00:00')) t(email, provider, fetched_at)""")
        con.execute("""CREATE TABLE waterfall.provenance AS SELECT * FROM (VALUES
            ('443061841', 'jeanne.martin@acme.fr', 'email', 'hunter', TIMESTAMP '2026-11-02 08:00:00')
        ) t(siren, email, field, provider, asked_at)""")
        con.execute("CREATE TABLE core.companies AS SELECT '443061841' AS siren, 'ACME' AS name, 'O' AS diffusion_status,"
                    " true AS diffusible")
        con.execute("CREATE MACRO core.plus_one(x) AS x + 1")
    for second in (1, 2):
        publish_snapshot(path, now=datetime(2026, 11, 23, 3, 0, second, tzinfo=timezone.utc))
    return path


def _bytes(path) -> bytes:
    return path.read_bytes()  # through the symlink for firmo_read.duckdb


def test_forget_leaves_the_email_in_neither_the_working_file_nor_the_snapshot(working, data_env):
    link, snapshots = data_env / READ_LINK, data_env / "snapshots"
    # the defect, reproduced: both files hold the address, and deleting the rows alone keeps it
    assert EMAIL in _bytes(working) and EMAIL in _bytes(link)
    with db.connection(working) as con:
        con.execute("DELETE FROM waterfall.cache")
    assert EMAIL in _bytes(working)  # a DELETE only frees the block

    result = runner.invoke(app, ["forget", "Jeanne.Martin@ACME.fr"])
    assert result.exit_code == 0, result.output
    assert "working file compacted" in result.output
    assert "analysts' snapshot republished" in result.output

    assert _bytes(working).count(EMAIL) == 0
    assert _bytes(link).count(EMAIL) == 0
    assert [p.name for p in snapshots.iterdir()] == [link.resolve().name]  # older copies deleted
    with duckdb.connect(str(link), read_only=True) as con:
        assert con.execute("SELECT siren, email FROM analytics.enriched_contacts").fetchall() == [
            ("880878145", "paul.durand@ganymede.fr")]
    with db.connection(working, read_only=True) as con:  # the rest is intact, macros included
        assert con.execute("SELECT core.plus_one(41), count(*) FROM core.companies").fetchall() == [(42, 1)]
        assert con.execute("SELECT count(*) FROM exports.suppression").fetchall() == [(1,)]


def test_purge_compacts_too(working, data_env):
    paul = b"paul.durand@ganymede.fr"
    assert paul in _bytes(working) and paul in _bytes(data_env / READ_LINK)
    result = runner.invoke(app, ["purge"])  # Paul's email was found in 2022: past the 3 years
    assert result.exit_code == 0, result.output
    assert _bytes(working).count(paul) == 0 and _bytes(data_env / READ_LINK).count(paul) == 0
    assert EMAIL in _bytes(working)  # Jeanne's is recent: kept


def test_compaction_refuses_while_another_process_holds_the_file(working):
    before = _bytes(working)
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); sys.stdin.read()", str(working)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "open\n"
        with pytest.raises(CompactionError, match="is open in another process"):
            compact_database(working)
    finally:
        holder.communicate("", timeout=60)
    assert _bytes(working) == before
    assert sorted(p.name for p in working.parent.iterdir() if p.name.startswith(".")) == []
