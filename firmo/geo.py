"""Distances and the grid index behind "establishments within R km of a point".

Why a grid: DuckDB's spatial extension (R-tree) is not installable offline, and a radius search
over ~38M establishments must not compute 38M distances. `core.establishment_locations` carries
`grid_cell`, the 0.1-degree cell of each point (`grid_cell(lat, lon)`, same formula as the SQL
macro `firmo_grid_cell` and as the contract of the table), and is stored ORDER BY grid_cell, so
the row groups of one run of consecutive cells are contiguous and DuckDB's zonemaps skip all the
others. A search takes the cells of the circle's bounding box (`cell_ranges`: one run of cells per
latitude row), reads only those runs, then keeps the points whose exact great-circle distance
(`haversine_km`, sphere of 6371.0088 km) is within the radius.

Limits, on purpose: longitudes are not wrapped at the antimeridian (France's territories near it,
Wallis-et-Futuna, get a search clipped at 180°); a circle reaching a pole takes every longitude.

`commune_point` gives a commune's reference point for the `near` criterion: the reference tables
(firmo/reference/communes.csv, from the COG) carry no coordinates, so it is the median position of
the commune's geolocated establishments, precomputed by the geolocation load in
`core.commune_points`.
"""

from __future__ import annotations

import math

import duckdb

from firmo import db
from firmo.sqlfiles import load_sql

CELL_DEGREES = 0.1
COLUMNS = 3600  # cells per latitude row (360 / 0.1)
ROWS = 1800  # latitude rows (180 / 0.1)
EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius; the SQL macro uses the same
LOCATIONS = "core.establishment_locations"
COMMUNE_POINTS = "core.commune_points"
_EPSILON_DEG = 1e-9  # widen the box by this much: a point on its edge is never lost to rounding


def grid_cell(lat: float, lon: float) -> int:
    """The 0.1-degree cell of a WGS84 point: row * 3600 + column, rows from -90, columns from -180.

    Same arithmetic as the SQL (`floor((lat + 90) / 0.1)`), so Python and DuckDB agree on every point."""
    return int(math.floor((lat + 90) / CELL_DEGREES)) * COLUMNS + int(math.floor((lon + 180) / CELL_DEGREES))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine on a sphere of EARTH_RADIUS_KM), as the SQL macro."""
    h = (
        math.sin(math.radians(lat2 - lat1) / 2) ** 2
        + math.cos(math.radians(lat1)) * math.cos(math.radians(lat2)) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _row(lat: float) -> int:
    return min(ROWS - 1, max(0, int(math.floor((lat + 90) / CELL_DEGREES))))


def _column(lon: float) -> int:
    return min(COLUMNS - 1, max(0, int(math.floor((lon + 180) / CELL_DEGREES))))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lon_min, lon_max) of the circle on the sphere, longitudes clipped to
    [-180, 180] (no antimeridian wrap). The longitude half-width is asin(sin(d) / cos(lat)), the
    exact extent of a spherical circle (wider than d / cos(lat) near the poles); a circle that
    reaches a pole spans every longitude."""
    if radius_km < 0 or not all(math.isfinite(v) for v in (lat, lon, radius_km)):
        raise ValueError(f"need finite coordinates and a radius >= 0, got ({lat}, {lon}, {radius_km})")
    if not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise ValueError(f"not a WGS84 point: latitude {lat}, longitude {lon}")
    angle = radius_km / EARTH_RADIUS_KM  # radians
    dlat = math.degrees(angle)
    lat_min, lat_max = lat - dlat - _EPSILON_DEG, lat + dlat + _EPSILON_DEG
    if lat_min <= -90 or lat_max >= 90 or angle >= math.pi / 2:
        return max(-90.0, lat_min), min(90.0, lat_max), -180.0, 180.0
    ratio = math.sin(angle) / math.cos(math.radians(lat))
    if ratio >= 1:
        return lat_min, lat_max, -180.0, 180.0
    dlon = math.degrees(math.asin(ratio)) + _EPSILON_DEG
    return lat_min, lat_max, max(-180.0, lon - dlon), min(180.0, lon + dlon)


def cell_ranges(lat: float, lon: float, radius_km: float) -> list[tuple[int, int]]:
    """The cells of the circle's bounding box as one (first, last) run per latitude row, south to
    north: within a row the cells of the box are consecutive numbers."""
    lat_min, lat_max, lon_min, lon_max = bounding_box(lat, lon, radius_km)
    first_col, last_col = _column(lon_min), _column(lon_max)
    return [(row * COLUMNS + first_col, row * COLUMNS + last_col) for row in range(_row(lat_min), _row(lat_max) + 1)]


def cells_within(lat: float, lon: float, radius_km: float) -> list[int]:
    """Every 0.1-degree cell intersecting the bounding box of the circle of `radius_km` around the
    point, sorted: a superset of the cells holding points within the radius."""
    return [cell for first, last in cell_ranges(lat, lon, radius_km) for cell in range(first, last + 1)]


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    """`haversine_km(lat1, lon1, lat2, lon2)` and `firmo_grid_cell(lat, lon)` in the connection's
    database (created or replaced)."""
    con.execute(load_sql("geo/macros"))


def establishments_near(
    con: duckdb.DuckDBPyConnection,
    lat: float,
    lon: float,
    radius_km: float,
    *,
    active_only: bool = True,
) -> list[tuple[str, str, float]]:
    """(siren, siret, distance_km) of the precise establishments (geocoded, quality not 33) within
    `radius_km` of the point, nearest first (then by SIRET). `active_only`: only establishments
    SIRENE says are active (an establishment whose state is unknown, SIRENE not loaded, is left out).

    Reads only the grid runs of the circle's bounding box (see the module docstring). Empty when
    the table does not exist yet."""
    if not db.table_exists(con, LOCATIONS):
        return []
    create_macros(con)
    ranges = cell_ranges(lat, lon, radius_km)
    part = load_sql("geo/near_range").strip().rstrip(";")
    sql = (
        "SELECT siren, siret, distance_km FROM ("
        + "\nUNION ALL\n".join(f"({part})" for _ in ranges)
        + ") WHERE distance_km <= ? ORDER BY distance_km, siret"
    )
    params: list[object] = []
    for first, last in ranges:
        params += [lat, lon, first, last, active_only]
    params.append(radius_km)
    return [(siren, siret, float(d)) for siren, siret, d in con.execute(sql, params).fetchall()]


def commune_point(con: duckdb.DuckDBPyConnection, commune_code: str) -> tuple[float, float] | None:
    """(latitude, longitude) standing for the commune `commune_code` (INSEE code; Paris, Lyon and
    Marseille as a whole or by arrondissement): the median position of its geolocated
    establishments, from `core.commune_points` (built by the geolocation load). None when the
    commune has no geolocated establishment or nothing is loaded.

    Why not the COG: the reference tables carry no coordinates (firmo/reference/SOURCES.md)."""
    if not db.table_exists(con, COMMUNE_POINTS):
        return None
    rows = con.execute(
        f"SELECT latitude, longitude FROM {COMMUNE_POINTS} WHERE commune_code = ?", [commune_code]
    ).fetchall()
    return (float(rows[0][0]), float(rows[0][1])) if rows else None
