-- Precise establishments of one run of grid cells (one latitude row of the circle's bounding box)
-- with their distance to the centre. firmo.geo.establishments_near runs one copy per row of cells,
-- UNION ALL: each BETWEEN is pushed down to the scan, where the zonemaps of the table (stored ORDER
-- BY grid_cell) skip every row group outside the run. Parameters, in order: centre latitude, centre
-- longitude, first cell, last cell, active_only (when true, only establishments known active).
SELECT siren, siret, haversine_km(?, ?, latitude, longitude) AS distance_km
FROM core.establishment_locations
WHERE grid_cell BETWEEN ? AND ?
  AND precise
  AND (NOT ? OR coalesce(active, false))
