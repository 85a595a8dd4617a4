-- One page of an ICP's lead list for the workspace's lead explorer (firmo/workspace/queries.py):
-- filters bound (NULL: not filtering), the sort column and direction chosen from a fixed list.
-- {{leads}} is leads.<icp>_enriched when the waterfall wrote it (email, phone), else leads.<icp>.
SELECT rank, siren, company_name, city, region_name, departement_code, naf_code, naf_division, headcount_band,
       score, fit_score, intent_score, tier, first_name, last_name, job_title, score_reasons,
       __EMAIL__ AS email, __PHONE__ AS phone,
       count(*) OVER () AS total
FROM {{leads}}
WHERE ($tier IS NULL OR tier = $tier)
  AND ($min_score IS NULL OR score >= $min_score)
  AND ($region IS NULL OR region_name = $region)
  AND ($signal_type IS NULL OR siren IN (SELECT siren FROM core.signals WHERE signal_type = $signal_type))
  AND ($has_email IS NULL OR (__EMAIL__ IS NOT NULL) = $has_email)
  -- an RNE opposition that landed after the list was built hides the lead at once (as analytics.leads)
  AND __NOT_OPPOSED__
ORDER BY {{sort}} __DIRECTION__, rank
LIMIT $limit OFFSET $offset
