-- Per provider, field (and segment) over the questions the providers answered live
-- (waterfall.provenance, from_cache false): questions, failed ones, values found, valid ones, credits.
-- The pattern guesser is free itself but pays the verifier for each candidate it checks: those
-- verifications are the verifier's `verify` rows of the same run and SIREN, added to pattern's
-- credits here (a verify row of that lead for another provider's risky address is counted too:
-- an overestimate, never an underestimate, of what pattern costs).
-- The companies table (core.companies, or an empty stand-in) gives the segment, a column of it the
-- caller picks from a fixed list (naf_section, headcount_band), or the constant 'all'.
-- Parameters: $sirens (the list's SIRENs; NULL: every question asked), $since.
WITH live AS (
    SELECT * FROM waterfall.provenance p
    WHERE NOT p.from_cache
      AND ($sirens IS NULL OR list_contains($sirens::VARCHAR[], p.siren))
      AND p.asked_at >= $since
),
pattern_checks AS (
    SELECT v.run_id, v.siren, sum(v.credits) AS credits
    FROM live v
    WHERE v.field = 'verify'
      AND EXISTS (SELECT 1 FROM live g WHERE g.provider = 'pattern' AND g.run_id = v.run_id AND g.siren = v.siren)
    GROUP BY ALL
)
SELECT
    p.provider,
    p.field,
    coalesce(CAST({{segment}} AS VARCHAR), '?') AS segment,
    count(*) AS questions,
    count(*) FILTER (WHERE p.status IS NULL) AS failed,
    count(*) FILTER (WHERE p.value IS NOT NULL AND p.status IS DISTINCT FROM 'invalid') AS found,
    count(*) FILTER (WHERE p.status = 'valid') AS valid,
    sum(p.credits + CASE WHEN p.provider = 'pattern' THEN coalesce(k.credits, 0) ELSE 0 END) AS credits,
    {{latency}} AS latency_ms
FROM live p
LEFT JOIN pattern_checks k ON k.run_id = p.run_id AND k.siren = p.siren
LEFT JOIN {{companies}} c ON c.siren = p.siren
GROUP BY ALL
ORDER BY p.field, p.provider, segment
