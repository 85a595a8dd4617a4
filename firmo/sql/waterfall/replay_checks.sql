-- Per address and verifier of the verify chain, the verifier's last answer about the address (status
-- as the chain read it, raw status, credits): the evidence waterfall/replay.py replays a verify chain
-- on (`choose_verify`). A live answer wins over a cached one; a cached one (free: the address was
-- asked before) is priced at the verifier's mean live credits per verification, what asking it costs.
-- A failed question (no status) is no evidence. $field is unused here, $sirens as in
-- replay_answers.sql.
WITH checks AS (
    SELECT email, provider, status, raw_status, credits, from_cache, asked_at, run_id,
           avg(credits) FILTER (WHERE NOT from_cache) OVER (PARTITION BY provider) AS live_credits
    FROM waterfall.provenance
    WHERE field = 'verify' AND email IS NOT NULL AND status IS NOT NULL AND $field IS NOT NULL
      AND ($sirens IS NULL OR list_contains($sirens::VARCHAR[], siren))
)
SELECT email, provider, status, raw_status,
       CASE WHEN from_cache THEN coalesce(live_credits, 0) ELSE credits END AS credits
FROM checks
QUALIFY row_number() OVER (PARTITION BY email, provider
                           ORDER BY from_cache, asked_at DESC, run_id DESC, credits DESC) = 1
ORDER BY email, provider
