-- core.companies: one row per legal unit (SIREN) with its head-office establishment, its
-- activity, size, legal form and place, in snake_case English with reference labels.
-- Identifiers {{ul}}, {{etab}}, {{target}} are the (staging or live) SIRENE tables and the output.
--
-- Rules worth knowing (sirene.md):
-- * The head office is the establishment whose SIRET is siren + nicSiegeUniteLegale.
-- * `1900-01-01` means "unknown date" (§3.2): creation_date is NULL then.
-- * naf_code keeps the unit's code in whatever nomenclature it has (closed units keep old
--   ones); section / division labels only resolve for NAFRev2 codes. NAF 2025 kept apart.
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
        u.activitePrincipaleUniteLegale AS naf_code,
        u.nomenclatureActivitePrincipaleUniteLegale AS naf_nomenclature,
        u.activitePrincipaleNAF25UniteLegale AS naf25_code,
        CASE WHEN u.nomenclatureActivitePrincipaleUniteLegale = 'NAFRev2'
             THEN left(u.activitePrincipaleUniteLegale, 2) END AS naf_division,
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
    b.naf25_code,
    d.section AS naf_section,
    s.label AS naf_section_label,
    b.naf_division,
    d.label AS naf_division_label,
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
    b.sirene_updated_at
FROM base b
LEFT JOIN ref.naf_divisions d ON d.code = b.naf_division
LEFT JOIN ref.naf_sections s ON s.code = d.section
LEFT JOIN ref.headcount_bands hb ON hb.code = b.headcount_band
LEFT JOIN ref.categories_juridiques_n3 cj3 ON cj3.code = b.legal_form_code
LEFT JOIN ref.categories_juridiques_n2 cj2 ON cj2.code = left(b.legal_form_code, 2)
LEFT JOIN ref.categories_juridiques_n1 cj1 ON cj1.code = left(b.legal_form_code, 1)
LEFT JOIN ref.departements dep ON dep.code = b.departement_code
LEFT JOIN ref.regions reg ON reg.code = dep.region_code
