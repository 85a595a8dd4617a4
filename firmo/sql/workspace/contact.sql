-- The company's enriched contact in one enriched lead list ({{leads}} = leads.<icp>_enriched):
-- each value with the provider that found it and when (firmo.icp.leads.CONTACT_COLUMNS).
SELECT first_name, last_name, job_title, website_domain, domain_source,
       email, email_status, email_source, email_found_at,
       phone, phone_type, phone_source, phone_found_at
FROM {{leads}}
WHERE siren = $siren
