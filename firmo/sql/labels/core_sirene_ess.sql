-- core.labels rows from the SIRENE flag economieSocialeSolidaireUniteLegale = 'O'.
SELECT siren, CAST(NULL AS VARCHAR) AS siret, 'ess' AS label, 'SIRENE' AS detail,
       CAST(NULL AS DATE) AS valid_from, CAST(NULL AS DATE) AS valid_to, 'sirene' AS source
FROM {{units}}
WHERE "economieSocialeSolidaireUniteLegale" = 'O'
