-- core.labels rows from labels.agence_bio: only operators with a certificate ENGAGEE, valid from
-- its dateEngagement; `siret` holds a SIRET or a SIREN (then siret is NULL).
WITH certificates AS (
    SELECT siret AS id, unnest(from_json(certificats,
        '[{"numeroControleEu": "VARCHAR", "organisme": "VARCHAR", "etatCertification": "VARCHAR",
           "dateEngagement": "VARCHAR"}]')) AS c
    FROM {{raw}}
    WHERE siret IS NOT NULL AND certificats IS NOT NULL
)
SELECT substr(id, 1, 9) AS siren,
       CASE WHEN length(id) = 14 THEN id END AS siret,
       'bio' AS label,
       nullif(concat_ws(' ', nullif(trim(c.organisme), ''), '(' || nullif(trim(c.numeroControleEu), '') || ')'), '')
           AS detail,
       TRY_CAST(left(c.dateEngagement, 10) AS DATE) AS valid_from,
       CAST(NULL AS DATE) AS valid_to,
       'agence_bio' AS source
FROM certificates
WHERE c.etatCertification = 'ENGAGEE'
