-- The blocking checks gating one ICP's CRM export whose latest result failed: the checks named in
-- $checks, on registry tables (no partition) or on that ICP's own lead lists (partition = $icp).
WITH latest AS (
    SELECT check_name, asset, partition_key, run_id, passed, summary, checked_at
    FROM quality.check_results
    WHERE check_name IN (SELECT unnest($checks::VARCHAR[]))
      AND (partition_key IS NULL OR partition_key = $icp)
    QUALIFY row_number() OVER (PARTITION BY check_name, asset, partition_key ORDER BY checked_at DESC) = 1
)
SELECT check_name, asset, partition_key, run_id, checked_at, summary
FROM latest
WHERE NOT passed
ORDER BY asset, check_name;
