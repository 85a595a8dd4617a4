-- core.labels rows from labels.spectacle: valid receipts only; valid from date_validite, until a
-- licence expiry date when one is given (ISO or French dates).
SELECT substr(siren_siret, 1, 9) AS siren,
       CASE WHEN length(siren_siret) = 14 THEN siren_siret END AS siret,
       'spectacle' AS label,
       concat_ws(' ', 'catégorie ' || nullif(trim(categorie), ''), '(' || nullif(trim(numero_recepisse), '') || ')')
           AS detail,
       CAST(coalesce(try_strptime(left(trim(date_validite), 10), '%Y-%m-%d'),
                     try_strptime(left(trim(date_validite), 10), '%d/%m/%Y')) AS DATE) AS valid_from,
       CAST(coalesce(try_strptime(left(trim(date_expire_licence), 10), '%Y-%m-%d'),
                     try_strptime(left(trim(date_expire_licence), 10), '%d/%m/%Y')) AS DATE) AS valid_to,
       'spectacle' AS source
FROM {{raw}}
WHERE siren_siret IS NOT NULL AND trim(statut_recepisse) = 'Valide'
