-- core.labels rows from labels.achats_responsables (per SIREN; PERIMETRE as detail).
SELECT "SIREN" AS siren, CAST(NULL AS VARCHAR) AS siret, 'achats_responsables' AS label,
       nullif(trim("PERIMETRE"), '') AS detail, CAST(NULL AS DATE) AS valid_from, CAST(NULL AS DATE) AS valid_to,
       'achats_responsables' AS source
FROM {{raw}}
WHERE "SIREN" IS NOT NULL
