-- The matcher's two inputs (sources/jobs/match.py), as temporary tables of this connection:
-- jobs_match_offers (one row per offer: normalised employer name, place, NAF) and
-- jobs_match_names (one row per name an active establishment is known by, in the offers' places
-- only: the unit's denomination, sigle and usual name, the establishment's enseignes and usual
-- name, a sole trader's first and last name).
-- Identifier: {{offres}} (jobs.offres); the names file takes the SIRENE tables.
CREATE OR REPLACE TEMP TABLE jobs_match_offers AS
SELECT id AS offer_id,
       jobs_norm_name(entreprise_nom) AS norm,
       jobs_commune_key(lieuTravail_commune) AS commune_key,
       nullif(trim(lieuTravail_codePostal), '') AS postal_code,
       nullif(upper(trim(codeNAF)), '') AS naf_code
FROM {{offres}};
