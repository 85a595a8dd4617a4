-- Intent signals from labels and registers (core.labels; codes and short names: firmo.labels).
-- * label_obtained: a label whose validity starts in the window while the company did not hold it
--   the day before (a renewal, or one more RGE qualification, is not a new label). One per (SIREN,
--   label, first day), however many establishments, qualifications or sources report it.
-- * label_expiring: the company's last validity of a label ends within $label_expiring_days after
--   $as_of (no open-ended row, no later one): the moment to sell its renewal. One per (SIREN,
--   label), dated the day that window opened (its end - $label_expiring_days), which is how the
--   score reasons count the days left (firmo/sql/icp/leads.sql).
-- Source 'labels' for both: which registers told it is in the evidence; two labels obtained the
-- same month are two events, not one told twice (firmo/sql/icp/prospects_signals.sql).
-- Labels whose dates are not obtention / expiry dates ($undated_labels: firmo.labels.UNDATED_EVENTS,
-- yearly declarations and publications) give neither signal.
-- Parameters: $as_of, $since, $label_expiring_days, $label_codes / $label_names (parallel lists),
-- $undated_labels.
WITH l AS (
    SELECT *, coalesce(($label_names::VARCHAR[])[list_position($label_codes::VARCHAR[], label)], replace(label, '_', ' ')) AS label_name
    FROM core.labels
    WHERE siren IS NOT NULL AND label IS NOT NULL AND NOT list_contains($undated_labels::VARCHAR[], label)
),
obtained AS (
    SELECT n.siren, n.label, any_value(n.label_name) AS label_name, n.valid_from,
           max(n.valid_to) AS valid_to, string_agg(DISTINCT n.source, ', ' ORDER BY n.source) AS sources,
           min(n.siret) AS siret, min(n.detail) AS detail, count(*) AS records
    FROM l n
    WHERE n.valid_from BETWEEN $since AND $as_of
      AND NOT EXISTS (
        SELECT 1 FROM l o
        WHERE o.siren = n.siren AND o.label = n.label AND o.valid_from < n.valid_from
          AND (o.valid_to IS NULL OR o.valid_to >= n.valid_from - INTERVAL 1 DAY)
    )
    GROUP BY n.siren, n.label, n.valid_from
),
ending AS (
    SELECT siren, label, any_value(label_name) AS label_name, max(valid_to) AS valid_to,
           string_agg(DISTINCT source, ', ' ORDER BY source) AS sources, arg_max(siret, valid_to) AS siret,
           arg_max(detail, valid_to) AS detail
    FROM l
    GROUP BY siren, label
    HAVING NOT bool_or(valid_to IS NULL)
       AND max(valid_to) BETWEEN $as_of AND $as_of + to_days($label_expiring_days::INTEGER)
)
SELECT siren, 'label_obtained' AS signal_type, valid_from AS signal_date, 1.0::DOUBLE AS strength, 'positive' AS polarity,
       'obtained ' || label_name AS label,
       'labels: ' || label || ' from ' || sources || coalesce(' (' || detail || ')', '')
           || coalesce(', SIRET ' || siret, '') || ', valid from ' || strftime(valid_from, '%Y-%m-%d')
           || coalesce(' to ' || strftime(valid_to, '%Y-%m-%d'), '')
           || CASE WHEN records > 1 THEN ', ' || records || ' records' ELSE '' END AS evidence,
       'labels' AS source, label || ':' || strftime(valid_from, '%Y-%m-%d') AS source_ref
FROM obtained

UNION ALL
SELECT siren, 'label_expiring', CAST(valid_to - to_days($label_expiring_days::INTEGER) AS DATE), 1.0, 'positive',
       label_name || ' expires',
       'labels: ' || label || ' from ' || sources || coalesce(' (' || detail || ')', '')
           || coalesce(', SIRET ' || siret, '') || ', valid to ' || strftime(valid_to, '%Y-%m-%d'),
       'labels', label || ':' || strftime(valid_to, '%Y-%m-%d')
FROM ending
