-- Answers a killed run left in its journal (__wf_cache_rows is registered, one row per key): merged
-- into the cache unless the cache already holds a newer answer to the same question.
INSERT OR REPLACE INTO waterfall.cache
SELECT r.provider, r.field, r.input_key, r.siren, r.email, r.value, r.status, r.confidence, r.raw_status,
       CAST(r.extra AS JSON), r.credits, r.fetched_at, r.expires_at
FROM __wf_cache_rows r
WHERE NOT EXISTS (
    SELECT 1 FROM waterfall.cache c
    WHERE c.provider = r.provider AND c.field = r.field AND c.input_key = r.input_key AND c.fetched_at > r.fetched_at
)
QUALIFY row_number() OVER (PARTITION BY r.provider, r.field, r.input_key ORDER BY r.fetched_at DESC) = 1
