"""The demo's geolocation zip: the real format, deterministic, and the load's view of it."""

from __future__ import annotations

import zipfile

import duckdb
import pytest

from firmo import db
from sources.demo.geoloc import CHEF_LIEU, MEMBER, geoloc_lines, lambert93, write_geoloc
from sources.demo.universe import build_universe
from sources.geoloc.load import load_geoloc
from tests.geoloc.test_load import HEADER


@pytest.fixture(scope="module")
def universe():
    return build_universe(300, seed=1)


def test_zip_holds_the_real_member_and_header(universe, tmp_path):
    path = write_geoloc(universe, tmp_path)["csv_zip"]
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == [MEMBER]
        text = zf.read(MEMBER).decode("utf-8")
    assert text.split("\n", 1)[0] == HEADER
    again = write_geoloc(universe, tmp_path / "again")["csv_zip"]
    assert again.read_bytes() == path.read_bytes()  # deterministic


def test_lambert93_of_paris():
    x, y = lambert93(48.8566, 2.3522)
    assert (round(x), round(y)) == (652469, 6862035)


def test_demo_loads_with_its_planted_faults(universe, tmp_path):
    con = duckdb.connect()
    db.ensure_schemas(con)
    report = load_geoloc(con, write_geoloc(universe, tmp_path)["csv_zip"], workdir=tmp_path)
    assert report.rejects_by_reason == {
        "malformed line: wrong number of ';'-separated columns": 1,
        "unparseable coordinates": 1,
        "coordinates outside France": 1,
    }
    lines = geoloc_lines(universe)
    assert report.loaded["core.establishment_locations"] == len(lines) - 3 == 462
    establishments = universe.establishments.height
    assert establishments == 471  # 6 absent from the file (about 1 %)
    stats = con.execute(
        "SELECT count(*) FILTER (WHERE latitude IS NULL), count(*) FILTER (WHERE geocode_quality = '33'), "
        "count(*) FILTER (WHERE precise), count(epci_siren) FROM core.establishment_locations"
    ).fetchall()[0]
    assert stats == (9, 35, 418, 460)
    # every non-diffusible establishment is masked
    private = set(universe.establishments.filter(universe.establishments["statut_diffusion"] == "P")["siret"])
    masked = {
        r[0] for r in con.execute("SELECT siret FROM core.establishment_locations WHERE latitude IS NULL").fetchall()
    }
    assert private & {r[0] for r in con.execute("SELECT siret FROM core.establishment_locations").fetchall()} <= masked
    # points near their département's chef-lieu
    deps = dict(universe.establishments.select("siret", "departement").iter_rows())
    for siret, lat, lon in con.execute(
        "SELECT siret, latitude, longitude FROM core.establishment_locations WHERE latitude IS NOT NULL"
    ).fetchall():
        clat, clon = CHEF_LIEU[deps[siret]]
        assert abs(lat - clat) <= 0.15 and abs(lon - clon) <= 0.21
