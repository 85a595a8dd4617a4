-- The outbox since a time, newest first (firmo alerts list).
SELECT created_at, icp, rule, siren, channel, state, attempts, last_error, sent_at
FROM alerts.outbox
WHERE created_at >= $since
ORDER BY created_at DESC, key, channel
