-- core.job_offers: every offer of {{offres}} with the establishment it is credited to, if any.
-- Inputs: the temporary tables of match_offers_input.sql and match_names_input.sql. Parameter: $threshold (FIRMO_JOBS_MATCH_THRESHOLD).
--
-- Candidates: names in the offer's place (INSEE commune, Paris/Lyon/Marseille arrondissements
-- as one; the postal code when the offer has no commune) that are equal to the offer's name or
-- share its first or last four characters (blocking: one hash join, no comparison of every
-- pair of a big city).
-- Confidence = name x place x NAF, each factor in 0..1:
--   name   1.0 equal after normalisation, 0.98 equal without spaces, else Jaro-Winkler (kept from
--          0.90; never fuzzy under 5 characters, where one letter changes the company);
--   place  1.0 same commune, 0.95 same postal code only;
--   NAF    1.0 the offer's codeNAF is the establishment's or its unit's, 0.95 same division,
--          0.90 no codeNAF on the offer, 0.80 another activity;
--   then x 0.80 when another company (SIREN) scores within 0.02 of the best (ambiguous), unless
--   the best has the very name and the other only a similar one (DUPONT beside DUPOND).
-- Temp agencies (NAF 78.xx on the offer, or the credited establishment's) are never credited:
-- temp_agency = true, siren NULL. Anonymous offers (no entreprise.nom) are not matched.
-- Below the threshold: siren NULL, the best confidence kept, method 'below_threshold:<method>'.
CREATE TABLE {{target}} AS
WITH offer_keys AS (
    SELECT offer_id, norm, naf_code, commune_key IS NOT NULL AS by_commune,
           coalesce(commune_key, 'cp:' || postal_code) AS place_key,
           unnest([norm, 'p:' || left(norm, 4), 's:' || right(norm, 4)]) AS k
    FROM jobs_match_offers
    WHERE norm IS NOT NULL AND (commune_key IS NOT NULL OR postal_code IS NOT NULL)
),
name_keys AS (
    SELECT *, unnest([norm, 'p:' || left(norm, 4), 's:' || right(norm, 4)]) AS k
    FROM (
        SELECT siret, siren, est_naf, unit_naf, is_siege, kind, norm, commune_key AS place_key
        FROM jobs_match_names WHERE commune_key IS NOT NULL
        UNION ALL
        SELECT siret, siren, est_naf, unit_naf, is_siege, kind, norm, 'cp:' || postal_code
        FROM jobs_match_names WHERE postal_code IS NOT NULL
    )
),
pairs AS (
    SELECT DISTINCT o.offer_id, o.norm AS offer_norm, o.naf_code, o.by_commune,
           n.siret, n.siren, n.est_naf, n.unit_naf, n.is_siege, n.kind, n.norm
    FROM offer_keys o
    JOIN name_keys n ON n.place_key = o.place_key AND n.k = o.k
),
named AS (
    SELECT *,
           CASE WHEN offer_norm = norm THEN 1.0
                WHEN replace(offer_norm, ' ', '') = replace(norm, ' ', '') THEN 0.98
                WHEN least(length(offer_norm), length(norm)) < 5 THEN 0.0
                ELSE jaro_winkler_similarity(offer_norm, norm) END AS name_sim,
           CASE WHEN naf_code IS NULL THEN 'unknown'
                WHEN naf_code IN (est_naf, unit_naf) THEN 'code'
                WHEN left(naf_code, 2) IN (left(est_naf, 2), left(unit_naf, 2)) THEN 'division'
                ELSE 'other' END AS naf_match
    FROM pairs
),
scored AS (
    SELECT *,
           name_sim
             * CASE WHEN by_commune THEN 1.0 ELSE 0.95 END
             * CASE naf_match WHEN 'code' THEN 1.0 WHEN 'division' THEN 0.95 WHEN 'unknown' THEN 0.90 ELSE 0.80 END
             AS score,
           kind || '_' || CASE WHEN name_sim = 1.0 THEN 'exact' WHEN name_sim = 0.98 THEN 'compact' ELSE 'fuzzy' END
             || '+' || CASE WHEN by_commune THEN 'commune' ELSE 'postal_code' END
             || '+naf_' || naf_match AS method
    FROM named
    WHERE name_sim >= 0.90
),
per_siren AS (   -- a company's best establishment for the offer
    SELECT * FROM scored
    QUALIFY row_number() OVER (
        PARTITION BY offer_id, siren
        ORDER BY score DESC, (naf_code = est_naf) DESC NULLS LAST, is_siege DESC, siret) = 1
),
ranked AS (
    SELECT *, row_number() OVER w AS rank, lead(score) OVER w AS runner_up, lead(name_sim) OVER w AS runner_up_sim
    FROM per_siren
    WINDOW w AS (PARTITION BY offer_id ORDER BY score DESC, is_siege DESC, siret)
),
best AS (
    SELECT offer_id, siren, siret, est_naf, unit_naf,
           score * CASE WHEN ambiguous THEN 0.80 ELSE 1.0 END AS confidence,
           method || CASE WHEN ambiguous THEN '+ambiguous' ELSE '' END AS method
    FROM (
        SELECT *, coalesce(runner_up >= score - 0.02 AND (name_sim < 1.0 OR runner_up_sim = 1.0), false) AS ambiguous
        FROM ranked WHERE rank = 1
    )
),
decided AS (
    SELECT o.*, b.siren AS best_siren, b.siret AS best_siret, b.confidence, b.method,
           coalesce(b.confidence >= $threshold, false) AS accepted,
           m.norm IS NULL AS anonymous,
           starts_with(coalesce(m.naf_code, ''), '78')
             OR coalesce(b.confidence >= $threshold
                         AND (starts_with(coalesce(b.est_naf, ''), '78') OR starts_with(coalesce(b.unit_naf, ''), '78')),
                         false)
             AS temp_agency,
           b.est_naf AS best_naf
    FROM {{offres}} o
    JOIN jobs_match_offers m ON m.offer_id = o.id
    LEFT JOIN best b ON b.offer_id = o.id
)
SELECT id AS offer_id,
       CASE WHEN accepted AND NOT temp_agency THEN best_siren END AS siren,
       CASE WHEN accepted AND NOT temp_agency THEN best_siret END AS siret,
       round(coalesce(confidence, 0.0), 4)::DOUBLE AS match_confidence,
       CASE WHEN anonymous THEN 'anonymous'
            WHEN temp_agency THEN 'temp_agency'
            WHEN confidence IS NULL THEN 'no_candidate'
            WHEN NOT accepted THEN 'below_threshold:' || method
            ELSE method END AS match_method,
       CAST(dateCreation AS DATE) AS created_date,
       CAST(dateActualisation AS DATE) AS updated_date,
       intitule AS title,
       romeCode AS rome_code,
       romeLibelle AS rome_label,
       typeContrat AS contract_type,
       nombrePostes AS positions,
       lieuTravail_commune AS commune_code,
       coalesce(nullif(upper(trim(codeNAF)), ''), CASE WHEN accepted THEN best_naf END) AS naf_code,
       temp_agency,
       'france_travail' AS source
FROM decided
ORDER BY offer_id;
