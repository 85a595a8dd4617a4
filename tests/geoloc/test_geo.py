"""firmo.geo: grid cells, the cells of a circle, haversine (Python and SQL), radius search."""

from __future__ import annotations

import math
import random

import duckdb
import pytest

from firmo import db, geo

PARIS = (48.8566, 2.3522)
VERSAILLES = (48.8049, 2.1204)


def test_grid_cell_exact_values():
    # row floor(138.8566 / 0.1) = 1388, column floor(182.3522 / 0.1) = 1823
    assert geo.grid_cell(*PARIS) == 1388 * 3600 + 1823 == 4998623
    # La Réunion: row floor(69.118 / 0.1) = 691, column floor(235.45 / 0.1) = 2354
    assert geo.grid_cell(-20.882, 55.45) == 691 * 3600 + 2354 == 2489954
    assert geo.grid_cell(-90, -180) == 0
    assert geo.grid_cell(0.0, 0.0) == 900 * 3600 + 1800


def test_sql_macros_agree_with_python():
    con = duckdb.connect()
    geo.create_macros(con)
    points = [PARIS, VERSAILLES, (-20.882, 55.45), (16.0, -61.73), (-13.28, -176.17), (0.05, -0.05), (41.9999, 9.4)]
    for lat, lon in points:
        cell, dist = con.execute(
            "SELECT firmo_grid_cell(?, ?), haversine_km(?, ?, 48.8566, 2.3522)", [lat, lon, lat, lon]
        ).fetchall()[0]
        assert cell == geo.grid_cell(lat, lon)
        assert dist == pytest.approx(geo.haversine_km(lat, lon, *PARIS), rel=1e-12, abs=1e-9)
    assert con.execute("SELECT firmo_grid_cell(NULL, 2.0)").fetchall() == [(None,)]


def test_haversine_known_distances():
    assert round(geo.haversine_km(*PARIS, *VERSAILLES), 3) == 17.915
    assert round(geo.haversine_km(*PARIS, 45.7640, 4.8357), 1) == 391.5  # Lyon
    assert geo.haversine_km(*PARIS, *PARIS) == 0.0
    # a quarter of a meridian: pi/2 x R
    assert geo.haversine_km(0, 0, 90, 0) == pytest.approx(math.pi / 2 * geo.EARTH_RADIUS_KM)


def test_cells_within_ten_km_of_paris():
    # 10 km = 0.0899 deg of latitude and 0.1368 deg of longitude at 48.86 N: rows 1387-1389, columns 1822-1824
    assert geo.cells_within(*PARIS, 10) == [
        4995022, 4995023, 4995024,
        4998622, 4998623, 4998624,
        5002222, 5002223, 5002224,
    ]  # fmt: skip
    assert geo.cell_ranges(*PARIS, 10) == [(4995022, 4995024), (4998622, 4998624), (5002222, 5002224)]
    assert geo.cells_within(*PARIS, 0) == [geo.grid_cell(*PARIS)]


def test_cells_widen_with_latitude():
    """The longitude half-width is asin(sin(d) / cos(lat)): a little over twice the degrees at 60 N as at the equator."""
    _, _, west0, east0 = geo.bounding_box(0.05, 10.05, 50)
    _, _, west60, east60 = geo.bounding_box(60.05, 10.05, 50)
    assert round(east0 - west0, 4) == 0.8993
    assert round(east60 - west60, 4) == 1.8014  # 0.8993 / cos(60.05°), a hair more: asin
    assert len(geo.cell_ranges(60.05, 10.05, 50)) == 9  # 59.6003-60.4997: rows 1496-1504
    first, last = geo.cell_ranges(60.05, 10.05, 50)[0]
    assert last - first + 1 == 19  # columns 1891-1909


def test_a_circle_over_the_pole_takes_every_longitude():
    ranges = geo.cell_ranges(89.95, 10.0, 20)
    assert ranges[-1] == (1799 * 3600, 1799 * 3600 + 3599)
    assert all(last - first == 3599 for first, last in ranges)
    assert len(ranges) == 3  # 89.77..90: rows 1797, 1798, 1799


def test_longitudes_are_clipped_not_wrapped_at_the_antimeridian():
    first, last = geo.cell_ranges(-13.28, -179.98, 10)[0]
    assert first % 3600 == 0  # clipped at -180
    assert last % 3600 == 1  # -179.89 -> column 1


