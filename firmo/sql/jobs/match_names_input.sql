-- jobs_match_names: see match_offers_input.sql. Identifiers: {{ul}}, {{etab}} (sirene.unites_legales, sirene.etablissements).
CREATE OR REPLACE TEMP TABLE jobs_match_names AS
WITH places AS (
    SELECT DISTINCT commune_key FROM jobs_match_offers WHERE commune_key IS NOT NULL
),
postcodes AS (
    SELECT DISTINCT postal_code FROM jobs_match_offers WHERE commune_key IS NULL AND postal_code IS NOT NULL
),
est AS (
    SELECT e.siret, e.siren,
           jobs_commune_key(e.codeCommuneEtablissement) AS commune_key,
           e.codePostalEtablissement AS postal_code,
           e.activitePrincipaleEtablissement AS est_naf,
           u.activitePrincipaleUniteLegale AS unit_naf,
           e.siret = u.siren || u.nicSiegeUniteLegale AS is_siege,
           u.denominationUniteLegale AS denomination,
           u.sigleUniteLegale AS sigle,
           u.denominationUsuelle1UniteLegale AS denomination_usuelle_unite,
           e.enseigne1Etablissement AS enseigne1,
           e.enseigne2Etablissement AS enseigne2,
           e.enseigne3Etablissement AS enseigne3,
           e.denominationUsuelleEtablissement AS denomination_usuelle,
           CASE WHEN u.categorieJuridiqueUniteLegale = '1000'
                THEN concat_ws(' ', coalesce(u.prenomUsuelUniteLegale, u.prenom1UniteLegale),
                               coalesce(u.nomUsageUniteLegale, u.nomUniteLegale)) END AS person_name
    FROM {{etab}} e
    JOIN {{ul}} u ON u.siren = e.siren
    WHERE e.etatAdministratifEtablissement = 'A'
      AND (jobs_commune_key(e.codeCommuneEtablissement) IN (SELECT commune_key FROM places)
           OR e.codePostalEtablissement IN (SELECT postal_code FROM postcodes))
),
long AS (
    UNPIVOT est
    ON denomination, sigle, denomination_usuelle_unite, enseigne1, enseigne2, enseigne3, denomination_usuelle, person_name
    INTO NAME kind VALUE name
)
SELECT DISTINCT siret, siren, commune_key, postal_code, est_naf, unit_naf, is_siege,
       CASE WHEN kind LIKE 'enseigne%' THEN 'enseigne'
            WHEN kind = 'denomination_usuelle_unite' THEN 'denomination_usuelle'
            ELSE kind END AS kind,
       jobs_norm_name(name) AS norm
FROM long
WHERE jobs_norm_name(name) IS NOT NULL;
