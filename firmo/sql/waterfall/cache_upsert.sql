-- Batched write of new answers (__wf_cache_rows is registered, one row per key).
INSERT OR REPLACE INTO waterfall.cache
SELECT provider, field, input_key, siren, email, value, status, confidence, raw_status,
       CAST(extra AS JSON), credits, fetched_at, expires_at
FROM __wf_cache_rows
