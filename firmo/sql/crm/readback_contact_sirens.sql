-- A contact's SIREN is its account's matched SIREN (re-read: the account may be matched later).
UPDATE exports.crm_contacts c SET siren = a.siren
FROM exports.crm_accounts a
WHERE c.crm = $crm AND a.crm = c.crm AND a.crm_id = c.account_crm_id AND c.siren IS DISTINCT FROM a.siren
