-- Continues sql/icp/scored.sql for a preview (firmo.icp.score.preview): the narrow scored rows,
-- kept once, so that the counts (sql/icp/counts.sql) and the first leads (sql/icp/leads.sql),
-- which both read them, cost one scan of core.prospects and one intent computation instead of
-- two. The columns are the ones those two files read from `scored`; the wide columns of the
-- first leads are fetched by rowid (prospect_row) as in a build.
, kept AS MATERIALIZED (
    SELECT prospect_row, siren, tier, score, fit_score, intent_score,
           region_name, naf_division, naf_division_label, headcount_label,
           naf_fit, naf_pattern, naf_reason, hc_fit, rev_fit, rev_penalised, auth_fit, authority_share
    FROM scored
)
