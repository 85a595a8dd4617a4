-- Step 1 of core.prospects: each company's active officers as a role set and an ordered contact
-- list, for one bucket of SIRENs ($bucket of $buckets). Ordered list aggregates do not spill to
-- disk, so 9M officers are aggregated a bucket at a time to stay within the memory limit.
-- A company officer (a holding) is looked through (core.officer_resolution, firmo/lookthrough.py,
-- built just before): when it resolves to a natural person, its contact has kind 'holding' and the
-- person's names (company_name stays the holding's), with `resolution` (the outcome) and `via`
-- (the chain in words); unresolved, it stays kind 'company', with the reason in `via`.
-- Contacts are in the order a tie between two holders of a target role is broken: a person
-- before a person found behind a holding before a company, then the most recent in office, then
-- by name.
-- An officer holding several roles (role_codes) counts for each of them; a table loaded before
-- role_codes existed has NULL there, and role_code alone then stands for it.
-- Identifiers: {{officers}}.
WITH officer AS (
    SELECT o.siren, o.role_code, coalesce(o.role_codes, [o.role_code]) AS role_codes, o.role_label, o.start_date,
           o.company_officer_name,
           CASE WHEN o.officer_kind = 'company' AND r.outcome IN ('representative', 'resolved') THEN 'holding'
                ELSE o.officer_kind END AS kind,
           CASE WHEN o.officer_kind = 'company' THEN r.person_given_names ELSE o.given_names END AS given_names,
           CASE WHEN o.officer_kind = 'company' THEN r.person_family_name ELSE o.family_name END AS family_name,
           r.outcome AS resolution,
           CASE WHEN r.outcome IN ('representative', 'resolved') THEN r.via
                WHEN r.outcome IS NOT NULL THEN r.via || ' (not looked through: ' || r.reason || ')' END AS via
    FROM {{officers}} o
    LEFT JOIN core.officer_resolution r
           ON o.officer_kind = 'company' AND r.siren = o.siren
          AND r.representant_id IS NOT DISTINCT FROM o.representant_id
          AND r.company_officer_siren IS NOT DISTINCT FROM o.company_officer_siren
          AND r.company_officer_name IS NOT DISTINCT FROM o.company_officer_name
          AND r.role_code IS NOT DISTINCT FROM o.role_code
    WHERE o.active AND o.role_code IS NOT NULL AND hash(o.siren) % $buckets = $bucket
)
SELECT
    siren,
    list_sort(list_distinct(flatten(list(role_codes)))) AS role_codes,
    list({'role_code': role_code, 'role_codes': role_codes, 'role_label': role_label,
          'kind': kind, 'given_names': given_names,
          'family_name': family_name, 'company_name': company_officer_name,
          'resolution': resolution, 'via': via}
         ORDER BY CASE kind WHEN 'person' THEN 0 WHEN 'holding' THEN 1 ELSE 2 END, start_date DESC NULLS LAST,
                  family_name, given_names, company_officer_name, role_code) AS contacts
FROM officer
GROUP BY siren
