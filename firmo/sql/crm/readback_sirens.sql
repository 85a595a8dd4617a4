-- Every SIREN the read-back of CRM $crm matched a live account (organisation, lead, deal) to: one
-- sales deleted holds nothing (the push searches or creates again).
SELECT DISTINCT siren FROM exports.crm_accounts WHERE crm = $crm AND siren IS NOT NULL AND deleted_at IS NULL;
