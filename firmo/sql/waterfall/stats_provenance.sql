-- Per provider, field (and segment) over the questions the providers answered live
-- (waterfall.provenance, from_cache false): questions, failed ones, values found, valid ones, credits.
-- {{companies}}: core.companies (or an empty stand-in) for the segment; {{segment}} is a column of it
-- chosen by the caller from a fixed list (naf_section, headcount_band), or the constant 'all'.
-- Parameters: $sirens (the list's SIRENs; NULL: every question asked), $since.
SELECT
    p.provider,
    p.field,
    coalesce(CAST({{segment}} AS VARCHAR), '?') AS segment,
    count(*) AS questions,
    count(*) FILTER (WHERE p.status IS NULL) AS failed,
    count(*) FILTER (WHERE p.value IS NOT NULL AND p.status IS DISTINCT FROM 'invalid') AS found,
    count(*) FILTER (WHERE p.status = 'valid') AS valid,
    sum(p.credits) AS credits,
    {{latency}} AS latency_ms
FROM waterfall.provenance p
LEFT JOIN {{companies}} c ON c.siren = p.siren
WHERE NOT p.from_cache
  AND ($sirens IS NULL OR list_contains($sirens::VARCHAR[], p.siren))
  AND p.asked_at >= $since
GROUP BY ALL
ORDER BY p.field, p.provider, segment
