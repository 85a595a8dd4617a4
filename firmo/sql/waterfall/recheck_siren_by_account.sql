-- A new employer's SIREN by its web domain, from the CRM accounts read back (exports.crm_accounts).
SELECT siren FROM exports.crm_accounts
WHERE lower(domain) = $domain AND siren IS NOT NULL
GROUP BY siren ORDER BY count(*) DESC, siren LIMIT 1