def test_every_point_within_the_radius_falls_in_the_cells():
    rng = random.Random(7)
    for _ in range(300):
        lat, lon, radius = rng.uniform(-70, 70), rng.uniform(-170, 170), rng.choice([0.5, 3, 10, 30, 50, 120])
        cells = set(geo.cells_within(lat, lon, radius))
        for _ in range(20):
            # a random point, kept when it is within the radius
            plat, plon = lat + rng.uniform(-2, 2), lon + rng.uniform(-4, 4)
            if -90 < plat < 90 and geo.haversine_km(lat, lon, plat, plon) <= radius:
                assert geo.grid_cell(plat, plon) in cells, (lat, lon, radius, plat, plon)


def test_bad_points_are_refused():
    with pytest.raises(ValueError, match="not a WGS84 point"):
        geo.cells_within(91, 0, 10)
    with pytest.raises(ValueError, match="radius >= 0"):
        geo.cells_within(48, 2, -1)


# --------------------------------------------------------------------------- radius search

# (siret, lat, lon, precise, active)
TOWNS = {
    "paris": ("00000000000001", 48.8566, 2.3522, True, True),
    "saint_denis": ("00000000000002", 48.9362, 2.3574, True, True),
    "versailles": ("00000000000003", 48.8049, 2.1204, True, True),
    "melun": ("00000000000004", 48.5421, 2.6554, True, True),
    "lyon": ("00000000000005", 45.7640, 4.8357, True, True),
    "paris_closed": ("00000000000006", 48.8600, 2.3400, True, False),
    "paris_random": ("00000000000007", 48.8570, 2.3500, False, True),  # qualite_xy 33
    "paris_unknown": ("00000000000008", 48.8580, 2.3510, True, None),  # SIRENE not loaded for it
    "masked": ("00000000000009", None, None, False, True),  # [ND]
}


@pytest.fixture
def located() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    db.ensure_schemas(con)
    geo.create_macros(con)
    con.execute(
        "CREATE TABLE core.establishment_locations (siret VARCHAR, siren VARCHAR, latitude DOUBLE, longitude DOUBLE, "
        "geocode_quality VARCHAR, precise BOOLEAN, precision_m DOUBLE, commune_code VARCHAR, epci_siren VARCHAR, "
        "active BOOLEAN, grid_cell INTEGER)"
    )
    for siret, lat, lon, precise, active in TOWNS.values():
        con.execute(
            "INSERT INTO core.establishment_locations VALUES (?, ?, ?, ?, NULL, ?, NULL, NULL, NULL, ?, "
            "firmo_grid_cell(?, ?))",
            [siret, siret[:9], lat, lon, precise, active, lat, lon],
        )
    return con


def _sirets(rows):
    return [siret for _, siret, _ in rows]


def test_establishments_near_exact_sets(located):
    s = {name: spec[0] for name, spec in TOWNS.items()}
    near10 = geo.establishments_near(located, *PARIS, 10)
    assert _sirets(near10) == [s["paris"], s["saint_denis"]]
    assert near10[0] == ("000000000", s["paris"], 0.0)
    assert round(near10[1][2], 2) == 8.86
    assert _sirets(geo.establishments_near(located, *PARIS, 20)) == [s["paris"], s["saint_denis"], s["versailles"]]
    near50 = geo.establishments_near(located, *PARIS, 50)
    assert _sirets(near50) == [s["paris"], s["saint_denis"], s["versailles"], s["melun"]]
    assert [round(d, 3) for _, _, d in near50] == [
        0.0,
        round(geo.haversine_km(*PARIS, 48.9362, 2.3574), 3),
        17.915,
        round(geo.haversine_km(*PARIS, 48.5421, 2.6554), 3),
    ]
    # closed establishments count only when asked; imprecise (33) and masked ones never; unknown state only
    # without active_only
    assert _sirets(geo.establishments_near(located, *PARIS, 10, active_only=False)) == [
        s["paris"],
        s["paris_unknown"],
        s["paris_closed"],
        s["saint_denis"],
    ]
    assert _sirets(geo.establishments_near(located, 45.76, 4.84, 1)) == [s["lyon"]]
    assert geo.establishments_near(located, 43.3, 5.37, 50) == []


def test_radius_just_short_of_versailles(located):
    exact = geo.haversine_km(*PARIS, *VERSAILLES)
    assert TOWNS["versailles"][0] not in _sirets(geo.establishments_near(located, *PARIS, exact - 1e-6))
    assert TOWNS["versailles"][0] in _sirets(geo.establishments_near(located, *PARIS, exact + 1e-6))


def test_nothing_loaded_is_no_answer():
    con = duckdb.connect()
    db.ensure_schemas(con)
    assert geo.establishments_near(con, *PARIS, 10) == []
    assert geo.commune_point(con, "75056") is None
