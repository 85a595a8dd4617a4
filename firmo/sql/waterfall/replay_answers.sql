-- The evidence waterfall/replay.py replays: per lead (SIREN) and vendor of one chain ($field), the
-- vendor's last live answer (value, status, credits). A failed question (no status) is no evidence.
-- `pattern` is billed the verifications of its candidates: the verifier's verify rows of the same
-- run and SIREN (as in stats_provenance.sql: an overestimate when a risky address of that lead was
-- verified in the same run too).
-- Ties (one run, one time) go to the dearest answer, then the greatest address: a stable choice.
-- Parameters: $field, $sirens (NULL: every lead).
WITH live AS (
    SELECT * FROM waterfall.provenance p
    WHERE NOT p.from_cache AND ($sirens IS NULL OR list_contains($sirens::VARCHAR[], p.siren))
),
checks AS (
    SELECT run_id, siren, sum(credits) AS credits FROM live WHERE field = 'verify' GROUP BY ALL
)
SELECT a.siren, a.provider, a.value, a.status,
       a.credits + CASE WHEN a.provider = 'pattern' THEN coalesce(k.credits, 0) ELSE 0 END AS credits
FROM live a
LEFT JOIN checks k ON k.run_id = a.run_id AND k.siren = a.siren
WHERE a.field = $field AND a.status IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY a.siren, a.provider ORDER BY a.asked_at DESC, a.run_id DESC, a.credits DESC, a.value DESC NULLS LAST) = 1
