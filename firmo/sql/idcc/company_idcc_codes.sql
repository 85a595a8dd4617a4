-- core.company_idcc_codes: per SIREN, the distinct agreements of its establishments, sorted: what
-- core.companies.idcc_codes shows (a company without a row there has NULL).
CREATE TABLE {{target}} AS
SELECT siren, list_sort(list_distinct(list(idcc))) AS idcc_codes
FROM {{company_idcc}}
GROUP BY siren
ORDER BY siren
