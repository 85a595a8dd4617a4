-- Intent signals from the RNE: a decision maker who took office in the window. Officers who
-- started with the company (within a month of its creation) are its founders, not a change.
-- A holding's new decision maker (a new Président of the holding) is a signal of each company the
-- holding runs too: the companies with a SIREN in the look-through chain of a legal-person
-- decision maker (core.officer_resolution), with evidence naming the holding. It counts once per
-- company and event (one holding reached through two roles or two chains is one signal), and not
-- at all when the same person took office at the company itself the same day: that event is
-- already there.
-- Parameters: $as_of, $since.
WITH fresh AS (
    SELECT o.*, coalesce(r.decision_maker, false) AS decision_maker
    FROM inpi.officers o
    LEFT JOIN sirene.unites_legales u USING (siren)
    LEFT JOIN ref.rne_roles r ON r.code = o.role_code
    WHERE o.active AND o.start_date BETWEEN $since AND $as_of
      AND o.start_date > coalesce(u.dateCreationUniteLegale, DATE '1900-01-01') + INTERVAL 31 DAY
),
held AS (
    SELECT r.siren, s.siren AS holding, min(s.name) AS holding_name
    FROM core.officer_resolution r
    JOIN ref.rne_roles rr ON rr.code = r.role_code AND rr.decision_maker
    CROSS JOIN unnest(r.chain) AS t(s)
    WHERE s.siren IS NOT NULL AND s.siren <> r.siren
    GROUP BY 1, 2
)
SELECT f.siren, 'new_decision_maker' AS signal_type, f.start_date AS signal_date,
       CASE WHEN f.decision_maker THEN 1.0 ELSE 0.5 END AS strength, 'positive' AS polarity,
       'new ' || coalesce(f.role_label, 'officer') AS label,
       'RNE: ' || coalesce(nullif(trim(concat_ws(' ', f.given_names, f.family_name)), ''), f.company_officer_name, '?')
           || ', ' || coalesce(f.role_label, f.role_code, '?') || ' since ' || strftime(f.start_date, '%Y-%m-%d') AS evidence,
       'inpi' AS source, coalesce(f.representant_id, f.siren || ':' || f.role_code) AS source_ref
FROM fresh f
UNION ALL
SELECT h.siren, 'new_decision_maker' AS signal_type, f.start_date AS signal_date,
       CASE WHEN f.decision_maker THEN 1.0 ELSE 0.5 END AS strength, 'positive' AS polarity,
       'new ' || coalesce(f.role_label, 'officer') || ' of holding ' || coalesce(h.holding_name, h.holding) AS label,
       'RNE: ' || coalesce(nullif(trim(concat_ws(' ', f.given_names, f.family_name)), ''), f.company_officer_name, '?')
           || ', ' || coalesce(f.role_label, f.role_code, '?') || ' of holding ' || coalesce(h.holding_name, '?')
           || ' (SIREN ' || h.holding || ') since ' || strftime(f.start_date, '%Y-%m-%d') AS evidence,
       'inpi' AS source, 'holding ' || h.holding || ':' || coalesce(f.representant_id, f.role_code) AS source_ref
FROM held h
JOIN fresh f ON f.siren = h.holding AND f.decision_maker
WHERE NOT EXISTS (
    SELECT 1 FROM fresh x
    WHERE x.siren = h.siren AND x.start_date = f.start_date AND x.officer_kind = f.officer_kind
      AND lower(coalesce(x.family_name, '')) = lower(coalesce(f.family_name, ''))
      AND lower(coalesce(x.given_names, '')) = lower(coalesce(f.given_names, ''))
      AND x.company_officer_siren IS NOT DISTINCT FROM f.company_officer_siren
      AND x.company_officer_name IS NOT DISTINCT FROM f.company_officer_name
)
