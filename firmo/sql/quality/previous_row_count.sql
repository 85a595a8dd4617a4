-- The baseline of the row-count guard: the latest accepted count of this table recorded by
-- another run (a re-executed check of the same run never compares a load with itself).
SELECT rows, run_id, checked_at
FROM quality.row_counts
WHERE table_name = $table_name
  AND run_id <> $run_id
  AND accepted
ORDER BY checked_at DESC
LIMIT 1;
