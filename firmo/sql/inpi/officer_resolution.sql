-- core.officer_resolution: every active legal-person officer of inpi.officers (a holding that is
-- Président, Gérant, DG... of a company) resolved to the natural person who decides for it
-- (firmo/lookthrough.py says why and how the table is used).
-- The walk: a legal-person officer naming its permanent representative resolves to them; else
-- the decision makers of that company in inpi.officers (by its SIREN) are looked at, and a company
-- among them is looked through in turn, at most $max_depth companies deep. Every path is walked;
-- the one kept reaches a natural person if any does, following the highest-ranked role at each
-- step ($rank, firmo.reference.roles.DECISION_RANK), then the shortest, then the most recent in
-- office. A path that cannot go on is kept with its reason: no SIREN (a foreign company), a SIREN
-- without RNE payload or without an active decision maker ('unknown'), a company already in the
-- chain ('cycle', A -> B -> A), more than $max_depth companies ('too_deep').
-- Identifiers: {{officers}} (the inpi.officers columns read below), {{rne}} (siren of every
-- company with an RNE payload). Parameters: $decision_codes, $rank (VARCHAR[]), $max_depth.
WITH RECURSIVE
officer AS (
    SELECT *, coalesce(list_position($rank::VARCHAR[], role_code), 1000) AS rank_pos
    FROM {{officers}}
    WHERE active AND role_code IS NOT NULL
),
decider AS (
    SELECT * FROM officer WHERE list_contains($decision_codes::VARCHAR[], role_code)
),
start AS (
    -- one row per legal-person officer (a pouvoir filed twice is one officer)
    SELECT DISTINCT ON (siren, representant_id, company_officer_siren, company_officer_name, role_code) *
    FROM officer
    WHERE officer_kind = 'company'
    ORDER BY siren, representant_id, company_officer_siren, company_officer_name, role_code,
             representative_family_name NULLS LAST, representative_given_names NULLS LAST
),
walk AS (
    SELECT
        s.siren, s.representant_id, s.company_officer_siren AS officer_siren, s.company_officer_name AS officer_name,
        s.role_code, s.role_label,
        1 AS depth, [s.siren] AS visited, CAST([] AS INTEGER[]) AS ranks,
        [{'siren': s.company_officer_siren, 'name': s.company_officer_name, 'role': s.role_label, 'kind': 'company'}]
            AS chain,
        'company' AS kind, s.company_officer_siren AS csiren, s.company_officer_name AS cname,
        s.company_officer_country AS ccountry,
        s.representative_family_name AS rep_family, s.representative_given_names AS rep_given,
        CAST(NULL AS VARCHAR) AS family, CAST(NULL AS VARCHAR) AS given, CAST(NULL AS VARCHAR) AS prole,
        CAST(NULL AS DATE) AS pstart
    FROM start s
    UNION ALL
    SELECT
        w.siren, w.representant_id, w.officer_siren, w.officer_name, w.role_code, w.role_label,
        w.depth + 1, list_append(w.visited, w.csiren), list_append(w.ranks, d.rank_pos),
        list_append(w.chain, {'siren': d.company_officer_siren,
                              'name': CASE WHEN d.officer_kind = 'person'
                                           THEN concat_ws(' ', split_part(d.given_names, ' ', 1), d.family_name)
                                           ELSE d.company_officer_name END,
                              'role': d.role_label, 'kind': d.officer_kind}),
        d.officer_kind, d.company_officer_siren, d.company_officer_name, d.company_officer_country,
        d.representative_family_name, d.representative_given_names,
        d.family_name, d.given_names, d.role_label, d.start_date
    FROM walk w
    JOIN decider d ON d.siren = w.csiren
    -- a company is looked into when nothing simpler settles it (see the leaves below)
    WHERE w.kind = 'company' AND w.rep_family IS NULL AND w.csiren IS NOT NULL
      AND NOT list_contains(w.visited, w.csiren) AND w.depth <= $max_depth
),
leaf AS (
    SELECT w.*,
        CASE
            WHEN kind = 'person' THEN 'resolved'
            WHEN rep_family IS NOT NULL AND depth <= $max_depth THEN CASE WHEN depth = 1 THEN 'representative' ELSE 'resolved' END
            WHEN csiren IS NULL THEN 'foreign'
            WHEN list_contains(visited, csiren) THEN 'cycle'
            WHEN depth > $max_depth THEN 'too_deep'
            ELSE 'unknown'
        END AS outcome,
        csiren IN (SELECT siren FROM {{rne}}) AS in_rne
    FROM walk w
    WHERE kind = 'person'
       OR rep_family IS NOT NULL OR csiren IS NULL OR list_contains(visited, csiren) OR depth > $max_depth
       OR csiren NOT IN (SELECT siren FROM decider)
),
chosen AS (
    SELECT * FROM leaf
    QUALIFY row_number() OVER (
        PARTITION BY siren, representant_id, officer_siren, officer_name, role_code
        ORDER BY outcome IN ('representative', 'resolved') DESC, ranks, depth, pstart DESC NULLS LAST,
                 family, given, cname) = 1
),
described AS (
    SELECT *,
        CASE WHEN kind = 'person' THEN depth - 1 ELSE depth END AS levels,
        CASE WHEN kind = 'company' AND outcome IN ('representative', 'resolved')
             THEN list_append(chain, {'siren': NULL, 'name': concat_ws(' ', split_part(rep_given, ' ', 1), rep_family),
                                      'role': 'permanent representative', 'kind': 'representative'})
             ELSE chain END AS steps
    FROM chosen
)
SELECT
    siren, representant_id, officer_siren AS company_officer_siren, officer_name AS company_officer_name,
    role_code, role_label,
    outcome,
    CAST(levels AS INTEGER) AS depth,  -- companies in the chain (1: the officer itself)
    CASE WHEN outcome IN ('representative', 'resolved') THEN CASE WHEN kind = 'person' THEN given ELSE rep_given END
    END AS person_given_names,
    CASE WHEN outcome IN ('representative', 'resolved') THEN CASE WHEN kind = 'person' THEN family ELSE rep_family END
    END AS person_family_name,
    CASE WHEN outcome IN ('representative', 'resolved') THEN CASE WHEN kind = 'person' THEN prole
                                                                  ELSE 'permanent representative' END
    END AS person_role_label,
    steps AS chain,
    -- the chain in words, for score reasons and exports:
    -- 'Président de SAS: HOLDING DUPONT SAS, whose Président de SAS is Jean DUPONT'
    coalesce(steps[1].role, 'officer') || ': ' || coalesce(steps[1].name, '?') || array_to_string(list_transform(
        steps[2:], lambda x: CASE WHEN x.kind = 'representative' THEN ', represented by ' || x.name
                             ELSE ', whose ' || coalesce(x.role, 'officer') || ' is ' || coalesce(x.name, '?') END), '')
        AS via,
    CASE outcome
        WHEN 'representative' THEN 'permanent representative named in the RNE filing'
        WHEN 'resolved' THEN 'looked through ' || levels || CASE WHEN levels = 1 THEN ' company' ELSE ' companies' END
                             || ' in the RNE'
        WHEN 'foreign' THEN coalesce(cname, 'the company') || ' has no French SIREN (foreign company'
                            || coalesce(', ' || nullif(ccountry, 'FRANCE'), '') || ')'
        WHEN 'cycle' THEN 'cycle: ' || coalesce(cname, '?') || ' (SIREN ' || csiren || ') is already in the chain'
        WHEN 'too_deep' THEN 'more than ' || $max_depth || ' levels of companies: ' || coalesce(cname, '?')
                             || ' was not looked through'
        WHEN 'unknown' THEN coalesce(cname, '?') || ' (SIREN ' || csiren || ') '
                            || CASE WHEN in_rne THEN 'has no active decision maker in the RNE' ELSE 'is not in the RNE' END
    END AS reason,
    -- the companies of the chain with a SIREN, the operating company left out: their officers'
    -- changes are signals for it too (firmo/sql/signals/from_inpi.sql)
    list_distinct(list_filter(list_transform(steps, lambda x: x.siren), lambda x: x IS NOT NULL AND x <> siren)) AS holding_sirens
FROM described
ORDER BY siren, role_code, company_officer_name
