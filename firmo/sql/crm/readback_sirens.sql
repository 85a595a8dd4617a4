-- Every SIREN the read-back of CRM $crm matched an account (organisation, lead, deal) to.
SELECT DISTINCT siren FROM exports.crm_accounts WHERE crm = $crm AND siren IS NOT NULL;
