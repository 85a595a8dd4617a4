-- core.labels rows from labels.rge: one per SIRET x domaine x qualification (the organismes
-- collapse when they give the same pair). 2099-01-01 is the publisher's "no end": NULL here.
SELECT
    substr(siret, 1, 9) AS siren,
    siret,
    'rge' AS label,
    nullif(concat_ws(' / ',
        nullif(regexp_replace(trim(domaine), '\s+', ' ', 'g'), ''),
        nullif(trim(nom_qualification), '')), '') AS detail,
    TRY_CAST(left(lien_date_debut, 10) AS DATE) AS valid_from,
    CASE WHEN TRY_CAST(left(lien_date_fin, 10) AS DATE) >= DATE '2099-01-01' THEN NULL
         ELSE TRY_CAST(left(lien_date_fin, 10) AS DATE) END AS valid_to,
    'rge' AS source
FROM {{raw}}
WHERE siret IS NOT NULL
