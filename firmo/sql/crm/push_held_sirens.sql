-- SIRENs of the accounts a CRM held with their SIREN at the last read-back (a dry run says 'update').
SELECT DISTINCT siren FROM exports.crm_accounts WHERE crm = $crm AND siren IS NOT NULL AND match_method = 'siren';
