-- What a CRM disqualified on or after $since (every CRM): accounts by SIREN, contacts by email.
SELECT siren AS hold_key, crm, lead_status, disqualified_since
FROM exports.crm_accounts
WHERE disqualified_since >= $since AND siren IS NOT NULL
UNION ALL
SELECT 'email:' || email, crm, lead_status, disqualified_since
FROM exports.crm_contacts
WHERE disqualified_since >= $since AND email IS NOT NULL
ORDER BY hold_key, disqualified_since DESC, crm
