-- What a CRM disqualified on or after $since (every CRM): accounts by SIREN, contacts by email,
-- with the owner's name when the read-back knows it (firmo/crm/owners.py; a contact's owner is
-- named when that user owns an account too: the names are kept on exports.crm_accounts).
SELECT a.siren AS hold_key, a.crm, a.lead_status, a.disqualified_since, a.owner_name
FROM exports.crm_accounts a
WHERE a.disqualified_since >= $since AND a.siren IS NOT NULL
UNION ALL
SELECT 'email:' || c.email, c.crm, c.lead_status, c.disqualified_since, o.owner_name
FROM exports.crm_contacts c
LEFT JOIN (
    SELECT crm, owner, min(owner_name) AS owner_name
    FROM exports.crm_accounts WHERE owner IS NOT NULL AND owner_name IS NOT NULL GROUP BY crm, owner
) o ON o.crm = c.crm AND o.owner = c.owner
WHERE c.disqualified_since >= $since AND c.email IS NOT NULL
ORDER BY hold_key, disqualified_since DESC, crm
