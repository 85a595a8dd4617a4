-- SIRENs of `__crm_push_sirens` that CRM $crm holds only on accounts matched by domain or name (no
-- SIREN field there yet): the account to write the SIREN onto (the lowest id when several).
SELECT a.siren, min(a.crm_id) AS crm_id
FROM exports.crm_accounts a
JOIN __crm_push_sirens s ON s.siren = a.siren
WHERE a.crm = $crm AND a.match_method <> 'siren'
  AND NOT EXISTS (
      SELECT 1 FROM exports.crm_accounts b WHERE b.crm = a.crm AND b.siren = a.siren AND b.match_method = 'siren'
  )
GROUP BY a.siren
