-- Credits the re-checks spent in the calendar month of $as_of (the monthly budget's consumption).
SELECT coalesce(sum(credits), 0) FROM waterfall.rechecks
WHERE asked_at >= date_trunc('month', CAST($as_of AS TIMESTAMP))
  AND asked_at < date_trunc('month', CAST($as_of AS TIMESTAMP)) + INTERVAL 1 MONTH
