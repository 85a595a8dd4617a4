-- The company's row in one lead list ({{leads}} = leads.<icp>): its scores, BANT and reasons.
SELECT rank, fit_score, intent_score, score, tier, authority_fit, score_reasons,
       bant_budget, bant_authority, bant_need, bant_timing, lead_updated_at
FROM {{leads}}
WHERE siren = $siren
