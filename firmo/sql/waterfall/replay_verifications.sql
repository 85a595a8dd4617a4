-- Per address, what the verify chain said the last time it was asked live: the first conclusive
-- verdict ('valid' or 'invalid', NULL when no verifier could say) and the credits of the whole chain
-- (every verify row of that run, SIREN and address). $field is unused here, $sirens as in
-- replay_answers.sql.
WITH checks AS (
    SELECT run_id, siren, email,
           CASE WHEN bool_or(status = 'valid') THEN 'valid' WHEN bool_or(status = 'invalid') THEN 'invalid' END
               AS verdict,
           sum(credits) AS credits, max(asked_at) AS asked_at
    FROM waterfall.provenance
    WHERE field = 'verify' AND NOT from_cache AND email IS NOT NULL AND $field IS NOT NULL
      AND ($sirens IS NULL OR list_contains($sirens::VARCHAR[], siren))
    GROUP BY ALL
)
SELECT email, verdict, credits FROM checks
QUALIFY row_number() OVER (PARTITION BY email ORDER BY asked_at DESC, run_id DESC) = 1
