-- core.companies of a warehouse built before the column existed: the same rows, idcc_codes added
-- from {{codes}} (see companies_refresh.sql).
CREATE TABLE {{target}} AS
SELECT c.*, ic.idcc_codes
FROM {{companies}} c
LEFT JOIN {{codes}} ic ON ic.siren = c.siren
