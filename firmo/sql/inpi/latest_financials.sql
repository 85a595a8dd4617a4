-- core.latest_financials: one row per SIREN, its latest fiscal year closed on or before
-- $as_of and, when several balance sheets share that date, the company's own complete
-- accounts (C) over simplified (S) over consolidated (K): a lead is one legal unit, and a K
-- row describes its whole group. Amounts stay NULL where inpi.financials had to blank them.
CREATE OR REPLACE TABLE {{target}} AS
SELECT
    siren,
    fiscal_year_end,
    type_bilan,
    confidentiality,
    revenue,
    gross_margin,
    ebitda,
    ebit,
    net_income,
    quality_flags
FROM {{financials}}
WHERE fiscal_year_end <= $as_of
QUALIFY row_number() OVER (
    PARTITION BY siren
    ORDER BY fiscal_year_end DESC,
             CASE type_bilan WHEN 'C' THEN 1 WHEN 'S' THEN 2 WHEN 'K' THEN 3 ELSE 4 END,
             type_bilan
) = 1
