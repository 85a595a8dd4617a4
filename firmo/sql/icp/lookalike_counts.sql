-- Lookalike counts (firmo/icp/lookalike.py): per dimension and value, how many active companies
-- of core.companies hold it and how many of them are customers (`__lookalike_customers`, the
-- SIRENs of exports.customers). Dimensions: NAF sous-classe, headcount band (with its employee
-- range), région, and the labels held on $labels_day ({{labels}}: core.labels or an empty stand-in).
-- The first row of each dimension is not a value: dimension 'total' gives both denominators.
WITH population AS (
    SELECT c.siren, c.naf_code, c.headcount_band, c.headcount_min, c.headcount_max, c.region_code, c.region_name,
           c.siren IN (SELECT siren FROM __lookalike_customers) AS customer
    FROM core.companies c
    WHERE c.active
),
held AS (
    SELECT DISTINCT l.siren, l.label
    FROM {{labels}} l
    WHERE (l.valid_from IS NULL OR l.valid_from <= $labels_day::DATE)
      AND (l.valid_to IS NULL OR l.valid_to >= $labels_day::DATE)
)
SELECT 'total' AS dimension, NULL AS value, NULL AS detail, CAST(NULL AS BIGINT) AS lo, CAST(NULL AS BIGINT) AS hi,
       count(*) FILTER (WHERE customer) AS customers, count(*) AS population
FROM population
UNION ALL
SELECT 'naf', naf_code, NULL, NULL, NULL, count(*) FILTER (WHERE customer), count(*)
FROM population WHERE naf_code IS NOT NULL GROUP BY naf_code
UNION ALL
SELECT 'headcount_band', headcount_band, NULL, min(headcount_min), max(headcount_max),
       count(*) FILTER (WHERE customer), count(*)
FROM population WHERE headcount_band IS NOT NULL GROUP BY headcount_band
UNION ALL
SELECT 'region', region_name, min(region_code), NULL, NULL, count(*) FILTER (WHERE customer), count(*)
FROM population WHERE region_name IS NOT NULL GROUP BY region_name
UNION ALL
SELECT 'label', h.label, NULL, NULL, NULL, count(*) FILTER (WHERE p.customer), count(*)
FROM population p JOIN held h ON h.siren = p.siren GROUP BY h.label
ORDER BY dimension, value
