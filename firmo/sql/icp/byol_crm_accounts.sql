-- The accounts CRM $crm holds, as read back (firmo/crm/readback.py), for `firmo score --from-crm`:
-- the stored match (SIREN, method, confidence; NULL when unmatched) and what matching reads; the
-- accounts sales deleted are not theirs any more.
SELECT crm_id, siren, match_method, match_confidence, name, domain, postal_code
FROM exports.crm_accounts
WHERE crm = $crm AND deleted_at IS NULL
ORDER BY crm_id
