-- idcc.siret_idcc: the rows kept from {{parsed}}, with the publisher's column names. One row per
-- (MOIS, SIRET, IDCC): a repeated row keeps its latest DATE_MAJ. Stored in SIRET order, so a
-- lookup of one establishment reads one row group.
CREATE TABLE {{target}} AS
SELECT MOIS, SIRET, IDCC, max(DATE_MAJ) AS DATE_MAJ
FROM {{parsed}}
WHERE __reason IS NULL
GROUP BY MOIS, SIRET, IDCC
ORDER BY SIRET, IDCC, MOIS
