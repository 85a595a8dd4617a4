-- core.labels rows from labels.patrimoine_vivant (per SIRET; the file's other columns are not
-- documented, so no detail or dates are taken from them).
SELECT substr("SIRET", 1, 9) AS siren, "SIRET" AS siret, 'patrimoine_vivant' AS label,
       CAST(NULL AS VARCHAR) AS detail, CAST(NULL AS DATE) AS valid_from, CAST(NULL AS DATE) AS valid_to,
       'patrimoine_vivant' AS source
FROM {{raw}}
WHERE "SIRET" IS NOT NULL
