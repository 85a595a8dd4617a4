-- core.labels rows from labels.ess_france (one per SIREN; the family, e.g. Associations, as detail).
SELECT "SIREN" AS siren, CAST(NULL AS VARCHAR) AS siret, 'ess' AS label,
       nullif(trim("Famille juridique de l'entreprise"), '') AS detail,
       CAST(NULL AS DATE) AS valid_from, CAST(NULL AS DATE) AS valid_to, 'ess_france' AS source
FROM {{raw}}
WHERE "SIREN" IS NOT NULL
