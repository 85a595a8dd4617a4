-- Geography macros, created by firmo.geo.create_macros (the Python side, firmo.geo.haversine_km and
-- firmo.geo.grid_cell, computes the same numbers: tests/geoloc/test_geo.py compares them).
-- DuckDB's spatial extension cannot be installed offline, so distances are great-circle distances on
-- a sphere of radius 6371.0088 km (the IUGG mean Earth radius), and the spatial index is a grid of
-- 0.1-degree cells (core.establishment_locations.grid_cell, the table stored ORDER BY grid_cell).
-- TEMP macros: they live in the connection, so a read-only warehouse connection can create them too.

-- Great-circle distance in km between two WGS84 points (haversine; least() keeps asin's argument
-- at most 1 where rounding pushes it over, for antipodal points).
CREATE OR REPLACE TEMP MACRO haversine_km(lat1, lon1, lat2, lon2) AS
    2 * 6371.0088 * asin(least(1.0, sqrt(
        pow(sin(radians(lat2 - lat1) / 2), 2)
        + cos(radians(lat1)) * cos(radians(lat2)) * pow(sin(radians(lon2 - lon1) / 2), 2)
    )));

-- The 0.1-degree cell of a point: row (latitude band from -90) * 3600 + column (longitude from -180).
-- NULL when either coordinate is NULL.
CREATE OR REPLACE TEMP MACRO firmo_grid_cell(lat, lon) AS
    CAST(floor((lat + 90) / 0.1) AS INTEGER) * 3600 + CAST(floor((lon + 180) / 0.1) AS INTEGER);
