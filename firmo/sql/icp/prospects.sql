-- core.prospects: one row per company an ICP may target (active, diffusible and not opposed:
-- SIRENE `P` units and units whose latest RNE payload says `diffusionCommerciale: false` are
-- never prospected; firmo/compliance/prospecting.py says why the RNE flag is joined here, at build time,
-- and not copied into core.companies), with everything ICP filtering and scoring reads, so a preview is one scan
-- of one table: place, activity, size, legal form, latest revenue, the RNE role codes of its
-- active officers (as a role set: authority is ranked once per distinct set, not per company)
-- and their contact details, and its signals as a list (scoring weighs and decays them per ICP).
-- Both activity codes (NAF rév. 2 and NAF 2025, core.companies says where each comes from);
-- sorted by NAF code (`naf_key`: the rév. 2 code, else the NAF 2025 one, so the units coded only
-- in NAF 2025 after the switchover do not all fall in one key; '' with neither): most ICPs filter
-- on NAF, and DuckDB then skips whole row groups.
-- Built a range of NAF codes at a time ($first_naf..$last_naf, in order), so the sort never holds
-- the whole table and the result is still stored in (naf_key, siren) order.
-- Identifiers: {{companies}}, {{off}} and {{sig}} (steps 1 and 2), {{financials}}, {{rne}}
-- (inpi.companies or its empty stand-in).
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
    coalesce(c.naf_code, c.naf2025_code, '') AS naf_key,
    c.naf_section,
    c.naf_division,
    c.naf_division_label,
    c.naf_source,
    c.naf2025_code,
    coalesce(c.naf2025_code, '') AS naf2025_key,
    c.naf2025_section,
    c.naf2025_division,
    c.naf2025_source,
    c.headcount_band,
    hb.label AS headcount_label,
    c.headcount_min AS employees_min,
    c.headcount_max AS employees_max,
    c.employer,
    c.legal_form_code,
    c.legal_form_label,
    c.company_category,
    c.creation_date,
    c.idcc_codes,   -- collective agreements of its establishments (core.company_idcc)
    CAST(f.revenue AS BIGINT) AS annual_revenue,
    year(f.fiscal_year_end) AS revenue_year,
    off.role_codes AS officer_role_codes,
    -- who holds each role, as 'kind:code' (person, holding, company): authority is graded by the
    -- holder (firmo.icp.authority), so the role set is keyed on the holders
    list_sort(list_distinct(flatten(list_transform(off.contacts,
        lambda c: list_transform(c.role_codes, lambda x: c.kind || ':' || x))))) AS officer_holders,
    hash(officer_holders) AS role_set,   -- NULL without officers; key of core.prospects_role_sets
    off.contacts,
    sig.signals,
    coalesce(sig.collective_proceeding, false) AS collective_proceeding,
    coalesce(sig.closure_signal, false) AS closure_signal
FROM {{companies}} c
LEFT JOIN ref.headcount_bands hb ON hb.code = c.headcount_band
LEFT JOIN {{financials}} f ON f.siren = c.siren
LEFT JOIN {{off}} off ON off.siren = c.siren
LEFT JOIN {{sig}} sig ON sig.siren = c.siren
WHERE c.active AND c.diffusible
  AND NOT EXISTS (SELECT 1 FROM {{rne}} rne WHERE rne.siren = c.siren AND rne.diffusion_commerciale = false)
  AND coalesce(c.naf_code, c.naf2025_code, '') BETWEEN $first_naf AND $last_naf
ORDER BY naf_key, c.siren
