-- SIREN -> the company record id in one CRM ($crm), from the read-back (exports.crm_accounts):
-- a SIREN matched to several records keeps the surest match, then the one modified last; a record
-- sales deleted or merged away (firmo/crm/deletions.py) is never the target: its id is dead.
SELECT siren, arg_max(crm_id, (match_confidence, modified_at, crm_id)) AS crm_id
FROM exports.crm_accounts
WHERE crm = $crm AND siren IS NOT NULL AND deleted_at IS NULL
GROUP BY siren
