-- Continues sql/icp/scored.sql: how many leads per tier, région, NAF division and headcount band
-- (all of them, before the list-size cap). One hash aggregate on the four low-cardinality keys,
-- then four roll-ups of that small result (cheaper than GROUPING SETS over every lead).
-- `dimension` says which grouping a row is. It reads {{scored}} (scored.sql's `scored`, or the
-- narrow rows a preview keeps once for both its queries: sql/icp/preview_kept.sql). The last line
-- is the statement; every line before it continues the WITH clause (firmo.icp.score.preview
-- runs them with its own last line).
, cube AS MATERIALIZED (
    SELECT tier, region_name, naf_division, any_value(naf_division_label) AS naf_division_label,
           headcount_label, count(*) AS leads
    FROM {{scored}}
    GROUP BY tier, region_name, naf_division, headcount_label
)
, counted AS (
    SELECT dimension, value, sum(leads)::BIGINT AS leads
    FROM (
        SELECT 'tier' AS dimension, tier AS value, leads FROM cube
        UNION ALL
        SELECT 'region', coalesce(region_name, '(abroad / unknown)'), leads FROM cube
        UNION ALL
        SELECT 'naf_division', coalesce(naf_division || ' ' || naf_division_label, '(no NAF rév. 2 division)'), leads FROM cube
        UNION ALL
        SELECT 'headcount_band', coalesce(headcount_label, '(unknown)'), leads FROM cube
    )
    GROUP BY dimension, value
)
SELECT dimension, value, leads FROM counted ORDER BY dimension, leads DESC, value
