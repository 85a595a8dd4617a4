-- The leads of one ICP as the alert rules read them ({{leads}} = leads.<icp>), with their score
-- and tier at the previous evaluation (NULL: a new lead). $scoped: only the SIRENs in $sirens (a poll's).
SELECT l.siren, l.company_name, l.city, CAST(l.score AS DOUBLE) AS score, l.tier,
       l.first_name, l.last_name, l.job_title, l.score_reasons, l.statut_diffusion,
       s.score AS previous_score, s.tier AS previous_tier, s.tier_since AS previous_tier_since,
       s.siren IS NOT NULL AS known
FROM {{leads}} l
LEFT JOIN alerts.lead_state s ON s.icp = $icp AND s.siren = l.siren
WHERE NOT $scoped OR l.siren IN (SELECT unnest(CAST($sirens AS VARCHAR[])))
ORDER BY l.siren
