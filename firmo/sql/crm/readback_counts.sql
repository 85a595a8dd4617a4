-- After a pull of CRM $crm: won accounts with a SIREN, records disqualified, records validated.
SELECT
    (SELECT count(DISTINCT siren) FROM exports.crm_accounts WHERE crm = $crm AND won > 0 AND siren IS NOT NULL),
    (SELECT count(*) FROM exports.crm_accounts WHERE crm = $crm AND disqualified_since IS NOT NULL)
        + (SELECT count(*) FROM exports.crm_contacts WHERE crm = $crm AND disqualified_since IS NOT NULL),
    (SELECT count(*) FROM exports.crm_accounts WHERE crm = $crm AND crm_validated)
        + (SELECT count(*) FROM exports.crm_contacts WHERE crm = $crm AND crm_validated)
