-- core.labels rows from labels.siae: the kind (EI, ACI, ETTI, EA, ESAT...) as detail; a
-- structure the marketplace marks inactive is left out.
SELECT substr(siret, 1, 9) AS siren, siret, 'siae' AS label, nullif(trim(kind), '') AS detail,
       CAST(NULL AS DATE) AS valid_from, CAST(NULL AS DATE) AS valid_to, 'siae' AS source
FROM {{raw}}
WHERE siret IS NOT NULL AND coalesce(lower(is_active), 'true') <> 'false'
