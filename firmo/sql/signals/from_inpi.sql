-- Intent signals from the RNE: a decision maker who took office in the window. Officers who
-- started with the company (within a month of its creation) are its founders, not a change.
-- Parameters: $as_of, $since.
SELECT o.siren, 'new_decision_maker' AS signal_type, o.start_date AS signal_date,
       CASE WHEN r.decision_maker THEN 1.0 ELSE 0.5 END AS strength, 'positive' AS polarity,
       'new ' || coalesce(o.role_label, 'officer') AS label,
       'RNE: ' || coalesce(nullif(trim(concat_ws(' ', o.given_names, o.family_name)), ''), o.company_officer_name, '?')
           || ', ' || coalesce(o.role_label, o.role_code, '?') || ' since ' || strftime(o.start_date, '%Y-%m-%d') AS evidence,
       'inpi' AS source, coalesce(o.representant_id, o.siren || ':' || o.role_code) AS source_ref
FROM inpi.officers o
LEFT JOIN sirene.unites_legales u USING (siren)
LEFT JOIN ref.rne_roles r ON r.code = o.role_code
WHERE o.active AND o.start_date BETWEEN $since AND $as_of
  AND o.start_date > coalesce(u.dateCreationUniteLegale, DATE '1900-01-01') + INTERVAL 31 DAY
