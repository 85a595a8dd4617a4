"""Analysts read a consistent snapshot while runs write the working file."""

from __future__ import annotations

import os
from datetime import datetime, timezone

import duckdb
import pytest

from firmo import db
from firmo.analytics import READ_LINK, create_views, publish_snapshot


@pytest.fixture()
def working(tmp_path):
    path = tmp_path / "firmo.duckdb"
    with db.connection(path) as con:
        con.execute("""CREATE TABLE core.companies AS SELECT * FROM (VALUES
            ('443061841', 'ACME', 'O', true), ('552100554', 'SECRET', 'P', false)) t(siren, name, diffusion_status, diffusible)""")
        con.execute("CREATE TABLE core.signals AS SELECT * FROM (VALUES ('443061841', 'hiring'), ('552100554', 'hiring')) t(siren, signal_type)")
        con.execute("CREATE TABLE leads.saas AS SELECT 'saas' AS icp, 1 AS rank, '443061841' AS siren")
        con.execute("CREATE TABLE leads.btp AS SELECT 'btp' AS icp, 1 AS rank, '443061841' AS siren, 'hot' AS tier")
    return path


def at(second: int) -> datetime:
    return datetime(2026, 11, 23, 3, 0, second, tzinfo=timezone.utc)


def test_views_leave_out_non_diffusible_units_and_union_every_lead_list(working):
    with db.connection(working) as con:
        assert create_views(con) == ["companies", "signals", "leads"]
        assert con.execute("SELECT * FROM analytics.companies").fetchall() == [("443061841", "ACME")]
        assert con.execute("SELECT siren FROM analytics.signals").fetchall() == [("443061841",)]
        assert con.execute("SELECT icp, tier FROM analytics.leads ORDER BY icp").fetchall() == [("btp", "hot"), ("saas", None)]


def test_a_reader_keeps_its_snapshot_while_the_next_one_is_published(working, tmp_path):
    first = publish_snapshot(working, dest=tmp_path / "snaps", now=at(1))
    link = tmp_path / READ_LINK
    assert first.link == link and os.readlink(link) == "snaps/firmo-20261123T030001000000Z.duckdb"
    reader = duckdb.connect(str(link), read_only=True)
    assert reader.execute("SELECT count(*) FROM analytics.companies").fetchall() == [(1,)]

    with db.connection(working) as con:  # the next run writes the working file meanwhile
        con.execute("INSERT INTO core.companies VALUES ('880878145', 'GANYMEDE', 'O', true)")
    publish_snapshot(working, dest=tmp_path / "snaps", now=at(2))
    publish_snapshot(working, dest=tmp_path / "snaps", now=at(3))  # prunes the first snapshot

    assert sorted(p.name for p in (tmp_path / "snaps").iterdir()) == [
        "firmo-20261123T030002000000Z.duckdb", "firmo-20261123T030003000000Z.duckdb"]
    # the open reader still sees its consistent (deleted) snapshot; a new reader sees the new data
    assert reader.execute("SELECT count(*) FROM analytics.companies").fetchall() == [(1,)]
    reader.close()
    with duckdb.connect(str(link), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM analytics.companies").fetchall() == [(2,)]


def test_snapshot_is_readable_while_the_working_file_is_held_by_a_writer(working, tmp_path):
    publish_snapshot(working, dest=tmp_path / "snaps", now=at(1))
    writer = duckdb.connect(str(working))  # a run holds the working file for writing
    try:
        writer.execute("CREATE TABLE core.scratch AS SELECT 1 AS x")
        with duckdb.connect(str(tmp_path / READ_LINK), read_only=True) as analyst:
            assert analyst.execute("SELECT name FROM analytics.companies").fetchall() == [("ACME",)]
    finally:
        writer.close()
