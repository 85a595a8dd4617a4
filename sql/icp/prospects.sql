-- core.prospects: one row per company an ICP may target (active and diffusible: `P` units are
-- never prospected), with everything ICP filtering and scoring reads, so a preview is one scan
-- of one table: place, activity, size, legal form, latest revenue, the RNE role codes of its
-- active officers (as a role set: authority is ranked once per distinct set, not per company)
-- and their contact details, and its signals as a list (scoring weighs and decays them per ICP).
-- Sorted by NAF code (`naf_key`, '' when unknown): most ICPs filter on NAF, and DuckDB then
-- skips whole row groups.
-- Identifiers: {{target}}, {{companies}}, {{signals}}, {{officers}}, {{financials}}.
CREATE TABLE {{target}} AS
WITH sig AS (
    SELECT
        siren,
        list({'t': signal_type, 'd': signal_date, 's': coalesce(strength, 1.0),
              'neg': polarity = 'negative', 'l': label} ORDER BY signal_date DESC, signal_type) AS signals,
        bool_or(signal_type = 'collective_proceeding') AS collective_proceeding,
        bool_or(signal_type IN ('radiation', 'company_closed')) AS closure_signal
    FROM {{signals}}
    WHERE siren IS NOT NULL AND signal_date IS NOT NULL
    GROUP BY siren
),
off AS (
    -- contacts in the order a tie between two holders of a target role is broken: a person
    -- before a company officer, then the most recent in office, then by name
    SELECT
        siren,
        list(DISTINCT role_code ORDER BY role_code) AS role_codes,
        list({'role_code': role_code, 'role_label': role_label, 'kind': officer_kind, 'given_names': given_names,
              'family_name': family_name, 'company_name': company_officer_name}
             ORDER BY officer_kind <> 'person', start_date DESC NULLS LAST, family_name, given_names,
                      company_officer_name, role_code) AS contacts
    FROM {{officers}}
    WHERE active AND role_code IS NOT NULL
    GROUP BY siren
)
SELECT
    c.siren,
    c.siret_siege AS siret,
    c.name AS company_name,
    c.street,
    c.postal_code,
    c.commune_name AS city,
    c.commune_code,
    c.departement_code,
    c.region_code,
    c.region_name,
    c.foreign_country,
    c.naf_code,
    coalesce(c.naf_code, '') AS naf_key,
    c.naf_section,
    c.naf_division,
    c.naf_division_label,
    c.headcount_band,
    hb.label AS headcount_label,
    c.headcount_min AS employees_min,
    c.headcount_max AS employees_max,
    c.employer,
    c.legal_form_code,
    c.legal_form_label,
    c.company_category,
    c.creation_date,
    CAST(f.revenue AS BIGINT) AS annual_revenue,
    year(f.fiscal_year_end) AS revenue_year,
    off.role_codes AS officer_role_codes,
    hash(off.role_codes) AS role_set,   -- NULL without officers; key of core.prospects_role_sets
    off.contacts,
    sig.signals,
    coalesce(sig.collective_proceeding, false) AS collective_proceeding,
    coalesce(sig.closure_signal, false) AS closure_signal
FROM {{companies}} c
LEFT JOIN ref.headcount_bands hb ON hb.code = c.headcount_band
LEFT JOIN {{financials}} f ON f.siren = c.siren
LEFT JOIN off ON off.siren = c.siren
LEFT JOIN sig ON sig.siren = c.siren
WHERE c.active AND c.diffusible
ORDER BY naf_key, c.siren
