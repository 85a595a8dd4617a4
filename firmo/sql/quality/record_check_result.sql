-- Append one check execution to the results history.
INSERT INTO quality.check_results
    (check_name, asset, partition_key, run_id, passed, blocking, severity, summary, details, checked_at)
VALUES ($check_name, $asset, $partition_key, $run_id, $passed, $blocking, $severity, $summary, $details, $checked_at);
