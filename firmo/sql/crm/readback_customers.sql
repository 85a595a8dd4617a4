-- Won accounts of CRM $crm with a matched SIREN become existing customers (source = the CRM's
-- name); a customer already listed (a CSV import, an earlier pull) keeps its entry.
INSERT INTO exports.customers (kind, value, name, source, added_at)
SELECT 'siren', siren, min(name), $crm, $now
FROM exports.crm_accounts
WHERE crm = $crm AND won > 0 AND siren IS NOT NULL
GROUP BY siren
ON CONFLICT (kind, value) DO NOTHING
