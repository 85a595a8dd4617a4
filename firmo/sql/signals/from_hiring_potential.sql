-- Intent signal from La Bonne Boîte (core.hiring_potential: France Travail's estimate, per SIRET
-- and ROME, of the company's chance of hiring soon). hiring_potential_high: one per company, from
-- its latest observation in the window with at least one establishment marked high potential,
-- dated that observation (an estimate repeated every month is one signal, not one a month).
-- Parameters: $as_of, $since.
WITH latest AS (
    SELECT *
    FROM core.hiring_potential
    WHERE siren IS NOT NULL AND observed_date BETWEEN $since AND $as_of
    QUALIFY observed_date = max(observed_date) OVER (PARTITION BY siren)
)
SELECT siren, 'hiring_potential_high' AS signal_type, observed_date AS signal_date, 1.0::DOUBLE AS strength,
       'positive' AS polarity, 'high hiring potential' AS label,
       'La Bonne Boîte ' || strftime(observed_date, '%Y-%m-%d') || ': '
           || string_agg('SIRET ' || siret || ' ROME ' || coalesce(rome_code, '?')
                         || coalesce(' (potential ' || printf('%.2f', hiring_potential) || ')', ''), ', '
                         ORDER BY hiring_potential DESC NULLS LAST, siret, rome_code) AS evidence,
       'labonneboite' AS source, siren || ':' || strftime(observed_date, '%Y-%m-%d') AS source_ref
FROM latest
WHERE is_high_potential
GROUP BY siren, observed_date
