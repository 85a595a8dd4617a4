-- core.companies: one row per legal unit (SIREN) with its head-office establishment, its
-- activity, size, legal form and place, in snake_case English with reference labels.
-- Identifiers {{ul}}, {{etab}}, {{target}} are the (staging or live) SIRENE tables and the output;
-- {{idcc}} is core.company_idcc_codes (siren, idcc_codes), published by the IDCC load, or its empty
-- stand-in when that is not loaded (the IDCC load refreshes the column when it comes later).
--
-- Rules worth knowing (sirene.md):
-- * The head office is the establishment whose SIRET is siren + nicSiegeUniteLegale.
-- * `1900-01-01` means "unknown date" (§3.2): creation_date is NULL then.
-- * Two activity codes, NAF rév. 2 (`naf_code`) and NAF 2025 (`naf2025_code`), each with where
--   it comes from (`naf_source`, `naf2025_source`; firmo/reference/naf.py explains the two).
--   SIRENE's own code first: activitePrincipaleUniteLegale is NAF 2025 when the unit's
--   nomenclature says NAF2025 or when the code is a NAF 2025 code (after 1 January 2027 a unit
--   may be recoded before its nomenclature column is), otherwise it is the rév. 2 code (or an
--   older nomenclature's, kept by ceased units: naf_nomenclature says which, unchanged from
--   SIRENE); activitePrincipaleNAF25UniteLegale is SIRENE's NAF 2025 code of a rév. 2 unit (INSEE
--   recodes units one by one: it may differ from the correspondence). A missing code comes
--   from INSEE's correspondence when it is one code: forward when the rév. 2 code has a single
--   target, back when the NAF 2025 code has a single antecedent; else NULL with the reason
--   ('split: no 1-to-1 correspondence', 'merge: no 1-to-1 correspondence', 'unknown code',
--   'no NAF 2025 counterpart', 'NAFRev1: no correspondence', 'no activity code').
-- * section / division columns follow each code (NULL for a code outside the nomenclature).
-- * caractereEmployeurUniteLegale is no longer managed (always NULL), so `employer` is true when
--   the unit declares a salaried headcount band or any active establishment is an employer.
-- * département from the commune code, never from the postal code (masked for P units).
-- * P units keep INSEE's `[ND]` values as they are; `diffusible` is false and later stages
--   (leads, enrichment, exports) exclude them.
CREATE TABLE {{target}} AS
WITH est AS (
    SELECT
        siren,
        count(*) AS establishments,
        count(*) FILTER (WHERE etatAdministratifEtablissement = 'A') AS active_establishments,
        bool_or(caractereEmployeurEtablissement = 'O' AND etatAdministratifEtablissement = 'A') AS employer_establishment
    FROM {{etab}}
    GROUP BY siren
),
base AS (
    SELECT
        u.siren,
        u.siren || u.nicSiegeUniteLegale AS siret_siege,
        CASE
            WHEN u.categorieJuridiqueUniteLegale = '1000' AND u.nomUniteLegale = '[ND]' THEN '[ND]'
            WHEN u.categorieJuridiqueUniteLegale = '1000'
                THEN nullif(trim(concat_ws(' ', coalesce(u.prenomUsuelUniteLegale, u.prenom1UniteLegale),
                                             coalesce(u.nomUsageUniteLegale, u.nomUniteLegale))), '')
            ELSE coalesce(u.denominationUniteLegale, u.denominationUsuelle1UniteLegale)
        END AS name,
        u.sigleUniteLegale AS acronym,
        u.categorieJuridiqueUniteLegale = '1000' AS is_person,
        u.statutDiffusionUniteLegale AS diffusion_status,
        u.statutDiffusionUniteLegale = 'O' AS diffusible,
        u.etatAdministratifUniteLegale = 'A' AS active,
        CASE WHEN u.etatAdministratifUniteLegale = 'C' THEN u.dateDebut END AS closed_since,
        nullif(u.dateCreationUniteLegale, DATE '1900-01-01') AS creation_date,
        u.activitePrincipaleUniteLegale AS activity_code,
        u.nomenclatureActivitePrincipaleUniteLegale AS naf_nomenclature,
        u.activitePrincipaleNAF25UniteLegale AS sirene_naf2025_code,
        u.trancheEffectifsUniteLegale AS headcount_band,
        u.anneeEffectifsUniteLegale AS headcount_year,
        u.categorieJuridiqueUniteLegale AS legal_form_code,
        u.categorieEntreprise AS company_category,
        u.economieSocialeSolidaireUniteLegale = 'O' AS social_economy,
        u.societeMissionUniteLegale = 'O' AS mission_company,
        u.dateDernierTraitementUniteLegale AS sirene_updated_at,
        e.siret IS NOT NULL AS head_office_found,
        nullif(concat_ws(' ', e.numeroVoieEtablissement, e.indiceRepetitionEtablissement,
                         e.typeVoieEtablissement, e.libelleVoieEtablissement), '') AS street,
        e.complementAdresseEtablissement AS address_complement,
        e.codePostalEtablissement AS postal_code,
        e.codeCommuneEtablissement AS commune_code,
        coalesce(e.libelleCommuneEtablissement, e.libelleCommuneEtrangerEtablissement) AS commune_name,
        e.libellePaysEtrangerEtablissement AS foreign_country,
        firmo_departement(e.codeCommuneEtablissement) AS departement_code,
        coalesce(est.establishments, 0) AS establishments,
        coalesce(est.active_establishments, 0) AS active_establishments,
        coalesce(est.employer_establishment, false) AS employer_establishment
    FROM {{ul}} u
    LEFT JOIN {{etab}} e ON e.siret = u.siren || u.nicSiegeUniteLegale
    LEFT JOIN est ON est.siren = u.siren
),
forward AS (   -- rév. 2 code -> its NAF 2025 target when it has a single one
    SELECT naf_rev2 AS code, CASE WHEN count(*) = 1 THEN any_value(naf2025) END AS single, count(*) AS n
    FROM ref.naf_rev2_to_naf2025 GROUP BY naf_rev2
),
backward AS (  -- NAF 2025 code -> its rév. 2 antecedent when it has a single one
    SELECT naf2025 AS code, CASE WHEN count(*) = 1 THEN any_value(naf_rev2) END AS single, count(*) AS n
    FROM ref.naf_rev2_to_naf2025 GROUP BY naf2025
),
coded AS (     -- which nomenclature activitePrincipaleUniteLegale is in
    SELECT
        b.*,
        CASE WHEN n25.code IS NOT NULL THEN true
             WHEN nr2.code IS NOT NULL THEN false
             ELSE coalesce(b.naf_nomenclature = 'NAF2025', false) END AS in_naf2025
    FROM base b
    LEFT JOIN ref.naf2025_codes n25 ON n25.code = b.activity_code
    LEFT JOIN ref.naf_codes nr2 ON nr2.code = b.activity_code
),
own AS (       -- SIRENE's own code in each nomenclature
    SELECT
        *,
        CASE WHEN NOT in_naf2025 THEN activity_code END AS sirene_naf_code,
        CASE WHEN in_naf2025 THEN coalesce(activity_code, sirene_naf2025_code) ELSE sirene_naf2025_code END AS sirene_naf2025
    FROM coded
),
naf AS (
    SELECT
        o.*,
        coalesce(o.sirene_naf_code, bw.single) AS naf_code,
        CASE WHEN o.sirene_naf_code IS NOT NULL THEN 'sirene'
             WHEN o.sirene_naf2025 IS NULL THEN 'no activity code'
             WHEN bw.single IS NOT NULL THEN 'correspondence'
             WHEN bw.n > 1 THEN 'merge: no 1-to-1 correspondence'
             WHEN n25.code IS NOT NULL THEN 'no NAF rév. 2 counterpart'
             ELSE 'unknown code' END AS naf_source,
        coalesce(o.sirene_naf2025, fw.single) AS naf2025_code,
        CASE WHEN o.sirene_naf2025 IS NOT NULL THEN 'sirene'
             WHEN o.sirene_naf_code IS NULL THEN 'no activity code'
             WHEN fw.single IS NOT NULL THEN 'correspondence'
             WHEN fw.n > 1 THEN 'split: no 1-to-1 correspondence'
             WHEN o.naf_nomenclature NOT IN ('NAFRev2', 'NAF2025') THEN o.naf_nomenclature || ': no correspondence'
             ELSE 'unknown code' END AS naf2025_source
    FROM own o
    LEFT JOIN forward fw ON fw.code = o.sirene_naf_code
    LEFT JOIN backward bw ON bw.code = o.sirene_naf2025
    LEFT JOIN ref.naf2025_codes n25 ON n25.code = o.sirene_naf2025
)
SELECT
    b.siren,
    b.siret_siege,
    b.name,
    b.acronym,
    b.is_person,
    b.diffusion_status,
    b.diffusible,
    b.active,
    b.closed_since,
    b.creation_date,
    b.naf_code,
    b.naf_nomenclature,
    b.naf_source,
    d.section AS naf_section,
    s.label AS naf_section_label,
    nc.division AS naf_division,
    d.label AS naf_division_label,
    b.naf2025_code,
    b.naf2025_source,
    d25.section AS naf2025_section,
    n25.division AS naf2025_division,
    d25.label AS naf2025_division_label,
    b.headcount_band,
    hb.min_employees AS headcount_min,
    hb.max_employees AS headcount_max,
    b.headcount_year,
    coalesce(hb.employer, false) OR b.employer_establishment AS employer,
    b.legal_form_code,
    cj3.label AS legal_form_label,
    left(b.legal_form_code, 2) AS legal_form_level2,
    cj2.label AS legal_form_level2_label,
    left(b.legal_form_code, 1) AS legal_form_level1,
    cj1.label AS legal_form_level1_label,
    b.company_category,
    b.social_economy,
    b.mission_company,
    b.head_office_found,
    b.street,
    b.address_complement,
    b.postal_code,
    b.commune_code,
    b.commune_name,
    b.foreign_country,
    b.departement_code,
    dep.name AS departement_name,
    dep.region_code,
    reg.name AS region_name,
    b.establishments,
    b.active_establishments,
    b.sirene_updated_at,
    ic.idcc_codes   -- the collective agreements of its establishments (DSN), 9999 left out
FROM naf b
LEFT JOIN ref.naf_codes nc ON nc.code = b.naf_code
LEFT JOIN ref.naf_divisions d ON d.code = nc.division
LEFT JOIN ref.naf_sections s ON s.code = d.section
LEFT JOIN ref.naf2025_codes n25 ON n25.code = b.naf2025_code
LEFT JOIN ref.naf2025_divisions d25 ON d25.code = n25.division
LEFT JOIN ref.headcount_bands hb ON hb.code = b.headcount_band
LEFT JOIN ref.categories_juridiques_n3 cj3 ON cj3.code = b.legal_form_code
LEFT JOIN ref.categories_juridiques_n2 cj2 ON cj2.code = left(b.legal_form_code, 2)
LEFT JOIN ref.categories_juridiques_n1 cj1 ON cj1.code = left(b.legal_form_code, 1)
LEFT JOIN ref.departements dep ON dep.code = b.departement_code
LEFT JOIN ref.regions reg ON reg.code = dep.region_code
LEFT JOIN {{idcc}} ic ON ic.siren = b.siren
