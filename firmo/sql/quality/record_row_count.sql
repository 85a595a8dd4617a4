-- Record (or, for a re-executed check of the same run, replace) one load's row count.
INSERT OR REPLACE INTO quality.row_counts (table_name, run_id, rows, accepted, checked_at)
VALUES ($table_name, $run_id, $rows, $accepted, $checked_at);
