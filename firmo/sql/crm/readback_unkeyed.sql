-- SIRENs of `__crm_push_sirens` that CRM $crm holds only on accounts matched by domain or name (no
-- SIREN field there yet): the account to write the SIREN onto (the lowest id when several). An
-- account sales deleted or merged away is never written to (its id is dead, firmo/crm/deletions.py).
SELECT a.siren, min(a.crm_id) AS crm_id
FROM exports.crm_accounts a
JOIN __crm_push_sirens s ON s.siren = a.siren
WHERE a.crm = $crm AND a.match_method <> 'siren' AND a.deleted_at IS NULL
  AND NOT EXISTS (
      SELECT 1 FROM exports.crm_accounts b WHERE b.crm = a.crm AND b.siren = a.siren AND b.match_method = 'siren'
        AND b.deleted_at IS NULL
  )
GROUP BY a.siren
