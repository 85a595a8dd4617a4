-- The company's officers from the RNE (inpi.officers), active first, then by start date.
SELECT officer_kind, given_names, family_name, company_officer_siren, company_officer_name, role_code, role_label,
       start_date, active, updated_at
FROM inpi.officers
WHERE siren = $siren
ORDER BY active DESC, start_date NULLS LAST, role_code
