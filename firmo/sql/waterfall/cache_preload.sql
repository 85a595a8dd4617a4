-- Every unexpired cached answer about the SIRENs of this run, in one read (__wf_sirens is registered).
SELECT provider, field, input_key, siren, email, value, status, confidence, raw_status,
       CAST(extra AS VARCHAR) AS extra, credits, fetched_at, expires_at
FROM waterfall.cache
WHERE siren IN (SELECT siren FROM __wf_sirens)
  AND expires_at > $now
