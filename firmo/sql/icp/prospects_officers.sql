-- Step 1 of core.prospects: each company's active officers as a role set and an ordered contact
-- list, for one bucket of SIRENs ($bucket of $buckets). Ordered list aggregates do not spill to
-- disk, so 9M officers are aggregated a bucket at a time to stay within the memory limit.
-- Contacts are in the order a tie between two holders of a target role is broken: a person
-- before a company officer, then the most recent in office, then by name.
-- An officer holding several roles (role_codes) counts for each of them; a table loaded before
-- role_codes existed has NULL there, and role_code alone then stands for it.
-- Identifiers: {{officers}}.
SELECT
    siren,
    list_sort(list_distinct(flatten(list(coalesce(role_codes, [role_code]))))) AS role_codes,
    list({'role_code': role_code, 'role_codes': coalesce(role_codes, [role_code]), 'role_label': role_label,
          'kind': officer_kind, 'given_names': given_names,
          'family_name': family_name, 'company_name': company_officer_name}
         ORDER BY officer_kind <> 'person', start_date DESC NULLS LAST, family_name, given_names,
                  company_officer_name, role_code) AS contacts
FROM {{officers}}
WHERE active AND role_code IS NOT NULL AND hash(siren) % $buckets = $bucket
GROUP BY siren
