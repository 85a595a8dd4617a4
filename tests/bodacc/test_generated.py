"""The generator's BODACC files (DILA .taz backfill + monthly ODS JSON) through the loader."""

from __future__ import annotations

import datetime as dt

import pytest

from sources.demo.bodacc import write_bodacc
from sources.demo.universe import build_universe
from sources.bodacc.load import load_bodacc


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    from firmo import db

    tmp = tmp_path_factory.mktemp("gen_bodacc")
    universe = build_universe(1500, seed=3, as_of=dt.date(2026, 11, 1))
    files = write_bodacc(universe, tmp / "bodacc")
    con = db.connect(tmp / "w.duckdb")
    report = load_bodacc(con, sorted(files.values()))
    yield con, report, files, universe
    con.close()


def q(con, sql):
    return con.execute(sql).fetchall()


def test_both_shapes_are_written_and_read(loaded):
    con, report, files, _ = loaded
    assert {p.suffix for p in files.values()} == {".taz", ".json"}
    assert q(con, "SELECT source, count(*) > 0 FROM bodacc.notices GROUP BY 1 ORDER BY 1") == [("dila", True), ("ods", True)]
    assert report.loaded["bodacc.notices"] == q(con, "SELECT count(*) FROM bodacc.notices")[0][0]


def test_only_the_dateless_notice_is_quarantined(loaded):
    con, report, _, _ = loaded
    assert report.rejected == {"bodacc.notices": 1}
    assert q(con, "SELECT reason FROM bodacc.rejects") == [("no usable publication date (missing)",)]


def test_every_correction_is_resolved(loaded):
    con, *_ = loaded
    by_type = dict(q(con, "SELECT notice_type, count(*) FROM bodacc.notices GROUP BY 1"))
    by_status = dict(q(con, "SELECT status, count(*) FROM bodacc.notices GROUP BY 1"))
    assert by_type["rectificatif"] > 0 and by_type["annulation"] > 0
    assert by_status["rectified"] == by_type["rectificatif"]
    assert by_status["annulled"] == by_status["annulation"] == by_type["annulation"]
    # every correction points to a notice that is in the table
    assert q(con, "SELECT count(*) FROM bodacc.notices c WHERE previous_notice_id IS NOT NULL AND NOT EXISTS "
                  "(SELECT 1 FROM bodacc.notices n WHERE n.id = c.previous_notice_id)") == [(0,)]


def test_quirks_are_repaired_with_reasons(loaded):
    con, *_ = loaded
    assert q(con, "SELECT count(*), min(tribunal) FROM bodacc.notices "
                  "WHERE list_contains(repairs, 'mojibake repaired in tribunal')") == [
        (3, "Greffe du Tribunal de Commerce de Évry")]
    assert q(con, "SELECT family, judgment_date FROM bodacc.notices "
                  "WHERE list_contains(repairs, 'absurd date in jugement.date: 0009-12-02')") == [("collective", None)]


def test_every_family_and_only_known_companies(loaded):
    con, _, _, universe = loaded
    assert {f for (f,) in q(con, "SELECT DISTINCT family FROM bodacc.notices")} == {
        "creation", "vente", "modification", "radiation", "collective"}
    known = set(universe.units["siren"].to_list())
    named = {s for (s,) in q(con, "SELECT DISTINCT unnest(sirens || seller_sirens) FROM bodacc.notices")}
    assert named and named <= known
