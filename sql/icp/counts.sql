-- Continues sql/icp/scored.sql: how many leads per tier, région, NAF division and headcount band
-- (all of them, before the list-size cap), in one pass. `dimension` says which grouping a row is.
SELECT
    CASE grouping(tier, region_name, naf_division, naf_division_label, headcount_label)
        WHEN 15 THEN 'tier' WHEN 23 THEN 'region' WHEN 25 THEN 'naf_division' WHEN 30 THEN 'headcount_band'
    END AS dimension,
    CASE grouping(tier, region_name, naf_division, naf_division_label, headcount_label)
        WHEN 15 THEN tier
        WHEN 23 THEN coalesce(region_name, '(abroad / unknown)')
        WHEN 25 THEN coalesce(naf_division || ' ' || naf_division_label, '(no NAF rév. 2 division)')
        ELSE coalesce(headcount_label, '(unknown)')
    END AS value,
    count(*) AS leads
FROM scored
GROUP BY GROUPING SETS ((tier), (region_name), (naf_division, naf_division_label), (headcount_label))
ORDER BY dimension, leads DESC, value
