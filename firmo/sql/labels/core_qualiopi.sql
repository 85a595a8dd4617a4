-- core.labels rows from labels.qualiopi (DGEFP list, labelled CSV): every declaration number
-- makes an organisme_formation (valid_from: its latest declaration, in either of the list's two
-- date formats); a non-empty Certifications makes the company qualiopi too (no dates published).
WITH of AS (
    SELECT
        "Code SIREN" AS siren,
        "Siret Etablissement Déclarant" AS siret,
        "Numéro Déclaration Activité" AS nda,
        nullif(trim(denomination), '') AS denomination,
        nullif(trim("Certifications"), '') AS certifications,
        CAST(coalesce(
            try_strptime(left(trim("Date dernière déclaration"), 10), '%d/%m/%Y'),
            try_strptime(left(trim("Date dernière déclaration"), 10), '%Y-%m-%d')) AS DATE) AS declared
    FROM {{raw}}
    WHERE "Code SIREN" IS NOT NULL
)
SELECT siren, siret, 'organisme_formation' AS label,
       concat_ws(' ', 'NDA ' || nda, '(' || denomination || ')') AS detail,
       declared AS valid_from, CAST(NULL AS DATE) AS valid_to, 'qualiopi' AS source
FROM of
UNION ALL
SELECT siren, siret, 'qualiopi' AS label, certifications AS detail, CAST(NULL AS DATE), CAST(NULL AS DATE), 'qualiopi'
FROM of
WHERE certifications IS NOT NULL
