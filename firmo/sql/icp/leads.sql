-- Continues sql/icp/scored.sql: the ranked lead list (at most $max_leads rows) in the leads.<icp>
-- contract, with the contact to call, short score reasons and a BANT reading.
-- Contact: the active RNE officer with the most authority points (firmo.icp.authority: the
-- holder's weight, a person before a person found behind a company before a company, x the
-- priority factor of the target role it holds); at equal points the higher priority, then the
-- first in core.prospects.contacts order (a person before a company officer, then the most
-- recent in office, then by name).
-- It reads {{scored}} (scored.sql's `scored`, or the narrow rows a preview keeps once:
-- sql/icp/preview_kept.sql). The last line is the statement; every line before it continues
-- the WITH clause (firmo.icp.score.preview runs them with its own last line).
, ranked AS MATERIALIZED (
    -- rank on the narrow scored rows first; wide columns are fetched for the kept rows only
    SELECT prospect_row, naf_fit, naf_pattern, naf_reason, hc_fit, rev_fit, rev_penalised, fit_score, intent_score, score, tier,
           auth_fit, authority_share,
           row_number() OVER (ORDER BY score DESC, fit_score DESC, intent_score DESC, siren) AS rank
    FROM (SELECT * FROM {{scored}} ORDER BY score DESC, fit_score DESC, intent_score DESC, siren LIMIT $max_leads)
),
top AS MATERIALIZED (
    SELECT r.*, p.*
    FROM ranked r
    JOIN {{prospects}} p ON p.rowid = r.prospect_row   -- the table scored.sql read: rowids are its own
),
role_priority AS (
    SELECT unnest($role_groups::VARCHAR[][]) AS codes, generate_subscripts($role_groups::VARCHAR[][], 1) AS priority
),
contact AS (
    -- an officer holding several roles matches on any of them; role_code is the one that matched
    SELECT o.siren, o.c.kind AS officer_kind, o.c.given_names, o.c.family_name, o.c.company_name AS company_officer_name,
           o.c.resolution AS officer_resolution, o.c.via AS decision_maker_via,
           list_filter(o.c.role_codes, lambda x: list_contains(r.codes, x))[1] AS role_code, o.c.role_label, r.priority,
           CASE o.c.kind WHEN 'person' THEN 'officer' WHEN 'holding' THEN 'holding' ELSE 'company' END AS contact_basis,
           CASE o.c.kind WHEN 'person' THEN $auth_officer::DOUBLE WHEN 'holding' THEN $auth_holding::DOUBLE
                ELSE $auth_company::DOUBLE END * greatest(40, 100 - 20 * (r.priority - 1)) AS points
    FROM (SELECT siren, unnest(contacts) AS c, generate_subscripts(contacts, 1) AS position FROM top) o
    JOIN role_priority r ON list_has_any(r.codes, o.c.role_codes)
    QUALIFY row_number() OVER (PARTITION BY o.siren ORDER BY points DESC, r.priority, o.position) = 1
),
signal_points AS (
    SELECT siren, x.t, x.d, x.neg, x.l,
           ($signal_weights::DOUBLE[])[list_position($signal_types::VARCHAR[], x.t)] * x.s
               * pow(0.5, date_diff('day', x.d, $as_of::DATE) / $half_life_days::DOUBLE) AS points
    FROM (SELECT siren, unnest(signals) AS x FROM top)
    WHERE x.d <= $as_of::DATE
),
signal_reasons AS (
    SELECT siren,
           -- 'new Gérant 3 weeks ago', 'won a €240k public contract 3 weeks ago'; a label_expiring
           -- signal is dated the day its renewal window opened, $label_expiring_days before the
           -- expiry: 'RGE qualification expires in 40 days'; job offers are counted per window:
           -- '4 job offers in 30 days (latest 3 days ago)'
           list(CASE WHEN t = 'label_expiring' AND date_diff('day', $as_of::DATE, d + $label_expiring_days::INTEGER) >= 0
                     THEN l || ' ' || icp_in(date_diff('day', $as_of::DATE, d + $label_expiring_days::INTEGER))
                     WHEN t = 'label_expiring'
                     THEN replace(l, ' expires', ' expired') || ' '
                          || icp_ago(date_diff('day', d + $label_expiring_days::INTEGER, $as_of::DATE))
                     WHEN t = 'job_offers' THEN l || ' (latest ' || icp_ago(date_diff('day', d, $as_of::DATE)) || ')'
                     ELSE l || ' ' || icp_ago(date_diff('day', d, $as_of::DATE)) END
                || CASE WHEN neg THEN ' (negative)' ELSE '' END
                ORDER BY points DESC NULLS LAST, d DESC, t, l)[1:3] AS reasons,
           count(*) FILTER (WHERE NOT neg) AS positive_signals,
           max(d) FILTER (WHERE NOT neg) AS last_positive
    FROM signal_points
    GROUP BY siren
),
reasoned AS (
    SELECT
        t.*,
        c.officer_kind, c.given_names, c.family_name, c.company_officer_name, c.role_code AS contact_role_code,
        c.officer_resolution, c.decision_maker_via,
        c.role_label, c.priority, c.contact_basis,
        -- 'NAF 62.01Z in target', 'NAF 2025 62.10Y in division 62', or through the correspondence
        -- 'NAF 2025 62.20G in target (NAF rév. 2 62.02A, by correspondence)' (sql/icp/scored.sql)
        t.naf_reason,
        s.reasons AS signal_reasons,
        coalesce(s.positive_signals, 0) AS positive_signals,
        s.last_positive,
        -- what the open-data criteria matched (sql/icp/scored.sql), for the kept rows only
        nh.near_siret, nh.near_km, lh.labels_held, ih.idcc_held, ch.contracts_won, ch.contracts_amount, hh.offers_open
    FROM top t
    LEFT JOIN contact c ON c.siren = t.siren
    LEFT JOIN signal_reasons s ON s.siren = t.siren
    LEFT JOIN near_hits nh ON $near_on AND nh.siren = t.siren
    LEFT JOIN label_hits lh ON $labels_on AND lh.siren = t.siren
    LEFT JOIN idcc_hits ih ON $idcc_on AND ih.siren = t.siren
    LEFT JOIN contract_hits ch ON $contracts_on AND ch.siren = t.siren
    LEFT JOIN hiring_hits hh ON $hiring_on AND hh.siren = t.siren
),
lead_list AS (
SELECT
    $icp AS icp,
    CAST(rank AS INTEGER) AS rank,
    siren,
    siret,
    company_name,
    street,
    postal_code,
    city,
    coalesce(foreign_country, 'France') AS country,
    region_name,
    departement_code,
    naf_code,
    naf_division,
    naf_division_label,
    headcount_band,
    employees_min,
    employees_max,
    annual_revenue,
    legal_form_label,
    creation_date,
    CAST(NULL AS VARCHAR) AS website_domain,
    -- 'person' or 'company' as filed at the RNE; a company officer looked through to a natural
    -- person (contact kind 'holding', sql/icp/prospects_officers.sql) stays 'company', and the
    -- first and last names are that person's, so the waterfall can look an email up
    CASE WHEN officer_kind = 'holding' THEN 'company' ELSE officer_kind END AS officer_kind,
    CASE WHEN officer_kind IN ('person', 'holding') THEN split_part(given_names, ' ', 1) END AS first_name,
    CASE WHEN officer_kind IN ('person', 'holding') THEN family_name ELSE company_officer_name END AS last_name,
    role_label AS job_title,
    contact_role_code AS role_code,
    -- a company officer's look-through (core.officer_resolution): the outcome ('representative',
    -- 'resolved', 'cycle', 'foreign', 'unknown', 'too_deep') and the chain in words
    officer_resolution,
    decision_maker_via,
    -- officer / holding / company (persona once the waterfall found one: leads.<icp>_enriched),
    -- the authority points used in the fit and their share of it (firmo.icp.authority)
    contact_basis,
    CAST(round(auth_fit) AS INTEGER) AS authority_fit,
    CAST(authority_share AS DOUBLE) AS authority_share,
    fit_score,
    intent_score,
    score,
    tier,
    list_filter(list_concat([
        naf_reason,
        CASE hc_fit WHEN 100 THEN headcount_label || ' in range' WHEN 50 THEN headcount_label || ' partly in range' END,
        CASE WHEN rev_fit IS NOT NULL THEN 'revenue ' || icp_money(annual_revenue) || ' in range'
             WHEN $rev_on AND rev_penalised THEN 'revenue unknown (-' || CAST($rev_penalty AS INTEGER) || ')'
             WHEN $rev_on THEN 'revenue unknown' END,
        -- 'establishment 3.2 km from Nantes', 'holds RGE qualification', 'IDCC 1486',
        -- '3 public contracts won in 365 days (€1.2M)', '4 job offers in 30 days'
        CASE WHEN near_siret IS NOT NULL THEN 'establishment ' || printf('%.1f', near_km) || ' km from ' || $near_name END,
        CASE WHEN labels_held IS NOT NULL THEN 'holds ' || array_to_string(list_transform(labels_held,
            lambda x: coalesce(($label_names::VARCHAR[])[list_position($label_codes::VARCHAR[], x)], x)), ', ') END,
        CASE WHEN idcc_held IS NOT NULL THEN 'collective agreement IDCC ' || array_to_string(idcc_held, ', ') END,
        CASE WHEN contracts_won IS NOT NULL THEN contracts_won || ' public contract' || CASE WHEN contracts_won > 1 THEN 's' ELSE '' END
            || ' won in ' || $contracts_days || ' days' || coalesce(' (' || icp_money(contracts_amount) || ')', '') END,
        CASE WHEN offers_open IS NOT NULL THEN offers_open || ' job offer' || CASE WHEN offers_open > 1 THEN 's' ELSE '' END
            || ' in ' || $hiring_days || ' days' END,
        CASE WHEN len($role_groups::VARCHAR[][]) > 0 AND role_label IS NULL THEN 'no target decision maker on file' END,
        -- 'Président de SAS: HOLDING DUPONT SAS, whose Président de SAS is Jean DUPONT'
        decision_maker_via
    ], coalesce(signal_reasons, [])), lambda x: x IS NOT NULL) AS score_reasons,
    CASE WHEN annual_revenue IS NULL THEN 'revenue unknown'
         ELSE icp_money(annual_revenue) || ' revenue (FY' || revenue_year || ')' END AS bant_budget,
    CASE WHEN role_label IS NULL THEN 'no target decision maker on file'
         WHEN contact_basis = 'company' THEN company_officer_name || ', ' || role_label
              || ' (a company as officer, target role #' || priority || ')'
         WHEN contact_basis = 'holding' THEN role_label || ' (through a holding, target role #' || priority || ')'
         ELSE role_label || ' (target role #' || priority || ')' END AS bant_authority,
    coalesce(naf_reason, 'sector not targeted') || ', '
        || CASE positive_signals WHEN 0 THEN 'no buying signal' WHEN 1 THEN '1 buying signal'
                ELSE positive_signals || ' buying signals' END AS bant_need,
    CASE WHEN last_positive IS NULL THEN 'no recent signal'
         ELSE 'last signal ' || icp_ago(date_diff('day', last_positive, $as_of::DATE)) END
        || ' (intent ' || intent_score || '/100)' AS bant_timing,
    'O' AS statut_diffusion,
    CAST($updated_at AS TIMESTAMP) AS lead_updated_at,
    -- criteria.near: the company's establishment that matched (nearest first) and its distance
    near_siret,
    CAST(round(near_km, 2) AS DOUBLE) AS near_distance_km
FROM reasoned
)
SELECT * FROM lead_list ORDER BY rank
