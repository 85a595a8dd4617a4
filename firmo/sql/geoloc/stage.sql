-- Stage the rows of the geolocation file: `__geoloc_scan` (a view over the file made by
-- sources/geoloc/reader.py: the publisher's columns as VARCHAR, NULL for a column the file lacks,
-- and __row, the parquet row number or NULL for CSV) becomes {{staging}}, with
-- - siret cleaned as search-infra's clean_sirent_column does (open_data.md "Common conventions"):
--   non-digits stripped, 11 to 13 digits left-padded with zeros to 14, the raw value kept in __siret_raw;
-- - __lat / __lon: y_latitude / x_longitude as numbers, NULL for `[ND]` or empty;
-- - __siret_reason: why the SIRET is removed (counted against FIRMO_GEOLOC_MAX_REMOVAL_PCT);
-- - __coord_reason: why the coordinates cannot be used (the row is quarantined, not counted).
-- Read with preserve_insertion_order on: the staging rowid is then the record's position in the file.
CREATE TABLE {{staging}} AS
SELECT
    * EXCLUDE (__digits),
    CASE
        WHEN __siret_raw IS NULL OR trim(__siret_raw) = '' THEN 'missing SIRET'
        -- contains() first: the regular expression then runs on the rare values holding an E
        WHEN (contains(__siret_raw, 'E') OR contains(__siret_raw, 'e'))
            AND regexp_full_match(trim(__siret_raw), '[0-9]+([.,][0-9]+)?[eE][+-]?[0-9]+') THEN 'SIRET in scientific notation'
        WHEN length(siret) <> 14 THEN 'SIRET not 14 digits once cleaned'
        WHEN NOT firmo_siret_ok(siret) THEN 'SIRET checksum fails'
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
        * REPLACE (CASE WHEN length(__digits) BETWEEN 11 AND 13 THEN lpad(__digits, 14, '0') ELSE __digits END AS siret),
        firmo_geoloc_number(y_latitude) AS __lat,
        firmo_geoloc_number(x_longitude) AS __lon
    FROM (
        -- the published SIRETs are 14 digits: only the others go through the regular expression
        SELECT *, siret AS __siret_raw,
            CASE WHEN length(siret) = 14 AND TRY_CAST(siret AS UBIGINT) IS NOT NULL AND NOT contains(siret, '+')
                      AND NOT contains(siret, '-') AND NOT contains(siret, ' ') THEN siret
                 ELSE regexp_replace(coalesce(siret, ''), '[^0-9]', '', 'g') END AS __digits
        FROM __geoloc_scan
    )
)
