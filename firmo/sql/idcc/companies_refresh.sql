-- core.companies with idcc_codes taken from {{codes}} (core.company_idcc_codes being published):
-- the same rows and columns otherwise. The SIRENE load builds core.companies with this join
-- (firmo/sql/sirene/companies.sql); this refresh is what an IDCC load that comes after it runs,
-- so whichever of the two loads last, core.companies has the current agreements.
CREATE TABLE {{target}} AS
SELECT c.* REPLACE (ic.idcc_codes AS idcc_codes)
FROM {{companies}} c
LEFT JOIN {{codes}} ic ON ic.siren = c.siren
