-- core.labels rows from the SIRENE flag societeMissionUniteLegale = 'O' (format 3.11 onwards).
SELECT siren, CAST(NULL AS VARCHAR) AS siret, 'entreprise_a_mission' AS label, 'SIRENE' AS detail,
       CAST(NULL AS DATE) AS valid_from, CAST(NULL AS DATE) AS valid_to, 'sirene' AS source
FROM {{units}}
WHERE "societeMissionUniteLegale" = 'O'
