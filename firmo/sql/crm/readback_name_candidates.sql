-- Units of core.companies (head-office postal code) in the postal codes of the CRM accounts to
-- match (`__crm_match_postcodes`); names are normalised in Python (firmo/crm/readback.py).
SELECT c.siren, c.name, c.postal_code, c.active
FROM core.companies c
JOIN __crm_match_postcodes p ON p.postal_code = c.postal_code
WHERE c.name IS NOT NULL
