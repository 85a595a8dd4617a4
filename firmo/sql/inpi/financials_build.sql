-- inpi.financials rows from the usable checked rows, with the export's traps neutralised
-- (shared/docs/inpi_bodacc.md §5.4). Each correction is named in quality_flags; a value the
-- export does not really know becomes NULL, never 0 and never a guess:
--   int32_sentinel      2147483647 (INT32 max, the "unavailable" filler of the detailed
--                       accounts parquet) in any amount;
--   confidential_zero   a non-Public row reports 0 for what it keeps confidential
--                       (487444697, 2019 and 2021: chiffre_d_affaires = 0);
--   negative_revenue    a turnover cannot be negative;
--   k_scale_suspect     consolidated (K) revenue more than 10x below the same date's own
--                       accounts (C/S), or 100x off the median of the SIREN's K years
--                       (552032534 2019-K: 25,287,000 against ~24 bn): the P&L amounts of the
--                       row are in another unit, so revenue/margin/ebitda/ebit are dropped;
--   k_ebitda_is_revenue a K row whose EBE equals a positive turnover (2016-K, 2018-K);
--   k_zero_amount       K rows fill unknown ebit / resultat_net with 0 (2016-K, 2022-K).
CREATE OR REPLACE TABLE {{staging}} AS
WITH usable AS (
    SELECT * FROM {{checked}} WHERE reason IS NULL
),
cleaned AS (
    SELECT
        row_index, siren, fiscal_year_end, type_bilan, confidentiality,
        coalesce(confidentiality, '') <> 'Public' AS confidential,
        list_filter([
            CASE WHEN 2147483647 IN (revenue, gross_margin, ebitda, ebit, net_income) THEN 'int32_sentinel' END,
            CASE WHEN coalesce(confidentiality, '') <> 'Public'
                      AND 0 IN (revenue, gross_margin, ebitda, ebit, net_income) THEN 'confidential_zero' END,
            CASE WHEN revenue < 0 THEN 'negative_revenue' END
        ], lambda x: x IS NOT NULL) AS flags,
        CASE WHEN revenue = 2147483647 OR revenue < 0 THEN NULL ELSE revenue END AS revenue,
        CASE WHEN gross_margin = 2147483647 THEN NULL ELSE gross_margin END AS gross_margin,
        CASE WHEN ebitda = 2147483647 THEN NULL ELSE ebitda END AS ebitda,
        CASE WHEN ebit = 2147483647 THEN NULL ELSE ebit END AS ebit,
        CASE WHEN net_income = 2147483647 THEN NULL ELSE net_income END AS net_income
    FROM usable
),
unconfidential AS (
    SELECT
        * EXCLUDE (revenue, gross_margin, ebitda, ebit, net_income),
        CASE WHEN confidential AND revenue = 0 THEN NULL ELSE revenue END AS revenue,
        CASE WHEN confidential AND gross_margin = 0 THEN NULL ELSE gross_margin END AS gross_margin,
        CASE WHEN confidential AND ebitda = 0 THEN NULL ELSE ebitda END AS ebitda,
        CASE WHEN confidential AND ebit = 0 THEN NULL ELSE ebit END AS ebit,
        CASE WHEN confidential AND net_income = 0 THEN NULL ELSE net_income END AS net_income
    FROM cleaned
),
k_context AS (
    SELECT
        *,
        max(revenue) FILTER (WHERE type_bilan IN ('C', 'S')) OVER (PARTITION BY siren, fiscal_year_end) AS own_revenue,
        median(revenue) FILTER (WHERE type_bilan = 'K' AND revenue > 0) OVER (PARTITION BY siren) AS k_median,
        count(revenue) FILTER (WHERE type_bilan = 'K' AND revenue > 0) OVER (PARTITION BY siren) AS k_years
    FROM unconfidential
),
k_checked AS (
    SELECT
        *,
        coalesce(type_bilan = 'K' AND revenue > 0 AND (
            coalesce(own_revenue > 0 AND revenue * 10 < own_revenue, false)
            OR coalesce(k_years >= 3 AND (revenue * 100 < k_median OR revenue > k_median * 100), false)
        ), false) AS k_scale,
        coalesce(type_bilan = 'K' AND revenue > 0 AND ebitda = revenue, false) AS k_ebitda,
        coalesce(type_bilan = 'K' AND (ebit = 0 OR net_income = 0), false) AS k_zero
    FROM k_context
)
SELECT
    siren,
    fiscal_year_end,
    type_bilan,
    confidentiality,
    CASE WHEN k_scale THEN NULL ELSE revenue END AS revenue,
    CASE WHEN k_scale THEN NULL ELSE gross_margin END AS gross_margin,
    CASE WHEN k_scale OR k_ebitda THEN NULL ELSE ebitda END AS ebitda,
    CASE WHEN k_scale OR (type_bilan = 'K' AND ebit = 0) THEN NULL ELSE ebit END AS ebit,
    CASE WHEN type_bilan = 'K' AND net_income = 0 THEN NULL ELSE net_income END AS net_income,
    list_concat(flags, list_filter([
        CASE WHEN k_scale THEN 'k_scale_suspect' END,
        CASE WHEN k_ebitda AND NOT k_scale THEN 'k_ebitda_is_revenue' END,
        CASE WHEN k_zero THEN 'k_zero_amount' END
    ], lambda x: x IS NOT NULL)) AS quality_flags,
    CAST($source_file AS VARCHAR) AS source_file
FROM k_checked
