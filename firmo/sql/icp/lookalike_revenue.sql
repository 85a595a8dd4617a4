-- Lookalike revenue (firmo/icp/lookalike.py), among active companies with a known revenue
-- ({{financials}}: core.latest_financials or an empty stand-in): the customers' (`__lookalike_customers`)
-- $low and $high quantiles, and how many customers and companies have a known revenue at all.
WITH known AS (
    SELECT f.siren, f.revenue, f.siren IN (SELECT siren FROM __lookalike_customers) AS customer
    FROM {{financials}} f
    JOIN core.companies c ON c.siren = f.siren
    WHERE c.active AND f.revenue IS NOT NULL
)
SELECT quantile_disc(revenue, $low::DOUBLE) FILTER (WHERE customer) AS lo,
       quantile_disc(revenue, $high::DOUBLE) FILTER (WHERE customer) AS hi,
       count(*) FILTER (WHERE customer) AS customers_known,
       count(*) AS population_known
FROM known
