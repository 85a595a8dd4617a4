-- What the old employer is to us: 'customer' (exports.customers by SIREN or domain) or 'open_deal'
-- (a CRM account matched to the SIREN with an open deal). Parameters: $siren, $domain.
SELECT 'customer' FROM exports.customers
WHERE (kind = 'siren' AND value = $siren) OR (kind = 'domain' AND value = $domain)
LIMIT 1
