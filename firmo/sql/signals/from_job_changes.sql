-- Intent signals from the job-change re-checks (waterfall.job_changes, waterfall/recheck.py), dated
-- by the vendor's date of the change:
-- * job_change_left on the company the person left: a seat to fill there;
-- * job_change_joined on the company they joined (matched to a SIREN): strength 1 when they were a
--   contact of a customer or of an open deal (a past champion: the relation is in the label, which
--   the score reasons show), 0.6 otherwise;
-- * promotion: a new role at the same company, another function or a higher seniority than the
--   title held, never a rewording (waterfall.recheck.role_changed): new budget, new priorities;
-- * may_have_left: an address that verified valid now bounces (weak, one vendor's verifier).
-- Source 'job_change' for all four; the vendor and what it said are in the evidence.
-- Parameters: $as_of, $since.
SELECT
    j.siren,
    j.kind AS signal_type,
    j.change_date AS signal_date,
    CASE
        WHEN j.kind = 'job_change_joined' AND j.relation IS NOT NULL THEN 1.0
        WHEN j.kind = 'job_change_joined' THEN 0.6
        WHEN j.kind = 'job_change_left' THEN 0.7
        WHEN j.kind = 'promotion' THEN 0.5
        ELSE 0.2
    END AS strength,
    'positive' AS polarity,
    CASE j.kind
        WHEN 'job_change_left' THEN coalesce(j.old_title, 'a contact') || ' left for ' || coalesce(j.new_company, 'another company')
        WHEN 'job_change_joined' THEN
            concat_ws(' ', j.first_name, j.last_name) || ' joined as ' || coalesce(j.new_title, j.old_title, 'a contact')
            || CASE j.relation
                   WHEN 'customer' THEN ' (a contact at your customer ' || coalesce(j.old_company, j.old_siren) || ')'
                   WHEN 'open_deal' THEN ' (a contact on an open deal at ' || coalesce(j.old_company, j.old_siren) || ')'
                   ELSE ' (from ' || coalesce(j.old_company, j.old_siren) || ')'
               END
        WHEN 'promotion' THEN coalesce(j.new_title, 'new title') || ' (promoted from ' || coalesce(j.old_title, '?') || ')'
        ELSE 'a contact may have left (their address now bounces)'
    END AS label,
    j.evidence,
    'job_change' AS source,
    j.kind || ':' || j.person_key || ':' || strftime(j.change_date, '%Y-%m-%d') AS source_ref
FROM waterfall.job_changes j
WHERE j.siren IS NOT NULL AND j.change_date BETWEEN $since AND $as_of
