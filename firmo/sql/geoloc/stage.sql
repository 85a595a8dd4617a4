-- Stage the rows of the geolocation file: `__geoloc_scan` (a view over the file made by
-- sources/geoloc/reader.py: the publisher's columns as VARCHAR, NULL for a column the file lacks,
-- and __row, the parquet row number or NULL for CSV) becomes {{staging}}, with
-- - siret cleaned by the Common conventions' macros (firmo/sql/identifiers.sql): non-digits
--   stripped, 11 to 13 digits left-padded with zeros to 14, the raw value kept in __siret_raw;
-- - __lat / __lon: y_latitude / x_longitude as numbers, NULL for `[ND]` or empty;
-- - __siret_reason: why the SIRET is removed (counted against FIRMO_GEOLOC_MAX_REMOVAL_PCT);
-- - __coord_reason: why the coordinates cannot be used (the row is quarantined, not counted).
-- Read with preserve_insertion_order on: the staging rowid is then the record's position in the file.
CREATE TABLE {{staging}} AS
SELECT
    * EXCLUDE (__digits, __siret_n),
    CASE
        WHEN __siret_raw IS NULL OR trim(__siret_raw) = '' THEN 'missing SIRET'
        ELSE firmo_siret_reason(__siret_raw, __siret_n)
    END AS __siret_reason,
    CASE
        WHEN firmo_geoloc_value(y_latitude) IS NULL AND firmo_geoloc_value(x_longitude) IS NULL THEN NULL
        WHEN firmo_geoloc_value(y_latitude) IS NULL OR firmo_geoloc_value(x_longitude) IS NULL
            THEN 'only one of y_latitude / x_longitude given'
        WHEN __lat IS NULL OR __lon IS NULL OR NOT isfinite(__lat) OR NOT isfinite(__lon)
            THEN 'unparseable coordinates'
        WHEN NOT firmo_in_france(__lat, __lon) THEN 'coordinates outside France'
    END AS __coord_reason
FROM (
    SELECT
        * REPLACE (firmo_id_pad(__digits, 14) AS siret),
        -- the cleaned SIRET's number, computed once: the checksum macros use it some thirty times
        firmo_siret_number(firmo_id_pad(__digits, 14)) AS __siret_n,
        firmo_geoloc_number(y_latitude) AS __lat,
        firmo_geoloc_number(x_longitude) AS __lon
    FROM (
        SELECT *, siret AS __siret_raw, firmo_id_digits(coalesce(siret, '')) AS __digits
        FROM __geoloc_scan
    )
)
