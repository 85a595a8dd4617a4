-- The contacts read back from the CRMs with a matched SIREN and an address, with when the CRM
-- last changed them (the re-check's "enriched at" for a contact firmo did not enrich itself).
SELECT DISTINCT email, siren, coalesce(modified_at, pulled_at) AS enriched_at
FROM exports.crm_contacts
WHERE email IS NOT NULL AND siren IS NOT NULL
ORDER BY email
