-- The next jobs.labonneboite: one row per (siret, rome), the latest observation wins.
CREATE TABLE {{target}} AS
SELECT * FROM (SELECT * FROM {{live}} UNION ALL SELECT * FROM {{incoming}})
QUALIFY row_number() OVER (PARTITION BY siret, coalesce(rome, '') ORDER BY observed_date DESC, source_file DESC) = 1
