-- Whether a CRM account matched to $siren has an open deal (exports.crm_accounts, read back).
SELECT 1 FROM exports.crm_accounts WHERE siren = $siren AND open_deals > 0 LIMIT 1
