-- Type every raw ratios row and say why it cannot be used (reason NULL = usable).
-- Reasons read '<kind>: <value>' so that reports can count them by kind. Needs the identifier macros (firmo.identifiers.create_macros).
-- {{raw}}: all-VARCHAR rows of one export (sources/inpi/ratios_read.py); $max_date bounds
-- fiscal year ends (a closing date years in the future is a typo, not a forecast).
CREATE OR REPLACE TEMP TABLE {{checked}} AS
WITH src AS (
    SELECT
        row_index,
        regexp_replace(coalesce(siren, ''), '\s', '', 'g') AS siren,
        NULLIF(trim(date_cloture_exercice), '') AS date_raw,
        NULLIF(replace(trim(chiffre_d_affaires), ',', '.'), '') AS revenue_raw,
        NULLIF(replace(trim(marge_brute), ',', '.'), '') AS gross_margin_raw,
        NULLIF(replace(trim(ebe), ',', '.'), '') AS ebitda_raw,
        NULLIF(replace(trim(ebit), ',', '.'), '') AS ebit_raw,
        NULLIF(replace(trim(resultat_net), ',', '.'), '') AS net_income_raw,
        NULLIF(upper(trim(type_bilan)), '') AS type_bilan,
        NULLIF(trim(confidentiality), '') AS confidentiality,
        concat_ws(';', siren, date_cloture_exercice, chiffre_d_affaires, marge_brute, ebe, ebit,
                  resultat_net, type_bilan, confidentiality) AS raw
    FROM {{raw}}
),
typed AS (
    SELECT
        *,
        TRY_CAST(left(date_raw, 10) AS DATE) AS fiscal_year_end,
        TRY_CAST(round(TRY_CAST(revenue_raw AS DOUBLE)) AS BIGINT) AS revenue,
        TRY_CAST(round(TRY_CAST(gross_margin_raw AS DOUBLE)) AS BIGINT) AS gross_margin,
        TRY_CAST(round(TRY_CAST(ebitda_raw AS DOUBLE)) AS BIGINT) AS ebitda,
        TRY_CAST(round(TRY_CAST(ebit_raw AS DOUBLE)) AS BIGINT) AS ebit,
        TRY_CAST(round(TRY_CAST(net_income_raw AS DOUBLE)) AS BIGINT) AS net_income,
        firmo_siren_ok(siren) AS siren_ok
    FROM src
),
reasoned AS (
    SELECT
        *,
        CASE
            WHEN siren = '' THEN 'missing siren'
            WHEN NOT siren_ok THEN 'invalid SIREN (length or checksum): ' || siren
            WHEN date_raw IS NULL THEN 'missing date_cloture_exercice'
            WHEN fiscal_year_end IS NULL THEN 'unparsable date_cloture_exercice: ' || date_raw
            WHEN fiscal_year_end < DATE '1950-01-01' OR fiscal_year_end > $max_date
                THEN 'implausible date_cloture_exercice: ' || date_raw
            WHEN revenue_raw IS NOT NULL AND revenue IS NULL THEN 'non-numeric chiffre_d_affaires: ' || revenue_raw
            WHEN gross_margin_raw IS NOT NULL AND gross_margin IS NULL THEN 'non-numeric marge_brute: ' || gross_margin_raw
            WHEN ebitda_raw IS NOT NULL AND ebitda IS NULL THEN 'non-numeric ebe: ' || ebitda_raw
            WHEN ebit_raw IS NOT NULL AND ebit IS NULL THEN 'non-numeric ebit: ' || ebit_raw
            WHEN net_income_raw IS NOT NULL AND net_income IS NULL THEN 'non-numeric resultat_net: ' || net_income_raw
        END AS reason
    FROM typed
)
SELECT
    row_index, siren, fiscal_year_end, type_bilan, confidentiality,
    revenue, gross_margin, ebitda, ebit, net_income, raw,
    CASE
        WHEN reason IS NULL AND row_number() OVER (
                PARTITION BY siren, fiscal_year_end, type_bilan, reason IS NULL ORDER BY row_index DESC) > 1
            THEN 'duplicate (siren, date_cloture_exercice, type_bilan), the last line of the file is kept'
        ELSE reason
    END AS reason
FROM reasoned
