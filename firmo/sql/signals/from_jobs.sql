-- Intent signals from job offers (core.job_offers: France Travail offers matched to SIRENE).
-- job_offers: one per company and window of $job_window_days days counted back from $as_of
-- (window 0 ends on $as_of), dated its latest offer, strength 0.4 for one offer up to 1.0 from
-- four: "4 job offers in 30 days". Offers a temp agency posts are never the hiring company's
-- (their siren is NULL), nor are unmatched ones. Evidence: the offer ids and their ROME codes.
-- Parameters: $as_of, $since, $job_window_days.
WITH offers AS (
    SELECT DISTINCT siren, offer_id, created_date, rome_code,
           date_diff('day', created_date, $as_of::DATE) // $job_window_days AS window_index
    FROM core.job_offers
    WHERE siren IS NOT NULL AND NOT coalesce(temp_agency, false) AND created_date BETWEEN $since AND $as_of
),
per_offer AS (
    -- one row per offer (an offer seen in two loads keeps its first day)
    SELECT siren, offer_id, window_index, min(created_date) AS created_date, min(rome_code) AS rome_code
    FROM offers
    GROUP BY siren, offer_id, window_index
),
romes AS (
    SELECT siren, window_index, rome_code, count(*) AS n FROM per_offer GROUP BY ALL
)
SELECT w.siren, 'job_offers' AS signal_type, w.last_created AS signal_date,
       CAST(least(1.0, 0.2 + 0.2 * w.offers) AS DOUBLE) AS strength, 'positive' AS polarity,
       w.offers || ' job offer' || CASE WHEN w.offers > 1 THEN 's' ELSE '' END || ' in ' || $job_window_days || ' days' AS label,
       'France Travail offers ' || array_to_string(w.ids[1:10], ', ')
           || CASE WHEN w.offers > 10 THEN ' and ' || (w.offers - 10) || ' more' ELSE '' END
           || ' from ' || strftime(w.first_created, '%Y-%m-%d') || ' to ' || strftime(w.last_created, '%Y-%m-%d')
           || ' (ROME ' || r.rome_text || ')' AS evidence,
       'france_travail' AS source, w.siren || ':' || strftime(w.last_created, '%Y-%m-%d') AS source_ref
FROM (
    SELECT siren, window_index, count(*) AS offers, min(created_date) AS first_created, max(created_date) AS last_created,
           list(offer_id ORDER BY created_date DESC, offer_id) AS ids
    FROM per_offer GROUP BY siren, window_index
) w
JOIN (
    SELECT siren, window_index,
           string_agg(coalesce(rome_code, '?') || CASE WHEN n > 1 THEN ' x' || n ELSE '' END, ', '
                      ORDER BY n DESC, rome_code) AS rome_text
    FROM romes GROUP BY siren, window_index
) r USING (siren, window_index)
