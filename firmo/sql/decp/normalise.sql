-- Typed, cleaned DECP rows from the all-text rows read from a file or the tabular API.
-- {{source}}: the publisher's column names as VARCHAR, plus __row (0-based record index) and
-- __source (file or URL). {{target}}: the same names typed as decp.marches stores them, plus
-- repairs (what was changed, one note each), __reject (why the row is quarantined, NULL if kept).
-- Parameters: $today (later dates are nulled), $min_date (earlier dates are typos: 0002-11-30).
CREATE OR REPLACE TEMP TABLE {{target}} AS
WITH c AS (
    SELECT *,
        decp_nospace(titulaire_id) AS _tid,
        coalesce(decp_text(titulaire_typeIdentifiant),
                 CASE WHEN length(decp_nospace(titulaire_id)) = 14 THEN 'SIRET' END) AS _ttype,
        decp_text(montant) AS _montant_text,
        decp_float(montant) AS _montant,
        decp_date(dateNotification) AS _notif,
        decp_date(datePublicationDonnees) AS _pub,
        decp_cpv(codeCPV) AS _cpv
    FROM {{source}}
)
SELECT
    decp_text(uid) AS uid,
    decp_text(id) AS id,
    decp_text(nature) AS nature,
    decp_siret(decp_nospace(acheteur_id)) AS acheteur_id,
    decp_text(acheteur_nom) AS acheteur_nom,
    CASE WHEN _ttype = 'SIRET' THEN decp_siret(_tid) ELSE _tid END AS titulaire_id,
    _ttype AS titulaire_typeIdentifiant,
    decp_text(titulaire_nom) AS titulaire_nom,
    decp_text(objet) AS objet,
    CASE WHEN _montant >= 0 AND _montant < 1e11 AND _montant <> 12311111111 THEN _montant END AS montant,
    decp_text("type") AS "type",
    _cpv AS codeCPV,
    decp_text("procedure") AS "procedure",
    decp_text(techniques) AS techniques,
    decp_int(dureeMois) AS dureeMois,
    decp_float(dureeRestanteMois) AS dureeRestanteMois,
    decp_int(offresRecues) AS offresRecues,
    CASE WHEN _notif BETWEEN $min_date AND $today THEN _notif END AS dateNotification,
    CASE WHEN _pub BETWEEN $min_date AND $today THEN _pub END AS datePublicationDonnees,
    decp_text(formePrix) AS formePrix,
    decp_text(typesPrix) AS typesPrix,
    decp_bool(attributionAvance) AS attributionAvance,
    decp_float(tauxAvance) AS tauxAvance,
    decp_bool(marcheInnovant) AS marcheInnovant,
    decp_text(modalitesExecution) AS modalitesExecution,
    decp_text(considerationsSociales) AS considerationsSociales,
    decp_text(considerationsEnvironnementales) AS considerationsEnvironnementales,
    decp_text(ccag) AS ccag,
    decp_bool(sousTraitanceDeclaree) AS sousTraitanceDeclaree,
    decp_text(typeGroupementOperateurs) AS typeGroupementOperateurs,
    decp_float(origineUE) AS origineUE,
    decp_float(origineFrance) AS origineFrance,
    decp_nospace(lieuExecution_code) AS lieuExecution_code,
    decp_text(lieuExecution_typeCode) AS lieuExecution_typeCode,
    decp_text(idAccordCadre) AS idAccordCadre,
    decp_int(titulaire_distance) AS titulaire_distance,
    decp_text(acheteur_categorie) AS acheteur_categorie,
    decp_text(acheteur_commune_code) AS acheteur_commune_code,
    decp_text(acheteur_commune_nom) AS acheteur_commune_nom,
    decp_text(acheteur_departement_code) AS acheteur_departement_code,
    decp_text(acheteur_departement_nom) AS acheteur_departement_nom,
    decp_text(acheteur_region_code) AS acheteur_region_code,
    decp_text(acheteur_region_nom) AS acheteur_region_nom,
    decp_float(acheteur_latitude) AS acheteur_latitude,
    decp_float(acheteur_longitude) AS acheteur_longitude,
    decp_text(titulaire_categorie) AS titulaire_categorie,
    decp_text(titulaire_commune_code) AS titulaire_commune_code,
    decp_text(titulaire_commune_nom) AS titulaire_commune_nom,
    decp_text(titulaire_departement_code) AS titulaire_departement_code,
    decp_text(titulaire_departement_nom) AS titulaire_departement_nom,
    decp_text(titulaire_region_code) AS titulaire_region_code,
    decp_text(titulaire_region_nom) AS titulaire_region_nom,
    decp_float(titulaire_latitude) AS titulaire_latitude,
    decp_float(titulaire_longitude) AS titulaire_longitude,
    decp_int(modification_id) AS modification_id,
    decp_bool(donneesActuelles) AS donneesActuelles,
    decp_text(sourceDataset) AS sourceDataset,
    decp_text(sourceFile) AS sourceFile,
    list_filter([
        CASE WHEN _ttype = 'SIRET' AND length(_tid) BETWEEN 11 AND 13 AND NOT regexp_matches(_tid, '[^0-9]')
             THEN 'titulaire_id: leading zeros restored' END,
        CASE WHEN decp_text(titulaire_typeIdentifiant) IS NULL AND _ttype = 'SIRET'
             THEN 'titulaire_typeIdentifiant: missing, 14-character id taken as SIRET' END,
        CASE WHEN _montant = 12311111111 THEN 'montant: sentinel 12311111111 -> NULL'
             WHEN _montant >= 1e11 THEN 'montant: integer part over 11 digits -> NULL'
             WHEN _montant < 0 THEN 'montant: negative -> NULL'
             WHEN _montant IS NULL AND _montant_text IS NOT NULL
             THEN 'montant: ' || left(_montant_text, 40) || ' is not a number -> NULL' END,
        CASE WHEN _cpv IS NULL AND decp_text(codeCPV) IS NOT NULL
             THEN 'codeCPV: ' || left(decp_text(codeCPV), 40) || ' is not a CPV code -> NULL' END,
        CASE WHEN _notif IS NULL AND decp_text(dateNotification) IS NOT NULL
             THEN 'dateNotification: ' || left(decp_text(dateNotification), 40) || ' unreadable -> NULL'
             WHEN _notif > $today THEN 'dateNotification: ' || CAST(_notif AS VARCHAR) || ' in the future -> NULL'
             WHEN _notif < $min_date THEN 'dateNotification: ' || left(decp_text(dateNotification), 40) || ' implausible -> NULL' END,
        CASE WHEN _pub IS NULL AND decp_text(datePublicationDonnees) IS NOT NULL
             THEN 'datePublicationDonnees: ' || left(decp_text(datePublicationDonnees), 40) || ' unreadable -> NULL'
             WHEN _pub > $today THEN 'datePublicationDonnees: ' || CAST(_pub AS VARCHAR) || ' in the future -> NULL'
             WHEN _pub < $min_date THEN 'datePublicationDonnees: ' || left(decp_text(datePublicationDonnees), 40) || ' implausible -> NULL' END
    ], lambda x: x IS NOT NULL) AS repairs,
    CASE WHEN decp_text(uid) IS NULL THEN 'uid missing'
         WHEN decp_bool(donneesActuelles) IS NULL
         THEN 'donneesActuelles is not true/false: ' || coalesce(left(donneesActuelles, 40), 'empty') END AS __reject,
    __row,
    __source
FROM c
