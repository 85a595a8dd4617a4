-- The companies an ICP selects, each with its fit, intent and combined scores and tier.
-- This file is the head of a WITH clause: sql/icp/counts.sql and sql/icp/leads.sql continue it
-- (firmo.icp.score joins the texts; values are always bound). One scan of core.prospects.
--
-- Fit (0-100): weighted mean of the graded criteria the ICP sets (NAF by how precisely the code
-- is targeted, in either nomenclature: see naf_pairs; headcount band inside or across the
-- range, revenue known in range, authority of the best target role on file and of who holds it:
-- firmo.icp.authority); a criterion the
-- ICP leaves out does not count. Place, legal form, age, category, employer are gates: a
-- company outside them is not a lead at all; so are the open-data criteria (near, labels, IDCC,
-- public contracts, hiring), each a semi-join on the small set of SIRENs it qualifies, computed
-- once per query from its table (a criterion left out binds false: its set is empty, and its
-- gate line, marked `-- only with criteria.<name>`, is left out of the query text). Their tables are {{locations}}, {{labels}}, {{company_idcc}},
-- {{contracts}} and {{job_offers}} (an empty stand-in when a table is not loaded, see firmo.icp.score).
-- Unknown revenue under policy 'penalty' costs $rev_penalty fit points.
-- Intent (0-100): sum over signals up to $as_of of weight(type) * strength * 0.5^(age/half-life),
-- positive ones adding, negative ones subtracting, clamped to 0..100.
-- Score = fit_share * fit + (1 - fit_share) * intent; tier by the hot / warm thresholds.
WITH naf_patterns AS (
    -- one row per include pattern (firmo.icp.validate.NafTerm): its nomenclature ('naf_rev2' or
    -- 'naf2025'), value (a section letter or a code prefix), fit, the sous-classes of the other
    -- nomenclature it reaches through the correspondence, and the end of its score reason
    SELECT unnest($naf_inc_text::VARCHAR[]) AS pattern, unnest($naf_inc_nom::VARCHAR[]) AS nom,
           unnest($naf_inc_value::VARCHAR[]) AS value, unnest($naf_inc_fit::INTEGER[]) AS fit,
           unnest($naf_inc_other::VARCHAR[][]) AS other, unnest($naf_inc_reason::VARCHAR[]) AS reason,
           unnest($naf_inc_reason_other::VARCHAR[]) AS reason_other
),
naf_excluded AS (
    SELECT unnest($naf_exc_nom::VARCHAR[]) AS nom, unnest($naf_exc_value::VARCHAR[]) AS value,
           unnest($naf_exc_other::VARCHAR[][]) AS other
),
naf_pairs AS (
    -- a pattern matches the company's code in the pattern's nomenclature; a company without a
    -- code there (coded only in the other one, or a split / merge) matches through the
    -- correspondence: its other code is one the pattern reaches (`other`)
    SELECT n.*, p.*,
           CASE WHEN p.nom = 'naf_rev2' THEN n.naf_code ELSE n.naf2025_code END AS own_code,
           CASE WHEN p.nom = 'naf_rev2' THEN n.naf_section ELSE n.naf2025_section END AS own_section,
           CASE WHEN p.nom = 'naf_rev2' THEN n.naf2025_code ELSE n.naf_code END AS other_code
    FROM core.prospects_naf n, naf_patterns p
),
naf_matches AS (
    SELECT naf_key, naf2025_key, fit, pattern,
           CASE WHEN own_code IS NOT NULL
                THEN CASE WHEN nom = 'naf_rev2' THEN 'NAF ' ELSE 'NAF 2025 ' END || own_code || ' ' || reason
                ELSE CASE WHEN nom = 'naf_rev2' THEN 'NAF 2025 ' ELSE 'NAF ' END || other_code || ' ' || reason_other
           END AS reason
    FROM naf_pairs
    WHERE (own_code IS NOT NULL AND CASE WHEN len(value) = 1 THEN value = own_section ELSE starts_with(own_code, value) END)
       OR (own_code IS NULL AND list_contains(other, other_code))
),
naf_best AS (
    -- the most precise pattern matching each pair of codes (ties: the first pattern text)
    SELECT * FROM naf_matches
    QUALIFY row_number() OVER (PARTITION BY naf_key, naf2025_key ORDER BY fit DESC, pattern) = 1
),
naf AS (
    -- one row per pair of NAF codes present among prospects that the ICP keeps, with its best match
    SELECT n.naf_key, n.naf2025_key, m.fit AS naf_fit, m.pattern AS naf_pattern, m.reason AS naf_reason
    FROM core.prospects_naf n
    LEFT JOIN naf_best m ON m.naf_key = n.naf_key AND m.naf2025_key = n.naf2025_key
    WHERE (NOT $naf_on OR m.fit IS NOT NULL)
      AND NOT EXISTS (
        SELECT 1 FROM naf_excluded e
        WHERE CASE WHEN (CASE WHEN e.nom = 'naf_rev2' THEN n.naf_code ELSE n.naf2025_code END) IS NOT NULL
                   THEN CASE WHEN len(e.value) = 1
                             THEN e.value = CASE WHEN e.nom = 'naf_rev2' THEN n.naf_section ELSE n.naf2025_section END
                             ELSE starts_with(CASE WHEN e.nom = 'naf_rev2' THEN n.naf_code ELSE n.naf2025_code END, e.value) END
                   ELSE list_contains(e.other, CASE WHEN e.nom = 'naf_rev2' THEN n.naf2025_code ELSE n.naf_code END) END
    )
),
near_hits AS MATERIALIZED (
    -- near: the nearest active, precisely located establishment of each company within
    -- $near_km of ($near_lat, $near_lon). Only the grid cells of the circle's bounding box are
    -- read ($near_cell_min..$near_cell_max prunes row groups of the table stored by grid_cell,
    -- the column range keeps the box; firmo.geo), and only the points inside the box itself
    -- ($near_lat_min..$near_lon_max, firmo.geo.bounding_box, a superset of the circle) get a
    -- distance: two comparisons are cheaper than a haversine, which about half the rows of the
    -- cells would need for nothing. The distance is the haversine of firmo/sql/geo/macros.sql,
    -- written out because a read-only preview cannot create macros. The nearest establishment
    -- (then the first SIRET) is the min of (distance, siret): a hash aggregate, cheaper than
    -- ranking every establishment of every company in a window.
    SELECT siren, nearest.s AS near_siret, nearest.d AS near_km
    FROM (
        SELECT siren, min({'d': distance_km, 's': siret}) AS nearest
        FROM (
            SELECT siren, siret,
                   2 * 6371.0088 * asin(least(1.0, sqrt(
                       pow(sin(radians(latitude - $near_lat::DOUBLE) / 2), 2)
                       + cos(radians($near_lat::DOUBLE)) * cos(radians(latitude))
                         * pow(sin(radians(longitude - $near_lon::DOUBLE) / 2), 2)))) AS distance_km
            FROM {{locations}}
            WHERE $near_on AND grid_cell BETWEEN $near_cell_min AND $near_cell_max
              AND grid_cell % 3600 BETWEEN $near_col_min AND $near_col_max
              AND latitude BETWEEN $near_lat_min::DOUBLE AND $near_lat_max::DOUBLE
              AND longitude BETWEEN $near_lon_min::DOUBLE AND $near_lon_max::DOUBLE
              AND precise AND coalesce(active, false) AND siren IS NOT NULL
        )
        WHERE distance_km <= $near_km
        GROUP BY siren
    )
),
label_hits AS MATERIALIZED (
    -- labels: companies holding, on $labels_day, any of $labels_any (when listed) and all of $labels_all
    SELECT siren, list(DISTINCT label ORDER BY label) AS labels_held
    FROM {{labels}}
    WHERE $labels_on AND list_contains($labels_wanted::VARCHAR[], label)
      AND (valid_from IS NULL OR valid_from <= $labels_day::DATE)
      AND (valid_to IS NULL OR valid_to >= $labels_day::DATE)
    GROUP BY siren
    HAVING (len($labels_any::VARCHAR[]) = 0 OR list_has_any(list(label), $labels_any::VARCHAR[]))
       AND list_has_all(list(label), $labels_all::VARCHAR[])
),
idcc_hits AS MATERIALIZED (
    -- idcc: companies one of whose establishments applies one of $idcc_codes
    SELECT siren, list(DISTINCT idcc ORDER BY idcc) AS idcc_held
    FROM {{company_idcc}}
    WHERE $idcc_on AND list_contains($idcc_codes::VARCHAR[], idcc)
    GROUP BY siren
),
contract_hits AS MATERIALIZED (
    -- public contracts notified after $contracts_after (and by $as_of): at least $contracts_min
    -- distinct contracts worth $contracts_min_amount euros in total, in the CPV prefixes and for
    -- the buyer categories (folded like firmo.icp.config.fold) when listed. {{contracts}} holds
    -- one row per contract uid and SIREN (sql/decp/public_contracts.sql, checked by the
    -- public_contracts_values quality check), so count(*) counts distinct contracts: a
    -- count(DISTINCT uid) would group the window's rows twice (3x the CPU on 230k rows).
    SELECT siren, count(*) AS contracts_won, sum(amount) AS contracts_amount
    FROM {{contracts}}
    WHERE $contracts_on AND notification_date > $contracts_after::DATE AND notification_date <= $as_of::DATE
      AND (len($cpv_prefixes::VARCHAR[]) = 0
           OR len(list_filter($cpv_prefixes::VARCHAR[], lambda x: starts_with(cpv_code, x))) > 0)
      AND (len($buyer_categories::VARCHAR[]) = 0
           OR list_contains($buyer_categories::VARCHAR[],
                            trim(regexp_replace(lower(strip_accents(buyer_category)), '[^a-z0-9]+', ' ', 'g'))))
    GROUP BY siren
    HAVING count(*) >= $contracts_min AND coalesce(sum(amount), 0) >= coalesce($contracts_min_amount::DOUBLE, 0)
),
hiring_hits AS MATERIALIZED (
    -- hiring: at least $hiring_min job offers published after $hiring_after (and by $as_of),
    -- matched to the company (never a temp agency), in the ROME prefixes when listed
    SELECT siren, count(DISTINCT offer_id) AS offers_open
    FROM {{job_offers}}
    WHERE $hiring_on AND siren IS NOT NULL AND NOT coalesce(temp_agency, false)
      AND created_date > $hiring_after::DATE AND created_date <= $as_of::DATE
      AND (len($rome_prefixes::VARCHAR[]) = 0
           OR len(list_filter($rome_prefixes::VARCHAR[], lambda x: starts_with(rome_code, x))) > 0)
    GROUP BY siren
    HAVING count(DISTINCT offer_id) >= $hiring_min
),
authority AS (
    -- rank of the best target role in each distinct set of officer roles (1 = first priority),
    -- and the authority points of the best holder (firmo.icp.authority): a 'kind:code' of
    -- `holders` is worth its kind's weight ($auth_officer for a person, $auth_holding for a person
    -- found behind a company officer, $auth_company for a company) x the role factor
    -- (100, 80, 60, then 40 from the 4th priority on) / 100
    SELECT role_set,
           list_position(list_transform($role_groups::VARCHAR[][], lambda g: list_has_any(g, role_codes)), true)
               AS authority_rank,
           list_max(list_transform(holders, lambda h:
               CASE split_part(h, ':', 1) WHEN 'person' THEN $auth_officer::DOUBLE
                    WHEN 'holding' THEN $auth_holding::DOUBLE ELSE $auth_company::DOUBLE END
               * greatest(40, 100 - 20 * (list_position(list_transform($role_groups::VARCHAR[][],
                     lambda g: list_contains(g, split_part(h, ':', 2))), true) - 1)) / 100)) AS authority_points
    FROM core.prospects_role_sets
),
matched AS (
    SELECT
        p.*,
        p.rowid AS prospect_row,
        n.naf_fit,
        n.naf_pattern,
        n.naf_reason,
        CASE WHEN NOT $hc_on THEN NULL
             WHEN p.employees_min >= coalesce($hc_min::DOUBLE, 0) AND coalesce(p.employees_max, 1e12) <= coalesce($hc_max::DOUBLE, 1e12)
             THEN 100 ELSE 50 END AS hc_fit,
        CASE WHEN $rev_on AND p.annual_revenue IS NOT NULL THEN 100 END AS rev_fit,
        $rev_on AND p.annual_revenue IS NULL AND $rev_unknown = 'penalty' AS rev_penalised,
        coalesce(a.authority_rank, 0) AS authority_rank,
        a.authority_points
    FROM {{prospects}} p   -- core.prospects, or its open-data subset when that selects the same (firmo.icp.score)
    JOIN naf n ON n.naf_key = p.naf_key AND n.naf2025_key = p.naf2025_key
    LEFT JOIN authority a ON a.role_set = p.role_set
    WHERE (NOT $geo_on OR list_contains($regions::VARCHAR[], p.region_code)
                       OR list_contains($departements::VARCHAR[], p.departement_code)
                       -- communes and EPCI, resolved to INSEE codes (an EPCI can be hundreds): a hash
                       -- semi-join, where list_contains would scan the list for every prospect
                       OR p.commune_code IN (SELECT unnest($communes::VARCHAR[])))
      AND (NOT $hc_on OR (p.employees_min <= coalesce($hc_max::DOUBLE, 1e12)
                          AND coalesce(p.employees_max, 1e12) >= coalesce($hc_min::DOUBLE, 0)))
      AND (NOT $rev_on OR (p.annual_revenue IS NULL AND $rev_unknown <> 'drop')
           OR p.annual_revenue BETWEEN coalesce($rev_min::DOUBLE, 0) AND coalesce($rev_max::DOUBLE, 1e18))
      AND ($created_from::DATE IS NULL OR p.creation_date >= $created_from::DATE)
      AND ($created_to::DATE IS NULL OR p.creation_date <= $created_to::DATE)
      AND (NOT $lf_on OR list_contains($legal_forms::VARCHAR[], p.legal_form_code)
                      OR list_contains($legal_forms::VARCHAR[], left(p.legal_form_code, 2))
                      OR list_contains($legal_forms::VARCHAR[], left(p.legal_form_code, 1)))
      AND (NOT $employer_only OR p.employer)
      AND (NOT $cat_on OR list_contains($categories::VARCHAR[], p.company_category))
      AND NOT ($exclude_proceedings AND p.collective_proceeding)
      AND NOT ($exclude_closed AND p.closure_signal)
      -- a semi-join costs a probe per row even when its set is empty, so the line of a criterion
      -- the ICP leaves out is dropped from the text (firmo.icp.score.render_query)
      AND p.siren IN (SELECT siren FROM near_hits)              -- only with criteria.near
      AND p.siren IN (SELECT siren FROM label_hits)             -- only with criteria.labels
      AND p.siren IN (SELECT siren FROM idcc_hits)              -- only with criteria.idcc
      AND p.siren IN (SELECT siren FROM contract_hits)          -- only with criteria.public_contracts
      AND p.siren IN (SELECT siren FROM hiring_hits)            -- only with criteria.hiring
      -- not a criterion of the file: `firmo score` (firmo.icp.byol) scores the SIRENs of a list only
      AND p.siren IN (SELECT siren FROM {{listed}})             -- only with criteria.listed
),
graded AS (
    SELECT
        *,
        CASE WHEN len($role_groups::VARCHAR[][]) = 0 THEN NULL
             ELSE coalesce(authority_points, 0) END AS auth_fit,
        CASE WHEN signals IS NULL THEN 0 ELSE coalesce(list_sum(list_transform(signals, lambda x:
            CASE WHEN x.d <= $as_of::DATE THEN
                ($signal_weights::DOUBLE[])[list_position($signal_types::VARCHAR[], x.t)] * x.s
                * pow(0.5, date_diff('day', x.d, $as_of::DATE) / $half_life_days::DOUBLE)
                * CASE WHEN x.neg THEN -1 ELSE 1 END END)), 0) END AS intent_points
    FROM matched
    WHERE NOT $require_decision_maker OR authority_rank > 0
),
fitted AS (
    SELECT
        *,
        CAST(greatest(0, round(coalesce(
            (coalesce(naf_fit * $w_naf, 0) + coalesce(hc_fit * $w_headcount, 0)
             + coalesce(rev_fit * $w_revenue, 0) + coalesce(auth_fit * $w_authority, 0))
            / nullif(CASE WHEN naf_fit IS NULL THEN 0 ELSE $w_naf END + CASE WHEN hc_fit IS NULL THEN 0 ELSE $w_headcount END
                     + CASE WHEN rev_fit IS NULL THEN 0 ELSE $w_revenue END + CASE WHEN auth_fit IS NULL THEN 0 ELSE $w_authority END, 0),
            100) - CASE WHEN rev_penalised THEN $rev_penalty ELSE 0 END)) AS INTEGER) AS fit_score,
        -- the authority criterion's share of this row's fit, for re-grading it once the waterfall
        -- found a persona (firmo.icp.authority.regrade)
        CASE WHEN auth_fit IS NOT NULL THEN $w_authority / nullif(
            CASE WHEN naf_fit IS NULL THEN 0 ELSE $w_naf END + CASE WHEN hc_fit IS NULL THEN 0 ELSE $w_headcount END
            + CASE WHEN rev_fit IS NULL THEN 0 ELSE $w_revenue END + $w_authority, 0) END AS authority_share,
        CAST(least(100, greatest(0, round(intent_points))) AS INTEGER) AS intent_score
    FROM graded
),
scored AS (
    SELECT
        *,
        CAST(round($fit_share * fit_score + (1 - $fit_share) * intent_score) AS INTEGER) AS score,
        CASE WHEN round($fit_share * fit_score + (1 - $fit_share) * intent_score) >= $tier_hot THEN 'hot'
             WHEN round($fit_share * fit_score + (1 - $fit_share) * intent_score) >= $tier_warm THEN 'warm'
             ELSE 'cold' END AS tier
    FROM fitted
)
